/**
 * Milliseconds to wait before retrying, from `Retry-After` (seconds or an HTTP date) or
 * `X-RateLimit-Reset` (seconds until the window resets, or a Unix epoch in seconds when it is that
 * large). Undefined when neither header says. Shared by the Scayle Admin API client and the ERP
 * adapters.
 */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    if (/^\d+$/.test(retryAfter.trim())) return Number(retryAfter.trim()) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('x-ratelimit-reset');
  if (reset !== null && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const value = Number(reset.trim());
    return value > 1_000_000_000 ? Math.max(0, value * 1000 - now) : value * 1000;
  }
  return undefined;
}
