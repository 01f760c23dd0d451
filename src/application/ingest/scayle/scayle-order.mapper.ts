/**
 * Maps a Scayle Order (Admin API entity or webhook payload) onto the normalised
 * {@link ScayleOrderSnapshot} (DESIGN §8): integer minor units → decimal strings in major units via
 * `Money.fromMinorUnits` (exact), VAT fractions → fraction strings (see scayle-values.ts), numeric
 * ids → strings. Throws {@link MappingFailure} for anything the snapshot cannot hold (an order
 * without items, a missing currency, an item in another currency than the order, a fractional
 * amount…).
 */
import type {
  ScayleFee,
  ScayleOrderItem,
  ScayleOrderSnapshot,
  ScayleReduction,
  ScayleVoucher,
  ScaylePayment,
} from '../../../domain/order/scayle-order.snapshot';
import { isCurrencyCode } from '../../../domain/shared/currency';
import { DomainError } from '../../../domain/shared/errors';
import { Money } from '../../../domain/shared/money';
import { normaliseRate } from '../../../domain/shared/tax';
import { MappingFailure } from '../ingest-outcome';
import { decimalText, minorUnits, obj, optionalId, optionalInstant, optionalString, requireId, requireObj, requireString } from './scayle-values';
import { requireCountryCode, requireOrderId, requireShopKey } from './scayle-order-keys';

/** What the caller knows when the order itself does not say (poll target, webhook `meta`). */
export interface OrderMappingFallback {
  shopKey?: string;
  countryCode?: string;
  /** Where the caller read `shopKey` / `countryCode` (`meta.shopKey`), for a failure naming the field. */
  shopKeyPath?: string;
  countryCodePath?: string;
  /** Used for `updatedAt` when the order carries no `updatedAt` (webhook `occurredAt`). */
  updatedAt?: string;
}

/** Answers whether a payload looks like a Scayle Order (an `id` and an `items` array or `cost`). */
export function looksLikeOrder(value: unknown): boolean {
  const o = obj(value);
  return !!o && o.id !== undefined && (Array.isArray(o.items) || obj(o.cost) !== undefined);
}

/** Order id, shop key and country code of an order payload, where readable (never throws). */
export function orderKeys(raw: unknown, fallback: OrderMappingFallback = {}): { orderId?: string; shopKey?: string; countryCode?: string } {
  const o = obj(raw);
  if (!o) return {};
  const shopCountry = obj(o.shopCountry);
  const pick = (v: unknown) => (typeof v === 'string' && v.length > 0 && !/\s/.test(v) ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined);
  return {
    orderId: pick(o.id),
    shopKey: pick(shopCountry?.shopKey) ?? fallback.shopKey,
    countryCode: pick(shopCountry?.countryCode) ?? fallback.countryCode,
  };
}

/**
 * Shop key and country code of an order: its `shopCountry`, else what the caller knows (`fallback`),
 * each checked as scayle-order-keys.ts says. A value the order gives is never replaced by the
 * fallback, and a wrong one is never repaired.
 * @param what `order` or `payment`, for the failure message.
 * @throws MappingFailure `order_without_shop`, `invalid_shop_key`, `invalid_country_code`.
 */
export function orderShop(order: Record<string, unknown>, fallback: OrderMappingFallback, path: string, what = 'order'): { shopKey: string; countryCode: string } {
  const shopCountry = obj(order.shopCountry);
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  const pick = (field: 'shopKey' | 'countryCode', check: (v: unknown, p: string) => string): string | undefined => {
    if (given(shopCountry?.[field])) return check(shopCountry![field], `${path}.shopCountry.${field}`);
    const fromCaller = fallback[field];
    return fromCaller === undefined ? undefined : check(fromCaller, (field === 'shopKey' ? fallback.shopKeyPath : fallback.countryCodePath) ?? field);
  };
  const shopKey = pick('shopKey', requireShopKey);
  if (shopKey === undefined) throw new MappingFailure('order_without_shop', `the ${what} names no shop (shopCountry.shopKey) and the delivery gives none`, `${path}.shopCountry.shopKey`);
  const countryCode = pick('countryCode', requireCountryCode);
  if (countryCode === undefined) throw new MappingFailure('order_without_shop', `the ${what} names no shop country (shopCountry.countryCode)`, `${path}.shopCountry.countryCode`);
  return { shopKey, countryCode };
}

