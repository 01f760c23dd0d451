import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ConcurrencyConflictError, StreamNotFoundError } from '../../application/ports/event-store.port';

/** One invalid field of a request (RFC 7807 extension member `errors`). */
export interface FieldError {
  /** Path of the field in the request body or query, e.g. `refund_items[0].amount`. */
  field: string;
  message: string;
  /**
   * Machine-readable code of this field's fault (`too_many_decimals`), where the check has one. Sent
   * on an entry only when the problem's fields have different faults ({@link fieldErrorsProblem}).
   */
  code?: string;
}

/** RFC 7807 problem body as this API sends it (`application/problem+json`). */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  correlationId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Problem `type` URIs are relative references documented in openapi/openapi.yaml. */
export const problemType = (slug: string): string => `/problems/${slug}`;

/**
 * An HTTP-level failure raised by controllers and middleware (validation, auth, content type…).
 * Domain errors stay HTTP-free and are mapped by {@link problemFromError}.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> & { errors?: FieldError[] } = {},
  ) {
    super(detail ?? title);
  }

  static validation(errors: FieldError[], detail = 'The request has invalid fields.'): HttpProblem {
    return new HttpProblem(400, 'validation-error', 'Request validation failed', detail, { errors });
  }

  /** The 400 of several invalid fields, on one rule for every route: see {@link fieldErrorsProblem}. */
  static invalidFields(errors: FieldError[]): HttpProblem {
    const p = fieldErrorsProblem(errors);
    const { type: _type, title, status, detail, ...extensions } = p;
    return new HttpProblem(status, p.type.replace(/^\/problems\//, ''), title, detail, extensions as HttpProblem['extensions']);
  }
}

/**
 * The one shape of a 400 naming several fields, whichever route or layer found them (refunds,
 * line-item corrections, ERP documents, PSP settlements in JSON or CSV): when every field has the same
 * `code`, the problem is of that code — `type` `/problems/too-many-decimals`, `code`
 * `too_many_decimals`, `detail` the first field's message — and the entries carry `field` and
 * `message`; otherwise `type` `/problems/validation-error` without a top-level `code`, each entry
 * keeping its own `code` where it has one. `errors` must not be empty.
 */
export function fieldErrorsProblem(errors: readonly FieldError[]): ProblemBody {
  const code = errors[0]?.code;
  if (code !== undefined && errors.every((e) => e.code === code)) {
    return { type: problemType(code.toLowerCase().replace(/_/g, '-')), title: 'Invalid request', status: 400, detail: errors[0]!.message, code, errors: errors.map((e) => ({ field: e.field, message: e.message })) };
  }
  return { type: problemType('validation-error'), title: 'Request validation failed', status: 400, detail: 'The request has invalid fields.', errors: errors.map((e) => ({ ...e })) };
}

/** Domain errors are recognised by shape (`kind`), so this mapper needs no import from each concept. */
interface DomainErrorLike {
  kind: 'invalid' | 'not_found' | 'conflict' | 'business_rule';
  code?: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
  /** Every offending field, where an error names several (else `field`). */
  errors?: readonly FieldError[];
}

function isDomainError(err: unknown): err is DomainErrorLike {
  const kind = (err as { kind?: unknown } | null)?.kind;
  return err instanceof Error && (kind === 'invalid' || kind === 'not_found' || kind === 'conflict' || kind === 'business_rule');
}

const DOMAIN_STATUS = { invalid: 400, not_found: 404, conflict: 409, business_rule: 422 } as const;
const DOMAIN_TITLE = {
  invalid: 'Invalid request',
  not_found: 'Not found',
  conflict: 'Conflict',
  business_rule: 'Business rule violated',
} as const;

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Maps any thrown value to a problem body; unknown errors become a 500 without internals. */
export function problemFromError(err: unknown): { problem: ProblemBody; internal: boolean } {
  if (err instanceof HttpProblem) {
    return {
      problem: { type: problemType(err.slug), title: err.title, status: err.status, ...(err.detail ? { detail: err.detail } : {}), ...err.extensions },
      internal: false,
    };
  }
  if (isDomainError(err) && err.kind === 'invalid' && err.errors?.length && err.errors.every((e) => e.code !== undefined)) {
    return { problem: fieldErrorsProblem(err.errors), internal: false };
  }
  if (isDomainError(err)) {
    const status = DOMAIN_STATUS[err.kind];
    return {
      problem: {
        // Details first: a detail named like a member of the problem (`status`, `type`) must not replace it.
        ...(err.details ?? {}),
        type: problemType(err.code ? err.code.toLowerCase().replace(/_/g, '-') : err.kind.replace(/_/g, '-')),
        title: DOMAIN_TITLE[err.kind],
        status,
        detail: err.message,
        ...(err.code ? { code: err.code } : {}),
        ...(err.errors?.length ? { errors: err.errors.map((e) => ({ field: e.field, message: e.message })) } : err.field ? { errors: [{ field: err.field, message: err.message }] } : {}),
      },
      internal: false,
    };
  }
  if (err instanceof ConcurrencyConflictError) {
    return {
      problem: {
        type: problemType('concurrency-conflict'),
        title: 'Concurrent modification',
        status: 409,
        // Only after the command re-read and re-decided CONFLICT_RETRIES times (withConflictRetry).
        detail: 'The resource kept changing under concurrent requests while this one was decided; send it again (after Retry-After seconds).',
        code: 'concurrency_conflict',
      },
      internal: false,
    };
  }
  if (err instanceof StreamNotFoundError) {
    return { problem: { type: problemType('not-found'), title: 'Not found', status: 404, detail: 'No such resource.' }, internal: false };
  }
  const parserError = err as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return {
        problem: { type: problemType('malformed-json'), title: 'Malformed JSON', status: 400, detail: 'The request body is not valid JSON.', errors: [{ field: 'body', message: 'not valid JSON' }] },
        internal: false,
      };
    case 'entity.too.large': {
      // A body with no Content-Length (chunked) or one that decompresses past the limit: found while reading.
      const limit = (err as { limit?: unknown }).limit;
      if (typeof limit !== 'number') return { problem: { type: problemType('payload-too-large'), title: 'Payload too large', status: 413, detail: 'The request body exceeds the configured limit.' }, internal: false };
      return {
        problem: {
          type: problemType('payload-too-large'),
          title: 'Payload too large',
          status: 413,
          detail: `The request body exceeds the limit of ${limit} bytes (LEDGER_BODY_LIMIT) once read (sent without a Content-Length, or compressed); nothing of it was recorded.`,
          errors: [{ field: 'body', message: `must be at most ${limit} bytes (decompressed)` }],
        },
        internal: false,
      };
    }
    // body-admission.ts refuses both before body-parser looks; these are the same answers should one get through.
    case 'encoding.unsupported':
      return problemFromError(unsupportedEncodingProblem(String((err as { encoding?: unknown }).encoding)));
    case 'charset.unsupported':
      return problemFromError(unsupportedCharsetProblem(String((err as { charset?: unknown }).charset)));
    case 'request.aborted':
      return { problem: { type: problemType('request-aborted'), title: 'Request aborted', status: 400 }, internal: false };
    default:
      break;
  }
  if (err instanceof URIError && parserError.status === 400) {
    // The router could not decode a path parameter (`%E0%A4%A`): the client's path, not a failure of ours.
    return { problem: { type: problemType('bad-request'), title: 'Bad request', status: 400, detail: 'The path is not valid percent-encoding (UTF-8).' }, internal: false };
  }
  if (parserError && typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500 && parserError.expose) {
    return { problem: { type: problemType('bad-request'), title: 'Bad request', status: parserError.status }, internal: false };
  }
  return {
    problem: { type: problemType('internal-error'), title: 'Internal error', status: 500, detail: 'The request failed; quote the correlation id when reporting it.' },
    internal: true,
  };
}

