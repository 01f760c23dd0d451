import type { Request, RequestHandler } from 'express';
import { webhookGuard } from '../ingest/webhook-basic-auth';
import type { ApiKeyRegistry } from './api-keys';
import { authenticateBearer } from './auth.middleware';
import { guard, isGuardedRoute, type GuardedRoute } from './route-roles';

/** The one route that takes HTTP Basic credentials (Scayle's), not an API key. */
const WEBHOOK_PATH = '/v1/ingest/scayle/webhooks';

/** Whether the request announces a body (a length above zero, or a chunked one). */
const announcesBody = (req: Request): boolean => {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
};

/**
 * Authenticates and authorises a request with a body before the body is read: only a caller whose
 * API key's role may use the route (`ROUTE_ROLES`, through the route's own {@link guard}) or, on
 * the webhook route, valid Scayle webhook credentials gets up to the body limit of JSON parsed; anyone
 * else gets the route's own 401 or 403 at once, and one with a query parameter the route does not
 * declare its 400 (both guards check the query after the credentials). A request for no route (a 404 or 405 to be) is only
 * authenticated. Runs on `/v1/…` paths; `routeOf` names the route the router will dispatch to (see
 * route-table.ts), so paths match as the router matches them (any case, a trailing slash).
 * The route's own checks reuse what this admitted (`res.locals`), so nothing is checked twice.
 */
export function authenticateBeforeBody(
  registry: ApiKeyRegistry,
  webhookCredentials: { username: string; password: string } | undefined,
  routeOf: (method: string, path: string) => string | undefined,
): RequestHandler {
  const bearer = authenticateBearer(registry);
  const webhook = webhookGuard(webhookCredentials);
  const guards = new Map<GuardedRoute, RequestHandler>();
  const guardOf = (route: GuardedRoute): RequestHandler => {
    let handler = guards.get(route);
    if (!handler) guards.set(route, (handler = guard(registry, route)));
    return handler;
  };
  return (req, res, next) => {
    if (!announcesBody(req)) return next();
    const path = req.path.toLowerCase().replace(/\/+$/, '');
    if (!path.startsWith('/v1/')) return next();
    if (path === WEBHOOK_PATH) return webhook(req, res, next);
    const route = routeOf(req.method, req.path);
    if (route !== undefined && isGuardedRoute(route)) guardOf(route)(req, res, next);
    else bearer(req, res, next);
  };
}
