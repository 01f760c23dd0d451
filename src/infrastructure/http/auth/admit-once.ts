import type { RequestHandler } from 'express';
import { refuseUndeclaredQueryParameters } from '../query-parameters';

/**
 * Admits a request to `route` (`METHOD /path/{param}` of openapi/openapi.yaml) once: `authenticate`
 * (the route's credentials and roles: 401/403), then the query parameters the contract declares for
 * it and no other (400 naming each unknown one). A request already admitted to this very route —
 * before its body was read (authenticate-before-body.ts runs the same handler) — passes on at once
 * (`res.locals.admittedRoute`), so nothing is checked twice; one admitted to no route or another is
 * checked here.
 * @throws Error at construction when `route` is not an operation of openapi/openapi.yaml.
 */
export function admitOnce(route: string, authenticate: RequestHandler): RequestHandler {
  const query = refuseUndeclaredQueryParameters(route);
  return (req, res, next) => {
    if (res.locals.admittedRoute === route) return next();
    authenticate(req, res, (err?: unknown) => {
      if (err) return next(err);
      query(req, res, (queryErr?: unknown) => {
        if (!queryErr) res.locals.admittedRoute = route;
        next(queryErr);
      });
    });
  };
}
