/**
 * The simulated order: a basket of unit items (one Scayle `items[]` entry per unit), fees,
 * an optional voucher, and its lifecycle (cancellations, shipping, invoicing, returns, refunds) with
 * source times. Scayle figures are integer minor units (bigint), computed as Scayle does for a
 * gross-priced shop: `withoutTax = round_half_up(withTax / (1 + rate))`, `vat = withTax − withoutTax`.
 */
import { Money } from '../../domain/shared/money';
import { netFromGross } from '../../domain/shared/tax';
import { PSPS, type PspProvider, type ShopCountry, type Variant } from './catalogue';
import type { Rng } from './random';

export interface SimReduction {
  category: 'voucher' | 'sale';
  type: 'relative' | 'absolute';
  /** What the reduction took off the unit's gross price, minor units. */
  absoluteWithTax: bigint;
  /** Fraction of the undiscounted price, as a decimal string. */
  relative: string;
}

export interface SimItem {
  itemId: number;
  key: string;
  variant: Variant;
  rate: string;
  gross: bigint;
  net: bigint;
  tax: bigint;
  undiscountedGross: bigint;
  undiscountedNet: bigint;
  reductions: SimReduction[];
  packageId: number;
  cancelled: boolean;
  /** Cancelled after the ERP had already invoiced (ERP corrects with a new invoice revision, case C3). */
  cancelledLate: boolean;
  returned: boolean;
}

/** A part of a fee booked at one VAT rate (a blended delivery fee has one part per item rate). */
export interface FeePart {
  rate: string;
  gross: bigint;
  net: bigint;
  tax: bigint;
}

export interface SimFee {
  key: string;
  category: 'delivery' | 'payment';
  option: string;
  gross: bigint;
  net: bigint;
  tax: bigint;
  /** The rate Scayle reports: an item rate, or the blended rate `tax / net` to 4 decimals. */
  rate: string;
  parts: FeePart[];
}

export interface SimVoucher {
  id: number;
  voucherId: number;
  code: string;
  type: 'relative' | 'absolute';
  /** Minor units (absolute) or percent (relative), as Scayle sends `value`. */
  value: bigint;
}

/** Lifecycle times, ms since epoch (UTC). */
export interface SimTimes {
  confirmed: number;
  delegated: number;
  cancelled?: number;
  shipped?: number;
  captured?: number;
  invoiced?: number;
  returned?: number;
  refunded?: number;
}

export interface SimOrder {
  orderId: number;
  shop: ShopCountry;
  channel: 'web' | 'app' | 'marketplace';
  items: SimItem[];
  fees: SimFee[];
  voucher?: SimVoucher;
  psp: PspProvider;
  transactionKey: string;
  basketKey: string;
  referenceKey: string;
  publicKey: string;
  customerId: number;
  times: SimTimes;
  /** Whole order cancelled before shipping. */
  fullyCancelled: boolean;
  /** Whether the refund for a full return also pays back the delivery fee. */
  refundShipping: boolean;
}

/** What a fault or the mix asks the basket to look like. */
export interface BasketShape {
  shop: ShopCountry;
  channel: SimOrder['channel'];
  units: number;
  /** Force one variant repeated `units` times with a price whose VAT rounding error is large. */
  roundingHeavy?: boolean;
  withVoucher: boolean;
  /** Force a delivery fee (the basket stays below the free-delivery threshold or pays express). */
  forceDeliveryFee: boolean;
  serviceFee: boolean;
}

export const ts = (ms: number): string => new Date(ms).toISOString().replace('.000Z', '+00:00');

function netOf(gross: bigint, rate: string, currency: string): bigint {
  return netFromGross(Money.fromMinorUnits(gross, currency), rate, 'half_up').toMinorUnits();
}

/** Blended rate `tax / net` as a 4-decimal fraction string. */
function blendedRate(tax: bigint, net: bigint): string {
  const scaled = (tax * 100_000n) / net; // 5 digits, then round half up to 4
  const four = (scaled + 5n) / 10n;
  return `0.${four.toString().padStart(4, '0')}`.replace(/0+$/, '').replace(/\.$/, '.0');
}

/**
 * A unit gross price near `target` (minor units) whose net extraction at `rate` rounds by at least
 * 0.4 minor units in one direction: repeated `units` times, per-unit rounding adds up (the
 * `ROUNDING_DIFFERENCE` above the materiality cap fault).
 */
export function roundingHeavyPrice(target: bigint, rate: string, currency: string): bigint {
  for (let g = target; g < target + 5000n; g++) {
    const exact = Money.fromMinorUnits(g, currency).divide(Money.of(rate, currency).amount.add(1));
    const minor = exact.amount.mul(100);
    const frac = minor.sub(minor.floor());
    // Scayle rounds half up: a fraction in [0.5, 0.6) rounds up by more than 0.4 minor units.
    if (frac.gte('0.5') && frac.lt('0.6')) return g;
  }
  return target;
}

