/**
 * Money as text (DESIGN §5): decimal strings in major units ↔ integer minor units on a currency's
 * scale, boundary parsing (magnitude guard, scale check or quantisation with a warning, the written
 * scale a client may use), and the shapes money takes in events and JSON. No arithmetic here: `money.ts` builds `Money` values on
 * top of these helpers.
 */
import { type Currency, minorUnit } from './currency';
import { dec, type DecimalString } from './decimal';
import { invalid } from './errors';
import { roundTo, type RoundingMode } from './rounding';

/** Money as it travels in events, documents and JSON: a decimal string in major units + ISO code. */
export interface MoneyDto {
  amount: DecimalString;
  currency: string;
}

/**
 * The note `Money.parse` returns when it had to quantise a value that carried more decimals
 * than the currency allows. Callers record it as a `DATA_QUALITY_WARNING` (sub-cent amount).
 */
export interface QuantisationWarning {
  code: 'SUB_MINOR_UNIT_AMOUNT';
  /** The value as received. */
  original: DecimalString;
  /** The value kept, on the currency's scale. */
  quantised: DecimalString;
  currency: string;
  mode: RoundingMode;
}

/**
 * Largest magnitude `Money.parse` takes, in major units (10^15: a thousand trillion). No
 * order, document or payout comes near it; a bigger figure is a corrupt or hostile input, and taking
 * it would let one record poison every total it lands in.
 */
export const MAX_AMOUNT_MAGNITUDE = '1000000000000000';

/** More than 15 integer digits (after leading zeros), or an exponent form reaching that far. */
export function beyondMaxMagnitude(value: string): boolean {
  const m = /^[+-]?0*(\d*)(?:\.\d*)?(?:[eE]([+-]?\d+))?$/.exec(value.trim());
  if (!m) return false; // not a decimal: dec() reports it
  const intDigits = m[1]!.length + (m[2] ? Number(m[2]) : 0);
  return intDigits > 15;
}

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Digits of an integer part after its leading zeros. */
function significantDigits(digits: string): number {
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 48) i++;
  return digits.length - i;
}

/** Minor units of a plain decimal string when it fits the currency's scale (trailing zeros allowed), else null. */
export function onScaleMinor(value: string, c: Currency): bigint | null {
  const m = PLAIN.exec(value);
  return m ? plainOnScale(m, c) : null;
}

/** {@link onScaleMinor} of a {@link PLAIN} match. */
function plainOnScale(m: RegExpExecArray, c: Currency): bigint | null {
  let frac = m[3] ?? '';
  if (frac.length > c.exponent) {
    if (!/^0*$/.test(frac.slice(c.exponent))) return null;
    frac = frac.slice(0, c.exponent);
  }
  const minor = BigInt(m[2]! + frac.padEnd(c.exponent, '0'));
  return m[1] === '-' ? -minor : minor;
}

/** Decimal string in major units with exactly `exponent` fraction digits (`1990n, 2` → `"19.90"`). */
export function formatMinor(minor: bigint, exponent: number): string {
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString();
  if (exponent === 0) return (neg ? '-' : '') + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/**
 * Minor units of a decimal string in major units, as `Money.parse` takes it at a boundary: on the
 * currency's scale (trailing zeros allowed); with `quantise`, anything else is rounded with that
 * mode and a {@link QuantisationWarning} comes back; without, it is rejected.
 * @throws DomainError `invalid`/`amount_out_of_range`, `invalid`/`not_a_decimal`, `invalid`/`too_many_decimals`.
 */
export function parseMajorText(value: string, c: Currency, field: string | undefined, quantise: RoundingMode | undefined): { minor: bigint; warning?: QuantisationWarning } {
  // The usual case, a plain decimal within range and on scale, with one match (the magnitude is its
  // integer digits after leading zeros, as beyondMaxMagnitude counts them); anything else below.
  const plain = typeof value === 'string' ? PLAIN.exec(value) : null;
  if (plain && significantDigits(plain[2]!) <= 15) {
    const minor = plainOnScale(plain, c);
    if (minor !== null) return { minor };
  }
  if (typeof value === 'string' && beyondMaxMagnitude(value)) {
    throw invalid('amount_out_of_range', `${value.length > 40 ? `${value.slice(0, 40)}…` : value} is beyond ±10^15 major units`, field, { currency: c.code });
  }
  const minor = typeof value === 'string' ? onScaleMinor(value, c) : null;
  if (minor !== null) return { minor };
  const d = dec(value, field); // throws not_a_decimal
  if (quantise !== undefined) {
    const rounded = BigInt(roundTo(d, c.exponent, quantise).mul(minorUnit(c).scale).toFixed(0));
    return { minor: rounded, warning: { code: 'SUB_MINOR_UNIT_AMOUNT', original: value, quantised: formatMinor(rounded, c.exponent), currency: c.code, mode: quantise } };
  }
  throw invalid('too_many_decimals', `${value} has more decimals than ${c.code} allows (${c.exponent})`, field, {
    value,
    currency: c.code,
  });
}

/**
 * Refuses an amount a client wrote with more fractional digits than the currency's exponent (ISO
 * 4217: EUR 2, JPY 0, KWD 3) when the extra digits are zeros (`"11.680"` EUR, `"5.000"` CHF,
 * `"1390.0"` JPY): the value is on scale, the text is not, and the API contract (the OpenAPI amount
 * patterns per currency) allows no more digits than the exponent. Extra non-zero digits are
 * {@link parseMajorText}'s `too_many_decimals`; call this after it. Boundaries only: facts already in
 * the log may hold such text and are read without this check.
 * @param minor the value in minor units, as {@link parseMajorText} returned it (names the on-scale spelling).
 * @throws DomainError `invalid`/`too_many_decimals`, naming `field` and the spelling to use instead.
 */
export function assertWrittenOnScale(value: string, c: Currency, minor: bigint, field: string | undefined): void {
  const m = PLAIN.exec(value);
  const written = m?.[3]?.length ?? 0;
  if (written <= c.exponent) return;
  throw invalid('too_many_decimals', `${value} has more decimals than ${c.code} allows (${c.exponent}): write it as ${formatMinor(minor, c.exponent)}`, field, {
    value,
    currency: c.code,
  });
}
