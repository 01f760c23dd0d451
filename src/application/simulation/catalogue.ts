/**
 * The simulated store: shop countries, the product catalogue, fees, PSP providers and the ERP
 * tax-code mapping. Built from the seed, so every run with the same seed sells the same products.
 */
import type { TaxCodeMappingEntry } from './simulation.types';
import { Rng } from './random';

/** A Scayle shop country and what differs per country. */
export interface ShopCountry {
  shopKey: string;
  countryCode: string;
  /** ISO alpha-3, as Scayle writes order addresses. */
  addressCountry: string;
  shopCountryId: number;
  currency: string;
  languageCode: string;
  /** Standard and reduced VAT rate, fractions as decimal strings. */
  standardRate: string;
  reducedRate: string;
  /** Delivery fee in minor units and the basket value (minor units, gross) from which delivery is free. */
  deliveryFee: bigint;
  expressFee: bigint;
  freeDeliveryFrom: bigint;
  /** Cash-on-delivery style service fee (component `fees`), minor units. */
  serviceFee: bigint;
}

export const SHOPS: readonly ShopCountry[] = [
  { shopKey: 'msde', countryCode: 'DE', addressCountry: 'DEU', shopCountryId: 5502, currency: 'EUR', languageCode: 'de_DE', standardRate: '0.19', reducedRate: '0.07', deliveryFee: 495n, expressFee: 995n, freeDeliveryFrom: 7500n, serviceFee: 200n },
  { shopKey: 'msch', countryCode: 'CH', addressCountry: 'CHE', shopCountryId: 5507, currency: 'CHF', languageCode: 'de_CH', standardRate: '0.077', reducedRate: '0.025', deliveryFee: 790n, expressFee: 1290n, freeDeliveryFrom: 9900n, serviceFee: 300n },
];

/** Local (company) currency of the ERP: documents in other currencies carry an exchange rate to it. */
export const COMPANY_CURRENCY = 'EUR';

/** A sellable variant. */
export interface Variant {
  variantId: number;
  productId: number;
  referenceKey: string;
  name: string;
  /** `reduced` rate (books, food) or `standard`. */
  rateClass: 'standard' | 'reduced';
  /** Gross unit price in minor units per currency. */
  price: Readonly<Record<string, bigint>>;
  merchant: string;
}

const NAMES = ['Shirt', 'Jeans', 'Sneaker', 'Jacket', 'Dress', 'Hoodie', 'Scarf', 'Cap', 'Belt', 'Socks', 'Sweater', 'Coat'];
const REDUCED = ['Cookbook', 'Travel guide', 'Coffee beans', 'Tea selection'];
const COLORS = ['black', 'white', 'navy', 'red', 'olive', 'grey'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];

/** Deterministic catalogue of `count` variants for `seed`. */
export function buildCatalogue(seed: number, count = 400): Variant[] {
  const rng = Rng.forIndex(seed, -1);
  const out: Variant[] = [];
  for (let i = 0; i < count; i++) {
    const reduced = rng.chance(0.15);
    const productId = 4_560_000 + Math.floor(i / 3);
    const name = reduced ? rng.pick(REDUCED) : rng.pick(NAMES);
    // Price points as shops set them: x.95 / x.99 / x.00, 4.95 … 249.99.
    const euros = BigInt(reduced ? rng.int(4, 39) : rng.int(9, 249));
    const cents = BigInt(rng.pick([95, 99, 0, 90]));
    const eur = euros * 100n + cents;
    const chf = ((eur * 110n) / 100n / 100n) * 100n + 90n;
    out.push({
      variantId: 1_234_000 + i,
      productId,
      referenceKey: `M${String(10_000 + Math.floor(i / 3)).padStart(5, '0')}-${rng.pick(COLORS)}-${reduced ? 'ONE' : rng.pick(SIZES)}-${i}`,
      name,
      rateClass: reduced ? 'reduced' : 'standard',
      price: { EUR: eur, CHF: chf },
      merchant: rng.chance(0.8) ? 'm1' : 'm2',
    });
  }
  return out;
}

/** PSP providers with their fee schedule: `percent` of gross (fraction string) + `fixed` minor units per capture. */
export interface PspProvider {
  provider: string;
  paymentKey: string;
  percent: string;
  fixed: bigint;
}

export const PSPS: readonly PspProvider[] = [
  { provider: 'adyen', paymentKey: 'adyen_creditcard', percent: '0.014', fixed: 25n },
  { provider: 'paypal', paymentKey: 'paypal', percent: '0.0249', fixed: 35n },
  { provider: 'klarna', paymentKey: 'klarna_invoice', percent: '0.0299', fixed: 0n },
];

/** ERP tax code for a country, rate and channel (marketplace orders book on their own codes). */
export function taxCodeFor(countryCode: string, rate: string, channelType: string | undefined): string {
  const base = `${countryCode}-VAT${rate.replace(/^0\./, '').padEnd(2, '0')}`;
  return channelType === 'marketplace' ? `${base}-MP` : base;
}

/** The mapping the ERP uses, as the ledger's `PUT /v1/mappings/tax-codes` takes it. */
export function taxCodeMapping(): TaxCodeMappingEntry[] {
  const out: TaxCodeMappingEntry[] = [];
  for (const s of SHOPS) {
    for (const rate of [s.standardRate, s.reducedRate]) {
      out.push({ countryCode: s.countryCode, rate, taxCode: taxCodeFor(s.countryCode, rate, undefined) });
      out.push({ countryCode: s.countryCode, rate, taxCode: taxCodeFor(s.countryCode, rate, 'marketplace'), channelType: 'marketplace' });
    }
  }
  return out;
}
