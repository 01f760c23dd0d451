import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request's logger: the service logger bound to `req` ({method, url}) and `correlationId`. */
    log?: Logger;
  }
}

export interface RequestLogOptions {
  /** Requests not logged (health checks, scrapes); they still get `req.log`. */
  ignore?(url: string): boolean;
}

/** A request's logger state: what `req.log` is built from on first use, and that logger once built. */
interface RequestLogState {
  logger: Logger;
  bindings: { req: { method: string; url: string }; correlationId: string | undefined };
  child?: Logger;
}

const LOG_STATE = Symbol('requestLog');
type LoggedRequest = IncomingMessage & { [LOG_STATE]?: RequestLogState };

/**
 * `req.log`, one accessor on the requests' prototype (express's `app.request`) reading the request's
 * own {@link RequestLogState}. Not an accessor defined on each request: V8 keeps an object that was
 * given its own accessor (and with it the request, its body and the handler's closures) through the
 * young-generation collections until a full one — ~20 KB per webhook promoted to the old generation,
 * measured in the ingest benchmark (issue 4).
 */
const LOG_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: LoggedRequest): Logger | undefined {
    const state = this[LOG_STATE];
    return state && (state.child ??= state.logger.child(state.bindings));
  },
  set(this: LoggedRequest, value: Logger) {
    const state = this[LOG_STATE];
    if (state) state.child = value;
    else Object.defineProperty(this, 'log', { configurable: true, enumerable: false, writable: true, value });
  },
};

/** Prototypes given {@link LOG_ACCESSOR}. */
const withLogAccessor = new WeakSet<object>();

/**
 * One log line per request at `info` when it ends — the line pino-http wrote here before, key for
 * key: `req` ({method, url} without the query), `correlationId`, `res` ({statusCode}), `err` for a
 * 5xx ("failed with status code N"), `responseTime` (ms), message `request completed` /
 * `request errored` / `request aborted` (client gone before the answer).
 *
 * Cheaper than pino-http, which built a child logger (bindings serialised through the redaction
 * paths) and wrapped serializers for every request even when nothing is logged: `req.log` is
 * created on first use only (see {@link LOG_ACCESSOR}), and the line is built only when `info` is enabled. The ingest profile
 * had pino + pino-http at ~0.07 ms per webhook with LOG_LEVEL=silent.
 */
export function requestLog(logger: Logger, options: RequestLogOptions = {}): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    const correlationId = res.locals.correlationId as string | undefined;
    const reqInfo = { method: req.method, url: req.url.split('?')[0]! };
    const proto = Object.getPrototypeOf(req) as object;
    if (!withLogAccessor.has(proto)) {
      Object.defineProperty(proto, 'log', LOG_ACCESSOR);
      withLogAccessor.add(proto);
    }
    (req as LoggedRequest)[LOG_STATE] = { logger, bindings: { req: reqInfo, correlationId } };
    if (!options.ignore?.(req.url)) {
      const done = (aborted: boolean) => {
        res.off('finish', onFinish);
        res.off('close', onClose);
        if (!logger.isLevelEnabled('info')) return;
        const base = { req: reqInfo, correlationId, res: { statusCode: res.statusCode } };
        const responseTime = Date.now() - started;
        if (aborted) logger.info({ ...base, err: new Error('Aborted'), responseTime }, 'request aborted');
        else if (res.statusCode >= 500) logger.info({ ...base, err: new Error(`failed with status code ${res.statusCode}`), responseTime }, 'request errored');
        else logger.info({ ...base, responseTime }, 'request completed');
      };
      const onFinish = () => done(false);
      const onClose = () => done(!res.writableFinished);
      res.once('finish', onFinish);
      res.once('close', onClose);
    }
    next();
  };
}
