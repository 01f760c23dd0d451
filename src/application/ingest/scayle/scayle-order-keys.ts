/**
 * The three parts of an order's stream name (DESIGN §4 `order-<shopKey>-<countryCode>-<orderId>`),
 * checked where the Scayle mappers read them — webhooks and the Admin API sync alike.
 *
 * Each part must be a value Scayle itself would send, because the stream name is the order's
 * identity: a shop key `ms/de` or a country `Dé` would open a second stream for an order id that
 * already has one (REST paths name orders by id alone, DESIGN §7).
 * - **Order id**: Scayle order ids are positive integers (JSON integers; a string of digits is
 *   taken too). No sign, no leading zero (`0901` would be a second stream for order 901), at most
 *   20 digits.
 * - **Shop key**: Scayle's shop keys are short lower-case identifiers (`ms`, `msde`, `ay` in the
 *   Admin API samples): a lower-case letter or digit, then up to 63 lower-case letters, digits,
 *   `_` or `-`.
 * - **Country code**: ISO 3166-1 alpha-2, upper case (`DE`), as `shopCountry.countryCode` reads,
 *   and assigned: `XX`, the user-assigned `AA`, `QM`–`QZ`, `XA`–`XZ`, `ZZ` and the reserved `UK`,
 *   `EU`, `UN`… name no country (see {@link isCountryCode}). The one exception is `XK` (Kosovo).
 *
 * With the shop key in lower case and the country in upper case, no two orders can share a stream
 * name. A value outside these forms is a {@link MappingFailure} naming the field: the record is kept
 * as `IngestionFailed`, never guessed at (no case folding, no trimming).
 *
 * These checks guard the way in (webhooks, the Admin API sync, `SCAYLE_SYNC_SHOPS`); streams already
 * in the log are read whatever their name.
 */
import { isISO31661Alpha2 } from 'class-validator';
import { MappingFailure } from '../ingest-outcome';
import { describe } from './scayle-values';

export const SHOP_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;
/**
 * User-assigned codes accepted as countries: `XK`, Kosovo, which ISO 3166 has not assigned but the
 * European Commission, SWIFT and CLDR use, and so do shops that sell there.
 */
export const USER_ASSIGNED_COUNTRY_CODES: ReadonlySet<string> = new Set(['XK']);
export const ORDER_ID_PATTERN = /^[1-9][0-9]{0,19}$/;

/** The order id as Scayle writes it (`901`), or undefined when `value` is not a Scayle order id. */
export function scayleOrderId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  return typeof value === 'string' && ORDER_ID_PATTERN.test(value) ? value : undefined;
}

export const isShopKey = (value: unknown): value is string => typeof value === 'string' && SHOP_KEY_PATTERN.test(value);
/**
 * Whether `value` is a country code Scayle can send: two upper-case letters that ISO 3166-1 has
 * assigned to a country or territory (249 codes), or one of {@link USER_ASSIGNED_COUNTRY_CODES}.
 *
 * The list of assigned codes is validator.js's (through class-validator's `isISO31661Alpha2`), not
 * Node's `Intl` region data: `Intl.DisplayNames` also names `EU`, `EZ`, `UN`, `ZZ`, `QO`, `XA`, `XB`
 * and the exceptionally reserved `AC`, `CP`, `CQ`, `DG`, `EA`, `IC`, `TA`, and takes aliases such as
 * `UK` → GB, and which of those it names depends on the ICU build Node was compiled with.
 */
export const isCountryCode = (value: unknown): value is string =>
  typeof value === 'string' && COUNTRY_CODE_PATTERN.test(value) && (USER_ASSIGNED_COUNTRY_CODES.has(value) || isISO31661Alpha2(value));

/** @throws MappingFailure `missing_field` when absent, `invalid_order_id` when not a positive integer. */
export function requireOrderId(value: unknown, path: string): string {
  if (value === undefined || value === null) throw new MappingFailure('missing_field', 'is required (the Scayle order id)', path);
  const id = scayleOrderId(value);
  if (id === undefined) throw new MappingFailure('invalid_order_id', `must be a Scayle order id (a positive integer), got ${describe(value)}`, path);
  return id;
}

/** @throws MappingFailure `invalid_shop_key`. */
export function requireShopKey(value: unknown, path: string): string {
  if (isShopKey(value)) return value;
  throw new MappingFailure('invalid_shop_key', `must be a Scayle shop key (lower-case letters, digits, _ or -, at most 64), got ${describe(value)}`, path);
}

/** @throws MappingFailure `invalid_country_code` when `value` is not {@link isCountryCode}. */
export function requireCountryCode(value: unknown, path: string): string {
  if (isCountryCode(value)) return value;
  throw new MappingFailure('invalid_country_code', `must be an assigned ISO 3166-1 alpha-2 country code in upper case (DE; or XK), got ${describe(value)}`, path);
}
