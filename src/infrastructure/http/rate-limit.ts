import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpProblem } from './problem-details';

/** `LEDGER_INGEST_RATE_LIMIT` / `LEDGER_INGEST_RATE_WINDOW`: requests per window per client; 0 = off. */
export interface RateLimitOptions {
  limit: number;
  windowMs: number;
}

/**
 * The client a request counts against: its credentials (an API key or the webhook's Basic
 * credentials, as a digest — never the secret itself), or its address when it sends none. Keying on
 * credentials keeps one busy integrator from starving Scayle's webhooks behind the same proxy.
 */
export function clientKey(req: Request): string {
  const authorization = req.header('authorization');
  if (authorization) return `cred:${createHash('sha256').update(authorization, 'utf8').digest('hex').slice(0, 24)}`;
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

/**
 * Fixed-window request limit for the ingest routes (in memory, per process). Over the limit the
 * client gets `429` as `application/problem+json` with `Retry-After` (seconds until the window
 * resets) and the IETF `RateLimit-*` headers; nothing is parsed or appended.
 */
export function ingestRateLimit(options: RateLimitOptions): RequestHandler | undefined {
  if (options.limit <= 0) return undefined;
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: clientKey,
    validate: { trustProxy: false, xForwardedForHeader: false },
    handler: (req, res, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
      res.setHeader('Retry-After', String(seconds));
      next(
        new HttpProblem(429, 'rate-limited', 'Too many requests', `More than ${options.limit} ingest requests in ${Math.round(options.windowMs / 1000)} s from this client; retry after ${seconds} s.`, {
          retryAfterSeconds: seconds,
        }),
      );
    },
  });
}
