import type { Request, RequestHandler } from 'express';
import { webhookBasicAuth } from '../ingest/webhook-basic-auth';
import type { ApiKeyRegistry } from './api-keys';
import { authenticateBearer } from './auth.middleware';

/** The one route that takes HTTP Basic credentials (Scayle's), not an API key. */
const WEBHOOK_PATH = '/v1/ingest/scayle/webhooks';

/** Whether the request announces a body (a length above zero, or a chunked one). */
const announcesBody = (req: Request): boolean => {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
};

/**
 * Authenticates a request with a body before the body is read: only a caller with a valid API key
 * (any role; the route still checks its roles) or, on the webhook route, valid Scayle webhook
 * credentials gets up to the body limit of JSON parsed; anyone else gets the route's own 401 at
 * once. Runs on `/v1/…` paths, matched as the router matches them (any case, a trailing slash).
 * The route's own checks reuse what this admitted (`res.locals`), so nothing is checked twice.
 */
export function authenticateBeforeBody(registry: ApiKeyRegistry, webhookCredentials: { username: string; password: string } | undefined): RequestHandler {
  const bearer = authenticateBearer(registry);
  const basic = webhookBasicAuth(webhookCredentials);
  return (req, res, next) => {
    if (!announcesBody(req)) return next();
    const path = req.path.toLowerCase().replace(/\/+$/, '');
    if (!path.startsWith('/v1/')) return next();
    if (path === WEBHOOK_PATH) return basic(req, res, next);
    bearer(req, res, next);
  };
}
