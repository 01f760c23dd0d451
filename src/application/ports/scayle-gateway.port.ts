/**
 * The Scayle Admin API (DESIGN §8), as the application sees it. One port for both directions.
 * Adapter: `src/infrastructure/scayle/scayle-admin-api.client.ts` (Node `fetch`, `X-Access-Token`).
 *
 * - Read side (ingestion): orders of one shop country, cursor-paginated.
 * - Write side (the outbox dispatcher): Scayle has no "create refund" call, so a refund made by the
 *   ledger is recorded with `PATCH /shops/{shopKey}/countries/{countryCode}/orders/{orderId}/billing-status`
 *   `{code, reason, items: [{id, code}]}`, and the only item-level write is
 *   `PUT …/orders/{orderId}/items/{itemId}/legacy-custom-data`.
 */

/** Rate-limit state of the last answer (`X-RateLimit-Limit/-Remaining/-Reset`), where sent. */
export interface ScayleRateLimit {
  limit?: number;
  remaining?: number;
  /** Seconds until the window resets, as Scayle reports it. */
  resetSeconds?: number;
}

/** One page of `GET /shops/{shopKey}/countries/{countryCode}/orders`. */
export interface ScayleOrderPage {
  /** The `entities` exactly as parsed (Scayle Order objects; ids and amounts are JSON numbers). */
  orders: unknown[];
  /** `cursor.next`, or `null` on the last page. */
  nextCursor: string | null;
  rateLimit?: ScayleRateLimit;
}

export interface ListOrdersQuery {
  shopKey: string;
  countryCode: string;
  /** Page size (`limit`). */
  limit: number;
  /** `cursor` from the previous page's `cursor.next`; absent for the first page. */
  cursor?: string;
}

/** Where an order lives in the Admin API. */
export interface ScayleOrderRef {
  shopKey: string;
  countryCode: string;
  /** Scayle order id (`id`, as a string). */
  orderId: string;
}

/** Billing status codes the ledger writes (Scayle `detailedStatus.billing.code` values). */
export type ScayleBillingCode = 'billing_refunded' | 'billing_partially_refunded';

/** Body of `PATCH …/billing-status` (fixture `OrderBillingStatusUpdateOrderBillingStatusRequest.json`). */
export interface BillingStatusUpdate {
  code: ScayleBillingCode;
  /** Free text; the ledger names its refund id here so Scayle users can trace it. */
  reason: string;
  /** Scayle order item ids (`items[].id`) with their billing code. */
  items: { id: string; code: ScayleBillingCode }[];
}

/** Per-call options. */
export interface ScayleCallOptions {
  /** Write side: abort the call after this many milliseconds (the outcome is then unknown and retriable). */
  timeoutMs?: number;
  /**
   * Cancels the call (service shutdown): the request in flight and, on the read side, any back-off or
   * rate-limit wait end at once with a non-retriable {@link ScayleApiError} `aborted`.
   */
  signal?: AbortSignal;
}

/** What a successful write returned. */
export interface ScayleWriteResult {
  /** HTTP status Scayle answered with (200/201/204). */
  status: number;
  /** `X-RateLimit-Remaining`, when Scayle sent it. */
  rateLimitRemaining?: number;
}

/** Whether a failed call may succeed when repeated: no answer (0), 408, 429, 5xx. */
export const isRetriableStatus = (status: number): boolean => status === 0 || status === 408 || status === 429 || status >= 500;

/**
 * A failed Admin API call: an error answer (`{errors: [{errorKey, message, context}]}`), or no answer
 * at all (`status` 0: timeout or network error, `errorKey` `timeout` / `network_error`).
 * `retriable` says whether repeating it may succeed; `retryAfterMs` is what Scayle asked for
 * (`Retry-After`, or `X-RateLimit-Reset`) on a 429/503. The read side raises it after its own
 * retries are exhausted; the write side after one attempt (the outbox dispatcher retries).
 */
export class ScayleApiError extends Error {
  override readonly name = 'ScayleApiError';
  constructor(
    readonly status: number,
    readonly errorKey: string | undefined,
    message: string,
    readonly retriable: boolean = isRetriableStatus(status),
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface ScayleGateway {
  /**
   * Whether a base URL and token are configured. When false every call throws and the outbox keeps
   * its commands pending (never faked as sent).
   */
  readonly configured: boolean;

  /**
   * Lists one page of orders. The adapter honours `X-RateLimit-*` (waits for the reset when nothing
   * remains) and retries 429 with back-off (`Retry-After`, else exponential).
   * @param options.signal ends the request and any wait at once (`timeoutMs` is not used here: the
   *   adapter's configured timeout applies to each attempt).
   * @throws ScayleApiError on a non-retriable error answer; `aborted` (status 0, not retriable)
   *   when `options.signal` fired.
   */
  listOrders(query: ListOrdersQuery, options?: Pick<ScayleCallOptions, 'signal'>): Promise<ScayleOrderPage>;

  /**
   * `PATCH /shops/{shopKey}/countries/{countryCode}/orders/{orderId}/billing-status`, one attempt.
   * @throws ScayleApiError on any non-2xx answer, timeout or network error.
   */
  updateBillingStatus(order: ScayleOrderRef, update: BillingStatusUpdate, options?: ScayleCallOptions): Promise<ScayleWriteResult>;

  /**
   * `PUT /shops/{shopKey}/countries/{countryCode}/orders/{orderId}/items/{itemId}/legacy-custom-data`
   * with `data` as the body (creates or updates the item's legacy custom data), one attempt.
   * @throws ScayleApiError on any non-2xx answer, timeout or network error.
   */
  putItemLegacyCustomData(order: ScayleOrderRef, itemId: string, data: Record<string, unknown>, options?: ScayleCallOptions): Promise<ScayleWriteResult>;
}
