/**
 * `{ ...base, ...extra }` — a new plain object with `base`'s own enumerable members, then `extra`'s
 * (later ones win) — built as `Object.assign({}, base, extra)`.
 *
 * Why not the literal: on Node 20 (V8 11.3) an object literal that **begins** with a spread and then
 * adds members (`{ ...base, key: value }`, `{ ...base, ...extra }`) is cloned from `base`'s shape and
 * then grown, and the grown object keeps everything it references alive through the young-generation
 * collections until a full one: every value it holds is promoted to the old generation. Measured: a
 * 16-member base, 300,000 objects of which the last 200 are kept, promoted 112 MB with the literal
 * and 0 with this; on the webhook hot path the order data built so promoted ~4 KB per request and
 * took the request's own objects with it (issue 4). A literal that begins with a member
 * (`{ key, ...base }`) or holds a single spread (`{ ...base }`) is not affected.
 *
 * Only for the ledger's own objects: `Object.assign` *sets* members, so a `__proto__` member of
 * `base` or `extra` (JSON.parse makes one from text that names it) would set the prototype instead of
 * being copied; parsed input keeps the literal.
 */
export function extended<B extends object, E extends object>(base: B, extra: E): Omit<B, keyof E> & E {
  return Object.assign({}, base, extra) as Omit<B, keyof E> & E;
}
