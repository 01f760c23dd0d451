/**
 * Retry back-off shared by the dispatchers to external systems (the outbox to Scayle, the export to
 * the ERP): exponential `base·2^(n-1)` capped at `max`, with equal jitter (half fixed, half random),
 * never shorter than what the other side asked for (`Retry-After`, `X-RateLimit-Reset`).
 */

/** Delays of one retry policy, in milliseconds. */
export interface BackoffPolicy {
  /** First back-off delay; doubles per attempt. */
  retryBaseMs: number;
  /** Upper bound of one delay. */
  retryMaxMs: number;
}

/**
 * Delay before attempt `attempts + 1`, in ms.
 * @param random a source of [0, 1) (Math.random; a constant in tests).
 * @param retryAfterMs what the server asked for, if it did.
 */
export function backoffDelay(policy: BackoffPolicy, attempts: number, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** (attempts - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
