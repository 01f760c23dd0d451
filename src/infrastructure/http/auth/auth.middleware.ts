import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../problem-details';
import { ApiKeyRegistry, Principal, Role } from './api-keys';

/** The authenticated caller of this request (set by {@link requireRole}). */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('principalOf called on a route without requireRole');
  return principal;
}

/** `actor` for event metadata: role and key id, never the key. */
export function actorOf(res: Response): string {
  const p = principalOf(res);
  return `${p.role}:${p.keyId}`;
}

/**
 * Authenticates `Authorization: Bearer <key>`, whatever the role: the caller's principal on
 * `res.locals.principal`, else 401 (with `WWW-Authenticate: Bearer`). An earlier authentication of
 * the same request is reused.
 */
export function authenticateBearer(registry: ApiKeyRegistry): RequestHandler {
  return (req, res, next) => {
    if (res.locals.principal) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
    const principal = match ? registry.authenticate(match[1]!) : undefined;
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="scayle-erp-ledger"');
      next(
        new HttpProblem(401, 'unauthorized', 'Unauthorized', match ? 'The API key is not valid.' : 'Send an API key as Authorization: Bearer <key>.', {
          errors: [{ field: 'Authorization', message: match ? 'unknown API key' : 'missing bearer API key' }],
        }),
      );
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

/**
 * Authenticates `Authorization: Bearer <key>` ({@link authenticateBearer}) and admits the listed
 * roles (`admin` is always admitted). 401 without or with an unknown key, 403 when the role may not
 * use the route.
 */
export function requireRole(registry: ApiKeyRegistry, ...roles: Role[]): RequestHandler {
  const allowed = new Set<Role>(['admin', ...roles]);
  const authenticate = authenticateBearer(registry);
  return (req, res, next) => {
    authenticate(req, res, (err?: unknown) => (err ? next(err) : admit(req, res, next)));
  };
  function admit(req: Request, res: Response, next: NextFunction): void {
    const principal = res.locals.principal as Principal;
    if (!allowed.has(principal.role)) {
      next(
        new HttpProblem(403, 'forbidden', 'Forbidden', `Role ${principal.role} may not ${req.method} this resource; allowed: ${[...allowed].join(', ')}.`, {
          requiredRoles: [...allowed],
        }),
      );
      return;
    }
    next();
  }
}
