import {
  BillingStatusUpdate,
  ListOrdersQuery,
  ScayleApiError,
  ScayleCallOptions,
  ScayleOrderPage,
  ScayleGateway,
  ScayleOrderRef,
  ScayleWriteResult,
} from '../../application/ports/scayle-gateway.port';
import { setTimeout as delay } from 'node:timers/promises';
import { retryAfterMs } from '../http-client/retry-after';

/** Settings of the Admin API client. */
export interface ScayleAdminClientOptions {
  /** `https://{tenant}-{space}.admin.api.scayle.cloud/api/admin/v1` (no trailing slash needed). */
  baseUrl: string;
  /** Sent as `X-Access-Token`; never logged. */
  token: string;
  /** Default per-call timeout in ms. */
  timeoutMs: number;
  /** Wall clock in ms (for `X-RateLimit-Reset` given as an epoch); injectable for tests. */
  now?: () => number;
  /** Read side (ingestion): attempts per page on 429/5xx/no answer before giving up; default 5. */
  readMaxAttempts?: number;
  /** Read side: first back-off when Scayle names no wait, doubling per attempt; default 1000 ms. */
  readBackoffMs?: number;
  /** Read side: longest single wait; default 60 s. */
  readMaxWaitMs?: number;
  /**
   * Waits (back-off, rate-limit resets); injectable for tests. Default `setTimeout` of
   * `node:timers/promises`, which rejects at once when `signal` fires.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Scayle ids are integers in JSON; keep them integers when they are (`"10976510"` → 10976510). */
const scayleId = (id: string): number | string => (/^\d{1,15}$/.test(id) ? Number(id) : id);

export { retryAfterMs } from '../http-client/retry-after';

/** First `{errorKey, message}` of Scayle's `{errors: [...]}` body, if the body has that shape. */
function scayleError(text: string): { errorKey?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { errors?: { errorKey?: unknown; message?: unknown }[] };
    const first = body.errors?.[0];
    return {
      ...(typeof first?.errorKey === 'string' ? { errorKey: first.errorKey } : {}),
      ...(typeof first?.message === 'string' ? { message: first.message } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * HTTP adapter of {@link ScayleGateway} (DESIGN §8): JSON over `fetch`, `X-Access-Token`, a
 * timeout per request.
 * - Writes (refunds, cancellations, billing status): one attempt per call. Retries and back-off
 *   belong to the caller (the outbox dispatcher), which gets a {@link ScayleApiError} saying whether
 *   and when to retry.
 * - Reads (`listOrders`, the sync): up to `readMaxAttempts` per page on 429, 5xx or no answer,
 *   waiting out `X-RateLimit-Reset` / `Retry-After` or doubling `readBackoffMs`; an `AbortSignal`
 *   ends the request and any wait at once.
 */
export class ScayleAdminClient implements ScayleGateway {
  readonly configured = true;
  private readonly base: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Read side: no list call before this time (a rate-limit window with nothing remaining). */
  private readNotBefore = 0;

  constructor(private readonly options: ScayleAdminClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {}));
  }

  /**
   * Read side (ingestion, issue 4): `GET /shops/{shopKey}/countries/{countryCode}/orders?limit=&cursor=`.
   * Honours `X-RateLimit-*`: when an answer says nothing remains, the next call waits for the reset.
   * Retries 429, 5xx and no-answer with the wait Scayle names (`Retry-After`, `X-RateLimit-Reset`),
   * else exponential back-off, up to `readMaxAttempts`.
   * @param options.signal (service shutdown) aborts the request in flight and any wait at once.
   * @throws ScayleApiError when Scayle refuses (4xx) or keeps failing; `aborted` (status 0, not
   *   retriable) when `options.signal` fired — no page is returned, so nothing of it is appended.
   */
  async listOrders(query: ListOrdersQuery, options: Pick<ScayleCallOptions, 'signal'> = {}): Promise<ScayleOrderPage> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.cursor) params.set('cursor', query.cursor);
    const path = `/shops/${encodeURIComponent(query.shopKey)}/countries/${encodeURIComponent(query.countryCode)}/orders?${params}`;
    const maxAttempts = this.options.readMaxAttempts ?? 5;
    const maxWait = this.options.readMaxWaitMs ?? 60_000;
    const { signal } = options;
    const aborted = (): ScayleApiError => new ScayleApiError(0, 'aborted', `GET ${path}: aborted (the sync was stopped)`, false);
    const pause = async (ms: number): Promise<void> => {
      await this.sleep(ms, signal).catch((err: unknown) => {
        if (!signal?.aborted) throw err;
      });
      if (signal?.aborted) throw aborted();
    };
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw aborted();
      const wait = this.readNotBefore - this.now();
      if (wait > 0) await pause(Math.min(wait, maxWait));
      let failure: ScayleApiError;
      try {
        const timeout = AbortSignal.timeout(this.options.timeoutMs);
        const res = await fetch(`${this.base}${path}`, {
          headers: { 'X-Access-Token': this.options.token, Accept: 'application/json' },
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        });
        const text = await res.text().catch(() => '');
        if (signal?.aborted) throw aborted(); // the body was cut off: not a page
        const limit = res.headers.get('x-ratelimit-limit');
        const remaining = res.headers.get('x-ratelimit-remaining');
        const reset = retryAfterMs(new Headers(res.headers.get('x-ratelimit-reset') ? { 'x-ratelimit-reset': res.headers.get('x-ratelimit-reset')! } : {}), this.now());
        const rateLimit = {
          ...(limit !== null && /^\d+$/.test(limit) ? { limit: Number(limit) } : {}),
          ...(remaining !== null && /^\d+$/.test(remaining) ? { remaining: Number(remaining) } : {}),
          ...(reset !== undefined ? { resetSeconds: reset / 1000 } : {}),
        };
        if (rateLimit.remaining === 0) this.readNotBefore = this.now() + (reset ?? 1000);
        if (res.ok) {
          let body: { entities?: unknown; cursor?: { next?: unknown } };
          try {
            body = JSON.parse(text) as typeof body;
          } catch {
            throw new ScayleApiError(res.status, 'invalid_body', `GET ${path}: the answer is not JSON`, false);
          }
          if (!Array.isArray(body.entities)) throw new ScayleApiError(res.status, 'invalid_body', `GET ${path}: the answer has no entities array`, false);
          const next = body.cursor?.next;
          return {
            orders: body.entities,
            nextCursor: typeof next === 'string' && next.length > 0 ? next : typeof next === 'number' ? String(next) : null,
            rateLimit,
          };
        }
        const { errorKey, message } = scayleError(text);
        failure = new ScayleApiError(res.status, errorKey ?? `http_${res.status}`, `GET ${path}: HTTP ${res.status}${message ? ` ${message}` : ''}`, undefined, retryAfterMs(res.headers, this.now()));
      } catch (err) {
        if (signal?.aborted) throw aborted();
        if (err instanceof ScayleApiError) throw err;
        failure = new ScayleApiError(0, 'network_error', `GET ${path}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!failure.retriable || attempt >= maxAttempts) throw failure;
      await pause(Math.min(failure.retryAfterMs ?? (this.options.readBackoffMs ?? 1000) * 2 ** (attempt - 1), maxWait));
    }
  }

  updateBillingStatus(order: ScayleOrderRef, update: BillingStatusUpdate, options?: ScayleCallOptions): Promise<ScayleWriteResult> {
    const body = { code: update.code, reason: update.reason, items: update.items.map((i) => ({ id: scayleId(i.id), code: i.code })) };
    return this.send('PATCH', `${this.orderPath(order)}/billing-status`, body, options);
  }

  putItemLegacyCustomData(order: ScayleOrderRef, itemId: string, data: Record<string, unknown>, options?: ScayleCallOptions): Promise<ScayleWriteResult> {
    return this.send('PUT', `${this.orderPath(order)}/items/${encodeURIComponent(itemId)}/legacy-custom-data`, data, options);
  }

  private orderPath(o: ScayleOrderRef): string {
    return `/shops/${encodeURIComponent(o.shopKey)}/countries/${encodeURIComponent(o.countryCode)}/orders/${encodeURIComponent(o.orderId)}`;
  }

  private async send(method: string, path: string, body: unknown, options: ScayleCallOptions = {}): Promise<ScayleWriteResult> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { 'X-Access-Token': this.options.token, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
    } catch (err) {
      const timedOut = timeout.aborted;
      const reason = timedOut ? `timed out after ${options.timeoutMs ?? this.options.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
      throw new ScayleApiError(0, timedOut ? 'timeout' : 'network_error', `${method} ${path}: ${reason}`);
    }
    const text = await res.text().catch(() => '');
    const remaining = res.headers.get('x-ratelimit-remaining');
    if (res.ok) return { status: res.status, ...(remaining !== null && /^\d+$/.test(remaining) ? { rateLimitRemaining: Number(remaining) } : {}) };
    const { errorKey, message } = scayleError(text);
    throw new ScayleApiError(
      res.status,
      errorKey ?? `http_${res.status}`,
      `${method} ${path}: HTTP ${res.status}${message ? ` ${message}` : ''}`,
      undefined,
      retryAfterMs(res.headers, this.now()),
    );
  }
}

/** The gateway when no base URL is configured: every write is refused, so commands stay pending. */
export class UnconfiguredScayleGateway implements ScayleGateway {
  readonly configured = false;

  listOrders(): Promise<ScayleOrderPage> {
    return Promise.reject(notConfigured());
  }

  updateBillingStatus(): Promise<ScayleWriteResult> {
    return Promise.reject(notConfigured());
  }

  putItemLegacyCustomData(): Promise<ScayleWriteResult> {
    return Promise.reject(notConfigured());
  }
}

const notConfigured = (): ScayleApiError =>
  new ScayleApiError(0, 'not_configured', 'The Scayle Admin API is not configured (SCAYLE_ADMIN_API_BASE_URL unset)', false);
