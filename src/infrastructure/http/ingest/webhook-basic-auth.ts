import { hash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from '../problem-details';
import { admitOnce } from '../auth/admit-once';

/** SHA-256 of `s` (UTF-8), one-shot (`crypto.hash`: no Hash object per call; two per webhook). */
const digest = (s: string): Buffer => hash('sha256', s, 'buffer');

/**
 * HTTP Basic auth of Scayle webhooks (`SCAYLE_WEBHOOK_USERNAME` / `SCAYLE_WEBHOOK_PASSWORD`).
 * User name and password are compared as SHA-256 digests with `timingSafeEqual` (equal lengths, no
 * early exit), both always, so timing tells nothing. Without configured credentials the route is
 * closed: 503 "webhook credentials not configured" — never open to the world. A request it has
 * already admitted (`res.locals.webhookAuthenticated`, set before the body was read) passes on.
 */
export function webhookBasicAuth(credentials: { username: string; password: string } | undefined): RequestHandler {
  const expected = credentials ? { user: digest(credentials.username), pass: digest(credentials.password) } : undefined;
  return (req, res, next) => {
    if (res.locals.webhookAuthenticated === true) return next();
    if (!expected) {
      next(new HttpProblem(503, 'webhook-credentials-not-configured', 'webhook credentials not configured', 'Set SCAYLE_WEBHOOK_USERNAME and SCAYLE_WEBHOOK_PASSWORD to accept Scayle webhooks.'));
      return;
    }
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.header('authorization') ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const userOk = timingSafeEqual(digest(colon >= 0 ? decoded.slice(0, colon) : ''), expected.user);
    const passOk = timingSafeEqual(digest(colon >= 0 ? decoded.slice(colon + 1) : ''), expected.pass);
    if (!match || colon < 0 || !(userOk && passOk)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="scayle-webhooks", charset="UTF-8"');
      next(
        new HttpProblem(401, 'unauthorized', 'Unauthorized', match ? 'The webhook credentials are not valid.' : 'Send the webhook credentials as HTTP Basic auth.', {
          errors: [{ field: 'Authorization', message: match ? 'wrong webhook credentials' : 'missing Basic credentials' }],
        }),
      );
      return;
    }
    res.locals.webhookAuthenticated = true;
    next();
  };
}

/** The webhook route, `METHOD /path` as openapi/openapi.yaml spells it. */
export const WEBHOOK_ROUTE = 'POST /v1/ingest/scayle/webhooks';

/**
 * Admits a request to the webhook route, as `guard` does on the API-key routes: Scayle's Basic
 * credentials ({@link webhookBasicAuth}), then no query parameter (the contract declares none; any is
 * a 400 naming it). Runs before the body is read (authenticate-before-body.ts) and again on the route
 * for a request without a body; a request admitted before (`res.locals.admittedRoute`) passes on at
 * once, so Scayle's webhooks (no query string) pay one `String.includes` on the URL for it.
 */
export function webhookGuard(credentials: { username: string; password: string } | undefined): RequestHandler {
  return admitOnce(WEBHOOK_ROUTE, webhookBasicAuth(credentials));
}
