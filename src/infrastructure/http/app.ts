import express, { Express, Request, RequestHandler, Response, Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { byteCount } from '../config/config';
import type { HealthCheck } from '../di/tokens';
import { admitBodyHeaders, refuseOversizedBody } from './body-admission';
import { correlationId } from './correlation';
import { healthRouter } from './health.routes';
import { checkJsonBody, refuseInvalidUtf8 } from './json-body';
import { openApiRouter } from './openapi';
import { noRouteHandler, problemErrorHandler } from './problem-details';
import { RouteTable } from './route-table';
import { requestLog } from './request-log';

/** A concept's HTTP routes (controllers), multi-bound under `TOKENS.HttpRoutes`. */
export interface HttpRoutes {
  /**
   * Mounted in this order relative to other modules; lower first. Default 100; health and the
   * OpenAPI document are at 0. Express tries routes in the order they were mounted, so every route
   * before a path's own costs each of its requests a match: Scayle's webhooks, most of the traffic,
   * are mounted first (issue 4: about 0.03 ms of the main thread per webhook).
   */
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
  /**
   * Authenticates (and authorises) requests with a body before it is parsed (see
   * authenticate-before-body.ts), given the route a request will be dispatched to (`routeOf`).
   */
  authenticateBeforeBody?: (routeOf: RouteTable['routeOf']) => RequestHandler;
}

declare module 'http' {
  interface IncomingMessage {
    /** The unparsed request body, kept for lossless parsing (e.g. Business Central numbers). */
    rawBody?: Buffer;
  }
}

/**
 * helmet's headers, set in one step: with fixed options every one of its twelve middlewares sets a
 * constant header (the CSP directives are parsed once into a string), so they are recorded once at
 * startup and replayed per request instead of running the chain each time.
 * @throws Error when the middleware does not complete synchronously with constant headers.
 */
export function constantHeaders(middleware: (req: Request, res: Response, next: (err?: unknown) => void) => void): RequestHandler {
  const set: [string, string][] = [];
  const removed: string[] = [];
  let done = false;
  const recorder = { setHeader: (name: string, value: string) => set.push([name, value]), removeHeader: (name: string) => removed.push(name) };
  middleware({} as Request, recorder as unknown as Response, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    done = true;
  });
  if (!done) throw new Error('The security-header middleware did not complete synchronously');
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

/** The media types read as JSON bodies. */
const JSON_TYPES = ['application/json', 'application/*+json'] as const;

/**
 * Builds the express application: security headers, correlation ids, request logs, JSON bodies
 * (a `Content-Length` over `bodyLimit`, a charset other than UTF-8 or an encoding not decompressed
 * refused before the body is read, see body-admission.ts; UTF-8 only, raw bytes kept on
 * `req.rawBody`; bodies too deep or holding text that is not well-formed Unicode refused, see
 * json-body.ts), the concept routes, then RFC 7807 problems for everything
 * that fails or matches no route (405 with `Allow` for a path served with other methods).
 */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Swagger UI at /docs runs inline scripts; everything else gets helmet's strict defaults.
  const strict = constantHeaders(helmet());
  const docs = constantHeaders(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'upgrade-insecure-requests': null } } }));
  app.use((req, res, next) => (req.path.startsWith('/docs') ? docs(req, res, next) : strict(req, res, next)));
  app.use(correlationId);
  if (options.observe) app.use(options.observe);
  app.use(requestLog(options.logger, { ignore: (url) => url === '/v1/health' || url === '/metrics' }));
  if (options.ingestLimiter) app.use('/v1/ingest', options.ingestLimiter);
  // The routes are registered first so that authentication before the body knows the route's roles.
  const router = Router();
  const builtIn: HttpRoutes = { order: 0, register: (r) => r.use(healthRouter(options.healthChecks, options.version), openApiRouter(options.version)) };
  for (const routes of [builtIn, ...options.routes].sort((a, b) => (a.order ?? 100) - (b.order ?? 100))) routes.register(router);
  const table = new RouteTable(router);
  if (options.authenticateBeforeBody) app.use(options.authenticateBeforeBody((method, path) => table.routeOf(method, path)));
  // Before any body is read: a declared length over the limit, a charset or an encoding not taken.
  app.use(refuseOversizedBody(byteCount(options.bodyLimit)));
  app.use(admitBodyHeaders(...JSON_TYPES));
  app.use(
    express.json({
      limit: options.bodyLimit,
      strict: false,
      type: [...JSON_TYPES],
      verify: (req, res, buf, encoding) => {
        refuseInvalidUtf8(req, res, buf, encoding);
        req.rawBody = buf;
      },
    }),
  );
  app.use(checkJsonBody());
  app.use(router);
  app.use(noRouteHandler((path) => table.methodsAt(path)));
  app.use(problemErrorHandler(options.logger));
  return app;
}