/** Longest identifier a problem echoes from the request, in characters (code points). */
export const ECHO_LIMIT = 200;

/**
 * Caps what a problem echoes from the request: every run of more than {@link ECHO_LIMIT}
 * non-whitespace characters (an id from the path or body — no text of ours has such a run) becomes
 * its first {@link ECHO_LIMIT} characters and `…`. Counts code points, so no surrogate pair is split.
 */
export function capEchoes(text: string): string {
  return text.replace(/\S{201,}/gu, (run) => {
    const chars = Array.from(run);
    return chars.length > ECHO_LIMIT ? `${chars.slice(0, ECHO_LIMIT).join('')}…` : run;
  });
}

/** The problem with {@link capEchoes} applied to `detail`, `instance`, each `errors[]` entry and the string extensions. */
function withCappedEchoes(problem: ProblemBody): ProblemBody {
  const out: ProblemBody = { ...problem };
  for (const [key, value] of Object.entries(problem)) {
    if (key !== 'type' && key !== 'title' && typeof value === 'string') out[key] = capEchoes(value);
  }
  if (problem.errors) out.errors = problem.errors.map((e) => ({ field: capEchoes(e.field), message: capEchoes(e.message), ...(e.code !== undefined ? { code: e.code } : {}) }));
  return out;
}

