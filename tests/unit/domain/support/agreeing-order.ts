/**
 * Generated orders that agree by construction: Scayle units priced as Scayle prices them (rounded
 * to nearest per unit), and the invoice an ERP with a given rounding profile books for them
 * (`expectedErpDocument`). Any currency of EUR/JPY/KWD, any rate of the cases, every mode and level,
 * several variants and fees.
 */
import * as fc from 'fast-check';
import { Money } from '../../../../src/domain/shared/money';
import { ROUNDING_MODES, type ErpRoundingProfile } from '../../../../src/domain/shared/rounding';
import { expectedErpDocument } from '../../../../src/domain/shared/tax';
import { erpFact, scayleFact, type Env, type FeeSpec, type ItemSpec, type LineSpec } from './builders';

export const RATES = ['0', '0.07', '0.19', '0.2', '0.23', '0.25'] as const;
export const CURRENCIES = ['EUR', 'JPY', 'KWD'] as const;

/** A Scayle unit as Scayle prices it: rounded to nearest per unit, from its net (or gross). */
export function unit(cur: string, baseMinor: number, rate: string, incl: boolean): { gross: number; net: number; tax: number } {
  const base = Money.fromMinorUnits(BigInt(baseMinor), cur);
  if (incl) {
    const net = base.divide(Money.of(rate, cur).amount.add(1)).quantise('half_up');
    return { gross: baseMinor, net: Number(net.toMinorUnits()), tax: baseMinor - Number(net.toMinorUnits()) };
  }
  const tax = Number(base.multiply(rate).quantise('half_up').toMinorUnits());
  return { gross: baseMinor + tax, net: baseMinor, tax };
}

export const arbProfile: fc.Arbitrary<ErpRoundingProfile> = fc.record({
  level: fc.constantFrom('per_line' as const, 'per_document' as const),
  mode: fc.constantFrom(...ROUNDING_MODES),
  pricesIncludeTax: fc.boolean(),
});

export const arbAgreeing = fc.record({
  cur: fc.constantFrom(...CURRENCIES),
  profile: arbProfile,
  variants: fc.array(fc.record({ price: fc.integer({ min: 1, max: 99_999 }), rate: fc.constantFrom(...RATES), qty: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 4 }),
  fees: fc.array(fc.record({ price: fc.integer({ min: 1, max: 2_000 }), rate: fc.constantFrom(...RATES), category: fc.constantFrom('delivery', 'payment') }), { maxLength: 2 }),
});

export type Agreeing = typeof arbAgreeing extends fc.Arbitrary<infer T> ? T : never;

/** Scayle's units (`V<k>-<q>`) and fees (`f<k>`) of a generated order. */
export function scayleParts(a: Agreeing): { items: ItemSpec[]; fees: FeeSpec[] } {
  const incl = a.profile.pricesIncludeTax;
  const items: ItemSpec[] = [];
  a.variants.forEach((v, k) => {
    for (let q = 0; q < v.qty; q++) items.push({ id: `${k}-${q}`, variant: `V${k}`, rate: v.rate, ...unit(a.cur, v.price, v.rate, incl) });
  });
  const fees: FeeSpec[] = a.fees.map((f, k) => ({ key: `f${k}`, category: f.category, rate: f.rate, ...unit(a.cur, f.price, f.rate, incl) }));
  return { items, fees };
}

/**
 * The lines an ERP with the order's profile books for `qty[k]` units of each variant (default: all)
 * and the fees selected by `withFee` (default: all), one line per variant with a unit left.
 */
export function erpLines(a: Agreeing, qty: readonly number[] = a.variants.map((v) => v.qty), withFee: (k: number) => boolean = () => true): LineSpec[] {
  const variants = a.variants.map((v, k) => ({ v, k })).filter(({ k }) => qty[k]! > 0);
  const fees = a.fees.map((f, k) => ({ f, k })).filter(({ k }) => withFee(k));
  const doc = expectedErpDocument(
    [
      ...variants.map(({ v, k }) => ({ key: `V${k}`, amount: Money.fromMinorUnits(BigInt(v.price * qty[k]!), a.cur), rate: v.rate })),
      ...fees.map(({ f, k }) => ({ key: `f${k}`, amount: Money.fromMinorUnits(BigInt(f.price), a.cur), rate: f.rate })),
    ],
    a.profile,
    a.cur,
  );
  return doc.lines.map((l, i) => {
    const isItem = i < variants.length;
    const fee = isItem ? undefined : fees[i - variants.length]!.f;
    return {
      kind: isItem ? 'item' : fee!.category === 'delivery' ? 'shipping' : 'fee',
      variant: l.key,
      qty: isItem ? String(qty[variants[i]!.k]) : '1',
      net: l.net.toString(),
      tax: l.tax.toString(),
      gross: l.gross.toString(),
      rate: l.rate,
    };
  });
}

/** Scayle order + the invoice an ERP with `profile` books for it. */
export function agreeingOrder(a: Agreeing): Env[] {
  const { items, fees } = scayleParts(a);
  return [scayleFact('s1', 'ScayleOrderConfirmed', { currency: a.cur, items, fees }), erpFact('e1', { currency: a.cur, pricesIncludeTax: a.profile.pricesIncludeTax, lines: erpLines(a) })];
}
