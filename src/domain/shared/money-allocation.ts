/**
 * Splitting an amount of integer minor units into parts that sum to it exactly (DESIGN §5: the
 * remainder distribution Business Central applies to document-level VAT). Works on bigint minor
 * units; `Money.allocate` / `Money.distribute` wrap it.
 */
import { Dec, dec, type DecimalString, ZERO } from './decimal';
import { invalid } from './errors';

/** Validated allocation weights. @throws DomainError `invalid`/`not_a_decimal`, `invalid`/`invalid_weights`. */
export function allocationWeights(weights: readonly (DecimalString | Dec)[]): Dec[] {
  const ws = weights.map((w, i) => dec(w as DecimalString | Dec, `weights[${i}]`));
  if (ws.length === 0 || ws.some((w) => w.isNegative())) throw invalid('invalid_weights', 'Weights must be a non-empty list of non-negative decimals', 'weights');
  if (ws.reduce((a, b) => a.add(b), ZERO).isZero()) throw invalid('invalid_weights', 'Weights must not all be zero', 'weights');
  return ws;
}

/**
 * Parts of `minor` proportional to `ws` ({@link allocationWeights}), summing exactly to `minor`.
 * Largest-remainder method on the magnitude: parts are first rounded toward zero, then the
 * remaining minor units go one each to the parts with the largest remainders, ties to the earlier
 * part; the sign of `minor` is applied to every part.
 */
export function allocateMinor(minor: bigint, ws: readonly Dec[]): bigint[] {
  const total = ws.reduce((a, b) => a.add(b), ZERO);
  const magnitude = minor < 0n ? -minor : minor;
  const absMinor = new Dec(magnitude.toString());
  const exact = ws.map((w) => absMinor.mul(w).div(total));
  const floors = exact.map((e) => BigInt(e.floor().toFixed(0)));
  let left = magnitude - floors.reduce((a, b) => a + b, 0n);
  const order = exact.map((e, i) => ({ i, rem: e.sub(e.floor()) })).sort((a, b) => b.rem.comparedTo(a.rem) || a.i - b.i);
  const parts = floors.slice();
  for (let k = 0; left > 0n; k = (k + 1) % order.length, left--) parts[order[k]!.i]! += 1n;
  return minor < 0n ? parts.map((p) => -p) : parts;
}

/** `n` equal weights, for an even split (earlier parts take the extra minor units). @throws DomainError `invalid`/`invalid_parts`. */
export function evenWeights(n: number): DecimalString[] {
  if (!Number.isInteger(n) || n < 1) throw invalid('invalid_parts', 'Parts must be a positive integer', 'n');
  return Array.from({ length: n }, () => '1');
}
