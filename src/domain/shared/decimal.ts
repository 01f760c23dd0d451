/**
 * The one private decimal.js clone of the domain (DESIGN §5). Never `Decimal.set`, never the global
 * `Decimal`, never a JS number in: values are built from decimal strings or bigints only.
 *
 * Precision 50 significant digits is far beyond any money amount times any rate the ledger sees, so
 * intermediate results (rate multiplications, divisions by 1 + rate) are exact enough that only the
 * explicit quantisation step rounds. Exponential notation is switched off for the whole range we use,
 * so `toString()` / `toFixed()` never yield `1e-7`.
 */
import DecimalJs from 'decimal.js';
import { invalid } from './errors';

/** The clone. Exported for the domain only; other layers use {@link Money} and the helpers below. */
export const Dec = DecimalJs.clone({
  precision: 50,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -60,
  toExpPos: 60,
  minE: -9e15,
  maxE: 9e15,
  modulo: DecimalJs.ROUND_DOWN,
  crypto: false,
});

/** decimal.js rounding constant (used by rounding.ts only). */
export type DecRounding = DecimalJs.Rounding;

/** A decimal value of the clone. */
export type Dec = InstanceType<typeof Dec>;

/**
 * A plain decimal string: optional minus, digits, optional fraction (`"19.90"`, `"-0.5"`, `"1000"`).
 * No exponent, no plus sign, no grouping, no surrounding spaces.
 */
export type DecimalString = string;

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const INTEGER_RE = /^-?\d+$/;

/** Answers whether `s` is a {@link DecimalString}. */
export function isDecimalString(s: unknown): s is DecimalString {
  return typeof s === 'string' && DECIMAL_RE.test(s);
}

/**
 * Builds a decimal from a decimal string, a bigint or another decimal.
 * @throws DomainError `invalid`/`not_a_decimal` for anything else — including JS numbers, which are
 *   refused at runtime as well as by the type.
 */
export function dec(value: DecimalString | bigint | Dec, field?: string): Dec {
  if (value instanceof Dec) return value;
  if (typeof value === 'bigint') return new Dec(value.toString());
  if (typeof value === 'string' && DECIMAL_RE.test(value)) return new Dec(value);
  throw invalid('not_a_decimal', `Expected a decimal string, got ${describe(value)}`, field);
}

/** Builds a decimal from an integer string or bigint. @throws DomainError `invalid`/`not_an_integer`. */
export function decInteger(value: string | bigint, field?: string): Dec {
  if (typeof value === 'bigint') return new Dec(value.toString());
  if (typeof value === 'string' && INTEGER_RE.test(value)) return new Dec(value);
  throw invalid('not_an_integer', `Expected an integer string or bigint, got ${describe(value)}`, field);
}

/**
 * The one spelling of a decimal string's value, exactly (construction never rounds): `"0.190"` →
 * `"0.19"`, `"01"` → `"1"`, `"1.0"` → `"1"`, `"-0.00"` → `"0"`. For telling a value written
 * otherwise from another value (rates, quantities, FX rates of a re-sent record).
 * @throws DomainError `invalid`/`not_a_decimal` when `value` is no {@link DecimalString}.
 */
export function normaliseDecimal(value: DecimalString, field?: string): DecimalString {
  const d = dec(value, field);
  return d.isZero() ? '0' : d.toFixed();
}

/** Number of digits after the decimal point that are needed to write `d` exactly. */
export function scaleOf(d: Dec): number {
  return d.decimalPlaces();
}

/** Zero of the clone. */
export const ZERO: Dec = new Dec('0');
/** One of the clone. */
export const ONE: Dec = new Dec('1');

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