/**
 * Sends a problem body with the right content type and the request's correlation id. Identifiers
 * echoed from the request (in `detail`, `errors`, `instance`, extensions) are capped ({@link capEchoes}).
 */
export function sendProblem(res: Response, problem: ProblemBody): void {
  const correlationId = res.locals.correlationId as string | undefined;
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(withCappedEchoes({ ...problem, ...(correlationId ? { correlationId } : {}), instance: res.req.originalUrl.split('?')[0] ?? '' })));
}

/**
 * The body encodings the service decompresses (besides `identity`). body-parser 2 inflates these and
 * also `zstd` where the Node.js runtime has it (22.15+); body-admission.ts refuses `zstd` on every
 * runtime, so the API takes the same bodies wherever it runs.
 */
export const BODY_ENCODINGS = ['gzip', 'deflate', 'br'] as const;

/** `gzip, deflate or br`. */
const ENCODING_LIST = BODY_ENCODINGS.join(', ').replace(/, (\w+)$/, ' or $1');

/**
 * The 415 of a `Content-Encoding` the service does not decompress, naming it (as sent, lower-cased)
 * and those it does ({@link BODY_ENCODINGS}, one coding, no list such as `gzip, br`).
 */
export function unsupportedEncodingProblem(coding: string): HttpProblem {
  return new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Content-Encoding ${coding} is not supported: send the body uncompressed (identity) or compressed as ${ENCODING_LIST} (one coding).`, {
    errors: [{ field: 'Content-Encoding', message: `must be identity, ${ENCODING_LIST}, not ${coding}` }],
  });
}

/**
 * The 415 of a body declared in a charset other than UTF-8 (`charset` lower-cased as sent). JSON
 * exchanged between systems MUST be UTF-8 (RFC 8259 §8.1); CSV bodies are taken as UTF-8 only too,
 * so every stored fact is the text that was sent, and raw bytes (Business Central routes) are UTF-8.
 */
export function unsupportedCharsetProblem(charset: string): HttpProblem {
  return new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `The request body must be UTF-8 (RFC 8259 §8.1 for JSON): send it UTF-8 encoded, with charset=utf-8 or no charset parameter; charset ${charset} is not taken.`, {
    errors: [{ field: 'Content-Type', message: `charset must be utf-8 (or absent), not ${charset}` }],
  });
}

/**
 * The problem for a body that its `Content-Encoding` names a supported compression of but that does
 * not decompress (body-parser passes zlib's error on as a bare 400), or undefined for any other error.
 */
export function undecodableBodyProblem(err: unknown, contentEncoding: string | undefined): HttpProblem | undefined {
  const e = err as { status?: unknown; type?: unknown; errno?: unknown; code?: unknown } | null;
  const encoding = contentEncoding?.trim().toLowerCase();
  if (!encoding || !(BODY_ENCODINGS as readonly string[]).includes(encoding) || e?.status !== 400 || e.type !== undefined || typeof e.errno !== 'number' || typeof e.code !== 'string') return undefined;
  return new HttpProblem(400, 'malformed-body', 'Malformed body', `The request body could not be decompressed as its Content-Encoding (${encoding}) says. Send it uncompressed (identity) or compressed as ${ENCODING_LIST}.`, {
    errors: [{ field: 'Content-Encoding', message: `does not match the body (not ${encoding} data)` }],
  });
}

/** The last middleware: every error becomes `application/problem+json`. */
export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const { problem, internal } = problemFromError(undecodableBodyProblem(err, req.headers['content-encoding']) ?? err);
    if (internal) logger.error({ err, correlationId: res.locals.correlationId }, 'request failed');
    if (err instanceof ConcurrencyConflictError && problem.status === 409) res.setHeader('Retry-After', '1');
    sendProblem(res, problem);
  };
}

/**
 * Answers requests no route took: 405 `method-not-allowed` with `Allow` (RFC 9110 §15.5.6) when the
 * path is served with other methods — `methodsAt` gives them, from the registered routes (see
 * route-table.ts) — else a 404 problem.
 */
export function noRouteHandler(methodsAt: (path: string) => string[]): RequestHandler {
  return (req, res) => {
    const allowed = methodsAt(req.path);
    if (allowed.length === 0) {
      sendProblem(res, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `No route for ${req.method} ${req.path}.` });
      return;
    }
    res.setHeader('Allow', allowed.join(', '));
    sendProblem(res, {
      type: problemType('method-not-allowed'),
      title: 'Method not allowed',
      status: 405,
      detail: `${req.method} is not a method of ${req.path}; it serves ${allowed.join(', ')}.`,
      allow: allowed,
    });
  };
}
