/**
 * ISO 4217 currencies with their exponent (minor-unit digits), from the `currency-codes` package
 * (no hand-kept table): EUR 2, JPY 0, KWD 3, CLF 4.
 */
import * as currencyCodes from 'currency-codes';
import { Dec } from './decimal';
import { invalid } from './errors';

/** An ISO 4217 currency and its exponent. */
export interface Currency {
  /** Alphabetic code, upper case (`EUR`). */
  readonly code: string;
  /** Digits after the decimal point of the minor unit (EUR 2, JPY 0, KWD 3). */
  readonly exponent: number;
}

const cache = new Map<string, Currency>();

/**
 * Looks up a currency by its ISO 4217 alphabetic code (exact, upper case).
 * @throws DomainError `invalid`/`unknown_currency` for codes ISO 4217 does not list.
 */
export function currency(code: string, field = 'currency'): Currency {
  const hit = cache.get(code);
  if (hit) return hit;
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) {
    throw invalid('unknown_currency', `Not an ISO 4217 currency code: ${String(code)}`, field);
  }
  const record = currencyCodes.code(code);
  if (!record) throw invalid('unknown_currency', `Not an ISO 4217 currency code: ${code}`, field);
  const result: Currency = Object.freeze({ code: record.code, exponent: record.digits });
  cache.set(code, result);
  return result;
}

const minorUnits = new Map<string, { unit: Dec; scale: Dec }>();

/** One minor unit (`0.01` for EUR, `1` for JPY) and the scale factor 10^exponent, as decimals. */
export function minorUnit(c: Currency): { unit: Dec; scale: Dec } {
  let hit = minorUnits.get(c.code);
  if (!hit) {
    const scale = new Dec(10).pow(c.exponent);
    hit = { unit: new Dec(1).div(scale), scale };
    minorUnits.set(c.code, hit);
  }
  return hit;
}

/** Answers whether `code` is a known ISO 4217 code. Never throws. */
export function isCurrencyCode(code: unknown): code is string {
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) return false;
  return currencyCodes.code(code) !== undefined;
}

/** A currency or its code: every money API accepts either. */
export type CurrencyLike = Currency | string;

/** Resolves a {@link CurrencyLike}. @throws DomainError `invalid`/`unknown_currency`. */
export function toCurrency(c: CurrencyLike, field?: string): Currency {
  return typeof c === 'string' ? currency(c, field) : c;
}
