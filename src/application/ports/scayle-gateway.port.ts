/**
 * The Scayle Admin API (DESIGN §8), as the application sees it. Adapter:
 * `src/infrastructure/scayle/scayle-admin-api.client.ts` (Node `fetch`, `X-Access-Token`).
 *
 * Read side (ingestion): orders of one shop country, cursor-paginated. The write side (billing
 * status, legacy custom data) is added by the outbox dispatcher to this same port.
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

/**
 * Raised for an error answer (`{errors: [{errorKey, message, context}]}`) after the adapter's own
 * retries (429 back-off) are exhausted.
 */
export class ScayleApiError extends Error {
  override readonly name = 'ScayleApiError';
  constructor(
    readonly status: number,
    readonly errorKey: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface ScayleGateway {
  /**
   * Lists one page of orders. The adapter honours `X-RateLimit-*` (waits for the reset when nothing
   * remains) and retries 429 with back-off (`Retry-After`, else exponential).
   * @throws ScayleApiError on a non-retriable error answer.
   */
  listOrders(query: ListOrdersQuery): Promise<ScayleOrderPage>;
}