/**
 * @param derived receives the paths of values derived rather than read (external-price orders).
 * @throws MappingFailure
 */
export function mapScayleOrder(raw: unknown, fallback: OrderMappingFallback = {}, path = 'payload', derived?: string[]): ScayleOrderSnapshot {
  const order = requireObj(raw, path);
  const orderId = requireOrderId(order.id, `${path}.id`);
  const keys = orderShop(order, fallback, path);
  const currency = requireString(order.currencyCode, `${path}.currencyCode`);
  if (!isCurrencyCode(currency)) throw new MappingFailure('unknown_currency', `not an ISO 4217 code: ${currency}`, `${path}.currencyCode`);
  if (!Array.isArray(order.items) || order.items.length === 0) {
    throw new MappingFailure('order_without_items', 'the order has no items', `${path}.items`);
  }
  const money = (v: unknown, p: string) => convert(() => Money.fromMinorUnits(minorUnits(v, p), currency).toString(), p);
  const rate = (v: unknown, p: string) => convert(() => normaliseRate(decimalText(v, p)), p, 'invalid_tax_rate');
  const reductions = (list: unknown, p: string): ScayleReduction[] =>
    (Array.isArray(list) ? list : []).map((r, i) => {
      const rp = `${p}[${i}]`;
      const red = requireObj(r, rp);
      const amount = requireObj(red.amount, `${rp}.amount`);
      return {
        category: optionalString(red.category, `${rp}.category`) ?? '',
        type: optionalString(red.type, `${rp}.type`) ?? '',
        gross: money(amount.absoluteWithTax, `${rp}.amount.absoluteWithTax`),
        ...(amount.relative !== undefined && amount.relative !== null ? { relative: convert(() => decimalText(amount.relative, `${rp}.amount.relative`), `${rp}.amount.relative`) } : {}),
      };
    });

  // Orders with external prices (`cost.hasExternalPrices`) may carry no `price.tax.vat` on items and
  // no `amount.withoutTax` on fees. What follows exactly from the integers is derived (tax = gross −
  // net, net = gross − tax); a missing rate is derived as tax / net to four decimals. Every derived
  // value is named in `derived` (the caller puts it in the fact's metadata).
  const derive = (field: string) => derived?.push(field);
  const items: ScayleOrderItem[] = order.items.map((it, i) => {
    const ip = `${path}.items[${i}]`;
    const item = requireObj(it, ip);
    requireItemInOrderCurrency(item.currency, currency, `${ip}.currency`);
    const price = requireObj(item.price, `${ip}.price`);
    let vat = obj(obj(price.tax)?.vat);
    if (!vat) {
      const tax = BigInt(minorUnits(price.withTax, `${ip}.price.withTax`)) - BigInt(minorUnits(price.withoutTax, `${ip}.price.withoutTax`));
      vat = { amount: tax, rate: derivedRate(tax, BigInt(minorUnits(price.withoutTax, `${ip}.price.withoutTax`))) };
      derive(`${ip}.price.tax.vat`);
    }
    const variant = obj(item.variant);
    // Not carried into the snapshot, but a source time all the same: judged whenever present
    // (README "Times and dates"), so a malformed one is never silently accepted.
    optionalInstant(item.createdAt, `${ip}.createdAt`);
    return {
      itemId: requireId(item.id, `${ip}.id`),
      ...opt('itemKey', optionalString(item.key, `${ip}.key`)),
      ...opt('variantReferenceKey', optionalString(variant?.referenceKey, `${ip}.variant.referenceKey`)),
      ...opt('variantId', optionalId(variant?.id, `${ip}.variant.id`)),
      ...opt('merchantReferenceKey', optionalString(obj(item.merchant)?.referenceKey, `${ip}.merchant.referenceKey`)),
      ...opt('packageId', optionalId(item.packageId, `${ip}.packageId`)),
      status: optionalString(item.status, `${ip}.status`) ?? 'unknown',
      gross: money(price.withTax, `${ip}.price.withTax`),
      net: money(price.withoutTax, `${ip}.price.withoutTax`),
      tax: money(vat.amount, `${ip}.price.tax.vat.amount`),
      taxRate: rate(vat.rate, `${ip}.price.tax.vat.rate`),
      ...opt('undiscountedGross', price.undiscountedWithTax === undefined ? undefined : money(price.undiscountedWithTax, `${ip}.price.undiscountedWithTax`)),
      ...opt('undiscountedNet', price.undiscountedWithOutTax === undefined ? undefined : money(price.undiscountedWithOutTax, `${ip}.price.undiscountedWithOutTax`)),
      reductions: reductions(price.appliedReductions, `${ip}.price.appliedReductions`),
    };
  });

  const cost = requireObj(order.cost, `${path}.cost`);
  const fees: ScayleFee[] = (Array.isArray(cost.appliedFees) ? cost.appliedFees : []).map((f, i) => {
    const fp = `${path}.cost.appliedFees[${i}]`;
    const fee = requireObj(f, fp);
    const amount = { ...requireObj(fee.amount, `${fp}.amount`) };
    const vat = requireObj(obj(fee.tax)?.vat, `${fp}.tax.vat`);
    if (amount.withoutTax === undefined) {
      amount.withoutTax = BigInt(minorUnits(amount.withTax, `${fp}.amount.withTax`)) - BigInt(minorUnits(vat.amount, `${fp}.tax.vat.amount`));
      derive(`${fp}.amount.withoutTax`);
    }
    return {
      key: optionalString(fee.key, `${fp}.key`) ?? '',
      category: optionalString(fee.category, `${fp}.category`) ?? '',
      ...opt('option', optionalString(fee.option, `${fp}.option`)),
      gross: money(amount.withTax, `${fp}.amount.withTax`),
      net: money(amount.withoutTax, `${fp}.amount.withoutTax`),
      tax: money(vat.amount, `${fp}.tax.vat.amount`),
      taxRate: rate(vat.rate, `${fp}.tax.vat.rate`),
    };
  });
  const vouchers: ScayleVoucher[] = (Array.isArray(order.vouchers) ? order.vouchers : []).map((v, i) => {
    const vp = `${path}.vouchers[${i}]`;
    const voucher = requireObj(v, vp);
    return {
      code: optionalString(voucher.code, `${vp}.code`) ?? '',
      ...opt('voucherId', optionalId(voucher.voucherId ?? voucher.id, `${vp}.voucherId`)),
      type: optionalString(voucher.type, `${vp}.type`) ?? '',
      value: minorUnits(voucher.value, `${vp}.value`),
      appliedItemKeys: (Array.isArray(voucher.applicableItems) ? voucher.applicableItems : [])
        .map((a) => obj(a))
        .filter((a): a is Record<string, unknown> => !!a && a.isApplied === true && typeof a.key === 'string')
        .map((a) => a.key as string),
    };
  });
  const payments: ScaylePayment[] = (Array.isArray(order.payment) ? order.payment : []).map((p, i) => {
    const pp = `${path}.payment[${i}]`;
    const payment = requireObj(p, pp);
    return {
      key: optionalString(payment.key, `${pp}.key`) ?? '',
      ...opt('transactionKey', optionalString(payment.transactionKey, `${pp}.transactionKey`)),
      amount: money(payment.amount, `${pp}.amount`),
    };
  });
  const detailed = obj(order.detailedStatus);
  const code = (k: string) => optionalString(obj(detailed?.[k])?.code, `${path}.detailedStatus.${k}.code`);
  const detailedStatus = detailed ? { ...opt('order', code('order')), ...opt('billing', code('billing')), ...opt('shipping', code('shipping')) } : undefined;
  const confirmedAt = optionalInstant(order.confirmedAt, `${path}.confirmedAt`);
  const invoicedAt = optionalInstant(order.invoicedAt, `${path}.invoicedAt`);
  // Judged whenever present, not only when it is the last fallback for updatedAt.
  const createdAt = optionalInstant(order.createdAt, `${path}.createdAt`);
  const updatedAt = optionalInstant(order.updatedAt, `${path}.updatedAt`) ?? fallback.updatedAt ?? invoicedAt ?? confirmedAt ?? createdAt;
  if (!updatedAt) throw new MappingFailure('order_without_timestamp', 'the order carries no updatedAt, invoicedAt, confirmedAt or createdAt', `${path}.updatedAt`);
  return {
    orderId,
    shopKey: keys.shopKey,
    countryCode: keys.countryCode,
    currency,
    ...opt('referenceKey', optionalString(order.referenceKey, `${path}.referenceKey`)),
    ...opt('publicKey', optionalString(order.publicKey, `${path}.publicKey`)),
    ...opt('channelType', optionalString(obj(order.channel)?.type, `${path}.channel.type`)),
    status: optionalString(order.status, `${path}.status`) ?? 'unknown',
    ...(detailedStatus ? { detailedStatus } : {}),
    ...opt('confirmedAt', confirmedAt),
    ...opt('invoicedAt', invoicedAt),
    updatedAt,
    items,
    fees,
    reductions: reductions(cost.appliedReductions, `${path}.cost.appliedReductions`),
    vouchers,
    cost: {
      gross: money(cost.withTax, `${path}.cost.withTax`),
      net: money(cost.withoutTax, `${path}.cost.withoutTax`),
      tax: money(obj(obj(cost.tax)?.vat)?.amount, `${path}.cost.tax.vat.amount`),
      capture: money(cost.costCapture ?? cost.withTax, `${path}.cost.costCapture`),
    },
    payments,
  };
}

