/**
 * The normalised Scayle order every Scayle order fact carries (DESIGN §8).
 *
 * Mapping from the Scayle Order (Admin API / webhook payload), done by the ingestion layer:
 * - Money: Scayle sends integer minor units; the snapshot holds **decimal strings in major units of
 *   `currency`**, converted exactly (`Money.fromMinorUnits(1999n, 'EUR').toString()` → `"19.99"`).
 * - Rates: Scayle's fraction (`price.tax.vat.rate` 0.19) as a decimal string (`"0.19"`), written from
 *   the JSON token without going through a float where possible.
 * - Ids: numbers become strings (`id: 901` → `"901"`).
 * - One `items[]` entry is one unit.
 */
import type { DecimalString } from '../shared/decimal';

/** A reduction applied to an item or the order (`appliedReductions[]`). */
export interface ScayleReduction {
  /** `sale`, `campaign`, `voucher`, … as Scayle names it. */
  category: string;
  /** `absolute` or `relative` as Scayle names it. */
  type: string;
  /** `amount.absoluteWithTax` in major units: what the reduction took off the gross price. */
  gross: DecimalString;
  /** `amount.relative` as a decimal string, where given. */
  relative?: DecimalString;
}

/** One unit item (`items[]`). Prices are after item-level reductions, as Scayle reports them. */
export interface ScayleOrderItem {
  /** `items[].id`. */
  itemId: string;
  /** `items[].key` (vouchers reference items by it). */
  itemKey?: string;
  /** `items[].variant.referenceKey`: matches ERP lines by variant. */
  variantReferenceKey?: string;
  /** `items[].variant.id`. */
  variantId?: string;
  /** `items[].merchant.referenceKey`. */
  merchantReferenceKey?: string;
  packageId?: string;
  /** Scayle item status (`open`, `delivered`, `cancelled`, `returned`, …) verbatim. */
  status: string;
  /** `price.withTax`. */
  gross: DecimalString;
  /** `price.withoutTax`. */
  net: DecimalString;
  /** `price.tax.vat.amount`. */
  tax: DecimalString;
  /** `price.tax.vat.rate` as a fraction string. */
  taxRate: DecimalString;
  /** `price.undiscountedWithTax`, where given. */
  undiscountedGross?: DecimalString;
  /** `price.undiscountedWithOutTax`, where given. */
  undiscountedNet?: DecimalString;
  /** `price.appliedReductions[]`. */
  reductions: ScayleReduction[];
}

/** A fee (`cost.appliedFees[]`). `category` `delivery` is the shipping component. */
export interface ScayleFee {
  key: string;
  category: string;
  option?: string;
  gross: DecimalString;
  net: DecimalString;
  tax: DecimalString;
  taxRate: DecimalString;
}

/** A voucher (`vouchers[]`). */
export interface ScayleVoucher {
  code: string;
  voucherId?: string;
  /** `absolute` or `relative`. */
  type: string;
  /** `value` as Scayle sends it, verbatim as an integer string (minor units for absolute vouchers). */
  value: string;
  /** Keys of the items it applies to (`applicableItems[].key` where `isApplied`). */
  appliedItemKeys: string[];
}

/** Order totals (`cost`). */
export interface ScayleOrderCost {
  /** `cost.withTax`. */
  gross: DecimalString;
  /** `cost.withoutTax`. */
  net: DecimalString;
  /** `cost.tax.vat.amount`. */
  tax: DecimalString;
  /** `cost.costCapture`: the amount to capture. */
  capture: DecimalString;
}

/** A payment of the order (`payment[]`). */
export interface ScaylePayment {
  key: string;
  /** `transactionKey`: the PSP payment reference settlement lines match on. */
  transactionKey?: string;
  amount: DecimalString;
}

/** The normalised order. */
export interface ScayleOrderSnapshot {
  /** `id` as a string. */
  orderId: string;
  /** `shopCountry.shopKey` (or the shop key the webhook/poll ran for). */
  shopKey: string;
  /** `shopCountry.countryCode` (ISO alpha-2, as Scayle names the shop country). */
  countryCode: string;
  /** `currencyCode`: ISO 4217 of every amount in the snapshot. */
  currency: string;
  referenceKey?: string;
  publicKey?: string;
  /** `channel.type` (`marketplace`, `web`, …), where given. */
  channelType?: string;
  /** Order `status` verbatim (`payment_reserved`, `invoice_completed`, `cancellation_completed`, …). */
  status: string;
  /** `detailedStatus.{order,billing,shipping}.code`, where given. */
  detailedStatus?: { order?: string; billing?: string; shipping?: string };
  /** ISO-8601 instants as Scayle sends them. */
  confirmedAt?: string;
  invoicedAt?: string;
  updatedAt: string;
  items: ScayleOrderItem[];
  fees: ScayleFee[];
  /** Order-level `cost.appliedReductions[]` (already reflected in item prices by Scayle). */
  reductions: ScayleReduction[];
  vouchers: ScayleVoucher[];
  cost: ScayleOrderCost;
  payments: ScaylePayment[];
}
