import express, { Express, RequestHandler, Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { HealthCheck } from '../di/tokens';
import { correlationId } from './correlation';
import { healthRouter } from './health.routes';
import { openApiRouter } from './openapi';
import { notFoundHandler, problemErrorHandler } from './problem-details';

/** A concept's HTTP routes (controllers), multi-bound under `TOKENS.HttpRoutes`. */
export interface HttpRoutes {
  /** Mounted in this order relative to other modules; lower first. Default 100. */
  readonly order?: number;
  register(router: Router): void;
}

export interface AppOptions {
  logger: Logger;
  bodyLimit: string;
  routes: readonly HttpRoutes[];
  healthChecks: readonly HealthCheck[];
  version: string;
  /** Observes request latency for `/metrics` (see observability/metrics.ts). */
  observe?: RequestHandler;
  /** Request limit of `/v1/ingest/*` (see rate-limit.ts); runs before the body is parsed. */
  ingestLimiter?: RequestHandler;
}

declare module 'http' {
  interface IncomingMessage {
    /** The unparsed request body, kept for lossless parsing (e.g. Business Central numbers). */
    rawBody?: Buffer;
  }
}

/**
 * Builds the express application: security headers, correlation ids, request logs, JSON bodies
 * (raw bytes kept on `req.rawBody`), the concept routes, then RFC 7807 problems for everything
 * that fails or matches no route.
 */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Swagger UI at /docs runs inline scripts; everything else gets helmet's strict defaults.
  const strict = helmet();
  const docs = helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'upgrade-insecure-requests': null } } });
  app.use((req, res, next) => (req.path.startsWith('/docs') ? docs(req, res, next) : strict(req, res, next)));
  app.use(correlationId);
  if (options.observe) app.use(options.observe);
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (_req, res) => (res as express.Response).locals.correlationId as string,
      customAttributeKeys: { reqId: 'correlationId' },
      // The req serializer below drops req.id, so the correlation id goes on every line explicitly.
      customProps: (_req, res) => ({ correlationId: (res as express.Response).locals.correlationId as string }),
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/v1/health' || req.url === '/metrics' },
    }),
  );
  if (options.ingestLimiter) app.use('/v1/ingest', options.ingestLimiter);
  app.use(
    express.json({
      limit: options.bodyLimit,
      strict: false,
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buf) => {
        req.rawBody = buf;
      },
    }),
  );
  const router = Router();
  router.use(healthRouter(options.healthChecks, options.version));
  router.use(openApiRouter(options.version));
  for (const routes of [...options.routes].sort((a, b) => (a.order ?? 100) - (b.order ?? 100))) routes.register(router);
  app.use(router);
  app.use(notFoundHandler);
  app.use(problemErrorHandler(options.logger));
  return app;
}
