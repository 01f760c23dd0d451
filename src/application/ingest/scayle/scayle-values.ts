/**
 * Reading Scayle's JSON values exactly (DESIGN §5, §8).
 *
 * Scayle sends ids and amounts as JSON integers (minor units) and VAT rates as JSON fractions
 * (`0.19`). Webhook bodies are parsed by the service's `JSON.parse`, so these arrive as JS numbers:
 * - integers are taken only when `Number.isSafeInteger` (|n| < 2^53): such a token parses to exactly
 *   that integer, so the conversion is exact; anything else (a fraction, a larger number, an amount
 *   sent as a JSON string) is a mapping failure, never rounded or read as text;
 * - rates are written with their **shortest round-trip decimal representation** (`String(n)`, the
 *   ECMAScript Number::toString algorithm). Every decimal token with at most 15 significant digits
 *   (every VAT rate there is: 0.19, 0.077, 0.055) maps to the nearest double and back to exactly
 *   the same digits, so `0.19` becomes `"0.19"` — no float arithmetic touches it, and we avoid a
 *   second, lossless parse of every webhook on the hot path. (ERP bodies, whose amounts carry
 *   decimals, are parsed losslessly instead: see `business-central.mapper.ts`.)
 */
import { sourceInstantProblem } from '../../../domain/shared/period';
import { MappingFailure } from '../ingest-outcome';

/** A plain object, or undefined. */
export function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Required plain object at `path`. @throws MappingFailure `missing_field`. */
export function requireObj(value: unknown, path: string): Record<string, unknown> {
  const o = obj(value);
  if (!o) throw new MappingFailure('missing_field', 'must be an object', path);
  return o;
}

/** An id (JSON integer or non-empty string) as a string, or undefined when absent. @throws MappingFailure `invalid_id`. */
export function optionalId(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.length > 0 && !/\s/.test(value)) return value;
  throw new MappingFailure('invalid_id', `must be an integer or a string without spaces, got ${describe(value)}`, path);
}

/** Required id. @throws MappingFailure `missing_field` / `invalid_id`. */
export function requireId(value: unknown, path: string): string {
  const id = optionalId(value, path);
  if (id === undefined) throw new MappingFailure('missing_field', 'is required', path);
  return id;
}

/** Optional string (non-strings are a failure). */
export function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new MappingFailure('invalid_field', `must be a string, got ${describe(value)}`, path);
}

/** Required non-empty string. */
export function requireString(value: unknown, path: string): string {
  const s = optionalString(value, path);
  if (s === undefined || s.length === 0) throw new MappingFailure('missing_field', 'is required', path);
  return s;
}

/**
 * Integer minor units as an integer string (`1999` → `"1999"`).
 *
 * Scayle sends amounts as JSON integers (DESIGN §5); a JSON string is refused, digits or not:
 * nothing documents Scayle sending one, and reading `"1190"` as 11.90 EUR would hide a sender that
 * writes amounts as text (where `"11.90"`, meaning something else, is one step away). A `bigint` is taken:
 * `JSON.parse` never yields one, so it is an amount the mapper derived exactly from integers it
 * read (tax = gross − net of an external-price order).
 * @throws MappingFailure `missing_amount` when absent or null; `invalid_amount` for a string, a
 *   fraction, an integer beyond ±9007199254740991 (`Number.MAX_SAFE_INTEGER`) or any other value.
 */
export function minorUnits(value: unknown, path: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  if (value === undefined || value === null) throw new MappingFailure('missing_amount', 'is required (integer minor units)', path);
  // Past 2^53 JSON.parse has already rounded the token (9007199254740993 → 9007199254740992), so
  // the parsed value would name an amount the sender never wrote.
  if (typeof value === 'number' && Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    throw new MappingFailure('invalid_amount', `must be integer minor units no larger than ${Number.MAX_SAFE_INTEGER} in magnitude (a JSON number beyond that cannot be read exactly)`, path);
  }
  throw new MappingFailure('invalid_amount', `must be integer minor units (a JSON integer), got ${typeof value === 'string' ? 'the string ' : ''}${describe(value)}`, path);
}

/**
 * A JSON number (or decimal string) as a plain decimal string, without float arithmetic: the
 * shortest round-trip representation of the parsed double (see module docs); an exponent form
 * (`1e-7`) is expanded by moving the decimal point in the digit string.
 * @throws MappingFailure `invalid_rate`.
 */
export function decimalText(value: unknown, path: string): string {
  let text: string;
  if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'string') text = value;
  else throw new MappingFailure('invalid_rate', `must be a number, got ${describe(value)}`, path);
  const plain = expandExponent(text);
  if (plain === undefined) throw new MappingFailure('invalid_rate', `must be a decimal number, got ${describe(value)}`, path);
  return plain;
}

/** `"1.5e-3"` → `"0.0015"`, `"2E+2"` → `"200"`, plain decimals unchanged; undefined if not a number. */
export function expandExponent(text: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign, int, frac = '', exp] = m;
  if (exp === undefined) return text;
  const digits = `${int}${frac}`;
  const point = int!.length + Number(exp);
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = `${digits}${'0'.repeat(point - digits.length)}`;
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  out = out.replace(/^0+(?=\d)/, '');
  if (out.includes('.')) out = out.replace(/0+$/, '').replace(/\.$/, '');
  return `${sign}${out}`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/**
 * Optional source time (`confirmedAt`, `invoicedAt`, `updatedAt`…): an ISO-8601 instant with offset
 * whose accounting period has a year 0001–9999 (`sourceInstantProblem`, the check every ingest path
 * shares), or undefined when absent. The domain dates the sale and orders the snapshots by these.
 * @throws MappingFailure `invalid_timestamp`.
 */
export function optionalInstant(value: unknown, path: string): string | undefined {
  const text = optionalString(value, path);
  if (text === undefined) return undefined;
  const problem = sourceInstantProblem(text);
  if (problem) throw new MappingFailure('invalid_timestamp', `${problem}, got ${describe(text)}`, path);
  return text;
}