/**
 * Checks an item's own `currency` (the Admin API Order repeats it on each item, next to the order's
 * `currencyCode`) against the order's: the snapshot holds one currency per order and reads every
 * item amount in it, so an item priced in another currency cannot be taken. Absent or null: the
 * item is in the order's currency.
 * @param orderCurrency the order's `currencyCode`, already checked against ISO 4217.
 * @throws MappingFailure `invalid_field` (not a string), `unknown_currency` (a code ISO 4217 does not
 *   list), `currency_mismatch` (another ISO 4217 currency than the order's).
 */
function requireItemInOrderCurrency(value: unknown, orderCurrency: string, path: string): void {
  const itemCurrency = optionalString(value, path);
  if (itemCurrency === undefined || itemCurrency === orderCurrency) return;
  if (!isCurrencyCode(itemCurrency)) throw new MappingFailure('unknown_currency', `not an ISO 4217 code: ${itemCurrency}`, path);
  throw new MappingFailure('currency_mismatch', `the item is in ${itemCurrency}, the order (currencyCode) in ${orderCurrency}`, path);
}

/** tax / net as a fraction with four decimals, half-up, from integer minor units (no float). */
function derivedRate(tax: bigint, net: bigint): string {
  if (net <= 0n || tax <= 0n) return '0';
  const scaled = (tax * 20000n + net) / (2n * net); // round(tax / net × 10^4), half-up
  const digits = scaled.toString().padStart(5, '0');
  return `${digits.slice(0, -4)}.${digits.slice(-4)}`.replace(/0+$/, '').replace(/\.$/, '');
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Runs a domain conversion, turning its `invalid` errors into a mapping failure at `path`. */
function convert<T>(fn: () => T, path: string, reason = 'invalid_amount'): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DomainError) throw new MappingFailure(reason, err.message, path);
    throw err;
  }
}