/** Builds the basket (items, voucher, fees) of one order. */
export function buildBasket(rng: Rng, orderId: number, catalogue: readonly Variant[], shape: BasketShape): Pick<SimOrder, 'items' | 'fees' | 'voucher'> {
  const { shop } = shape;
  const cur = shop.currency;
  const items: SimItem[] = [];
  let itemId = orderId * 100;
  const heavy = shape.roundingHeavy ? rng.pick(catalogue.filter((v) => v.rateClass === 'standard')) : undefined;
  const heavyPrice = heavy ? roundingHeavyPrice(heavy.price[cur]! / 4n, shop.standardRate, cur) : 0n;
  let variant = rng.pick(catalogue);
  for (let u = 0; u < shape.units; u++) {
    if (heavy) variant = heavy;
    else if (u > 0 && !rng.chance(0.3)) variant = rng.pick(catalogue); // 30%: another unit of the same variant
    const rate = variant.rateClass === 'reduced' ? shop.reducedRate : shop.standardRate;
    const gross = heavy ? heavyPrice : variant.price[cur]!;
    itemId += 1;
    items.push({
      itemId,
      key: rng.hex(32),
      variant,
      rate,
      gross,
      net: netOf(gross, rate, cur),
      tax: 0n,
      undiscountedGross: gross,
      undiscountedNet: netOf(gross, rate, cur),
      reductions: [],
      packageId: orderId * 10 + 1,
      cancelled: false,
      cancelledLate: false,
      returned: false,
    });
  }
  let voucher: SimVoucher | undefined;
  if (shape.withVoucher) {
    const relative = rng.chance(0.5);
    const total = items.reduce((s, i) => s + i.gross, 0n);
    const value = relative ? BigInt(rng.pick([10, 15, 20])) : BigInt(rng.pick([500, 1000, 1500]));
    const off = relative ? (total * value) / 100n : value < total ? value : total / 2n;
    // Allocate the reduction over the units by price (largest remainder), exactly.
    const parts = Money.fromMinorUnits(off, cur).allocate(items.map((i) => i.gross.toString()));
    items.forEach((it, k) => {
      const cut = parts[k]!.toMinorUnits();
      if (cut === 0n) return;
      it.gross -= cut;
      it.net = netOf(it.gross, it.rate, cur);
      it.reductions.push({ category: 'voucher', type: relative ? 'relative' : 'absolute', absoluteWithTax: cut, relative: relative ? `0.${String(value).padStart(2, '0')}` : ratio(cut, it.undiscountedGross) });
    });
    voucher = { id: 190_000 + (orderId % 10_000), voucherId: 1443, code: relative ? `SAVE${value}` : `GIFT${value / 100n}`, type: relative ? 'relative' : 'absolute', value };
  }
  for (const it of items) it.tax = it.gross - it.net;

  const fees: SimFee[] = [];
  const basketGross = items.reduce((s, i) => s + i.gross, 0n);
  const express = rng.chance(0.1);
  const feeGross = express ? shop.expressFee : shape.forceDeliveryFee || basketGross < shop.freeDeliveryFrom ? shop.deliveryFee : 0n;
  if (feeGross > 0n) fees.push(buildFee(items, feeGross, 'delivery', express ? 'express' : 'deliveryCosts', express ? 'dhl_express' : 'least_packages', cur));
  if (shape.serviceFee) fees.push(buildFee(items, shop.serviceFee, 'payment', 'cashOnDelivery', 'cod', cur));
  return { items, fees, ...(voucher ? { voucher } : {}) };
}

function ratio(part: bigint, whole: bigint): string {
  const r = (part * 10_000n) / whole;
  return `0.${r.toString().padStart(4, '0')}`;
}

/**
 * A fee at the basket's rate; when the basket mixes rates, the fee is split over the rates in
 * proportion to the items' gross (how German VAT treats delivery as an ancillary service) and Scayle
 * reports the blended rate.
 */
function buildFee(items: readonly SimItem[], gross: bigint, category: SimFee['category'], option: string, key: string, cur: string): SimFee {
  const byRate = new Map<string, bigint>();
  for (const i of items) byRate.set(i.rate, (byRate.get(i.rate) ?? 0n) + i.gross);
  const rates = [...byRate.keys()].sort((a, b) => (Number(a) < Number(b) ? 1 : -1));
  const weights = rates.map((r) => byRate.get(r)!.toString());
  const split = weights.every((w) => w === '0') ? [Money.fromMinorUnits(gross, cur)] : Money.fromMinorUnits(gross, cur).allocate(weights);
  const parts: FeePart[] = rates.map((rate, k) => {
    const g = split[k]!.toMinorUnits();
    const n = netOf(g, rate, cur);
    return { rate, gross: g, net: n, tax: g - n };
  }).filter((p) => p.gross > 0n);
  const net = parts.reduce((s, p) => s + p.net, 0n);
  const tax = gross - net;
  const rate = parts.length === 1 ? parts[0]!.rate : blendedRate(tax, net);
  return { key, category, option, gross, net, tax, rate, parts };
}

/** Picks the PSP of an order. */
export function pickPsp(rng: Rng): PspProvider {
  return rng.weighted(PSPS.map((p, i) => [p, [6, 3, 2][i]!] as const));
}
