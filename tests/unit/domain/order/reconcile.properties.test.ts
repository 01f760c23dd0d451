import { expect } from 'chai';
import * as fc from 'fast-check';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { Money } from '../../../../src/domain/shared/money';
import { ROUNDING_MODES, type ErpRoundingProfile } from '../../../../src/domain/shared/rounding';
import { expectedErpDocument } from '../../../../src/domain/shared/tax';
import { currency } from '../../../../src/domain/shared/currency';
import { erpFact, LATER, payment, policy, pspLine, scayleFact, state, type Env, type ItemSpec, type FeeSpec, type LineSpec } from '../support/builders';

const RATES = ['0', '0.07', '0.19', '0.2', '0.23', '0.25'] as const;
const CURRENCIES = ['EUR', 'JPY', 'KWD'] as const;

/** A Scayle unit as Scayle prices it: rounded to nearest per unit, from its net (or gross). */
function unit(cur: string, baseMinor: number, rate: string, incl: boolean): { gross: number; net: number; tax: number } {
  const base = Money.fromMinorUnits(BigInt(baseMinor), cur);
  if (incl) {
    const net = base.divide(Money.of(rate, cur).amount.add(1)).quantise('half_up');
    return { gross: baseMinor, net: Number(net.toMinorUnits()), tax: baseMinor - Number(net.toMinorUnits()) };
  }
  const tax = Number(base.multiply(rate).quantise('half_up').toMinorUnits());
  return { gross: baseMinor + tax, net: baseMinor, tax };
}

const arbProfile: fc.Arbitrary<ErpRoundingProfile> = fc.record({
  level: fc.constantFrom('per_line' as const, 'per_document' as const),
  mode: fc.constantFrom(...ROUNDING_MODES),
  pricesIncludeTax: fc.boolean(),
});

const arbAgreeing = fc.record({
  cur: fc.constantFrom(...CURRENCIES),
  profile: arbProfile,
  variants: fc.array(fc.record({ price: fc.integer({ min: 1, max: 99_999 }), rate: fc.constantFrom(...RATES), qty: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 4 }),
  fees: fc.array(fc.record({ price: fc.integer({ min: 1, max: 2_000 }), rate: fc.constantFrom(...RATES), category: fc.constantFrom('delivery', 'payment') }), { maxLength: 2 }),
});

/** Scayle order + the invoice an ERP with `profile` books for it. */
type Agreeing = typeof arbAgreeing extends fc.Arbitrary<infer T> ? T : never;

function agreeingOrder(a: Agreeing): Env[] {
  const incl = a.profile.pricesIncludeTax;
  const items: ItemSpec[] = [];
  a.variants.forEach((v, k) => {
    for (let q = 0; q < v.qty; q++) items.push({ id: `${k}-${q}`, variant: `V${k}`, rate: v.rate, ...unit(a.cur, v.price, v.rate, incl) });
  });
  const fees: FeeSpec[] = a.fees.map((f, k) => ({ key: `f${k}`, category: f.category, rate: f.rate, ...unit(a.cur, f.price, f.rate, incl) }));
  const lines = [
    ...a.variants.map((v, k) => ({ key: `V${k}`, amount: Money.fromMinorUnits(BigInt(v.price * v.qty), a.cur), rate: v.rate })),
    ...a.fees.map((f, k) => ({ key: `f${k}`, amount: Money.fromMinorUnits(BigInt(f.price), a.cur), rate: f.rate })),
  ];
  const doc = expectedErpDocument(lines, a.profile, a.cur);
  const erpLines: LineSpec[] = doc.lines.map((l, k) => ({
    kind: k < a.variants.length ? 'item' : a.fees[k - a.variants.length]!.category === 'delivery' ? 'shipping' : 'fee',
    variant: l.key,
    qty: k < a.variants.length ? String(a.variants[k]!.qty) : '1',
    net: l.net.toString(),
    tax: l.tax.toString(),
    gross: l.gross.toString(),
    rate: l.rate,
  }));
  return [scayleFact('s1', 'ScayleOrderConfirmed', { currency: a.cur, items, fees }), erpFact('e1', { currency: a.cur, pricesIncludeTax: incl, lines: erpLines })];
}

describe('reconciliation properties', () => {
  it('an order the ERP booked under its profile yields no finding other than ROUNDING_DIFFERENCE', () => {
    fc.assert(
      fc.property(arbAgreeing, (a) => {
        const r = reconcileOrder(state(...agreeingOrder(a)), policy(a.profile), LATER);
        expect(r.findings.filter((f) => f.code !== 'ROUNDING_DIFFERENCE'), JSON.stringify(r.findings)).to.deep.equal([]);
        expect(r.status).to.be.oneOf(['matched', 'matched_with_rounding', 'drift']);
        if (r.status === 'drift') expect(r.findings.every((f) => !f.autoAccepted && f.severity === 'warning')).to.equal(true);
        for (const f of r.findings) {
          for (const k of ['gross', 'net', 'tax'] as const) {
            const d = f.delta?.[k];
            if (d === undefined) continue;
            const exp = currency(a.cur).exponent;
            expect(exp === 0 ? !d.includes('.') : d.split('.')[1]!.length === exp).to.equal(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('changing one ERP line by a whole unit of the base is never called rounding', () => {
    fc.assert(
      fc.property(arbAgreeing, (a) => {
        const [s1, e1] = agreeingOrder(a);
        const doc = (e1!.data as { document: { lines: { net: string; gross: string }[] } }).document;
        const l0 = doc.lines[0]!;
        const one = Money.parse('1', a.cur);
        l0.net = Money.parse(l0.net, a.cur).add(one).toString();
        l0.gross = Money.parse(l0.gross, a.cur).add(one).toString();
        const r = reconcileOrder(state(s1!, e1!), policy(a.profile), LATER);
        expect(r.findings.map((f) => f.code)).to.include('AMOUNT_MISMATCH');
      }),
      { numRuns: 100 },
    );
  });

  it('findings are identical for any arrival order and any duplication of events', () => {
    const spec = {
      items: [
        { id: '1', variant: 'A', gross: 1194, net: 1003, tax: 191, rate: '0.19' },
        { id: '2', variant: 'A', gross: 1194, net: 1003, tax: 191, rate: '0.19' },
        { id: '3', variant: 'B', gross: 535, net: 500, tax: 35, rate: '0.07' },
      ],
      fees: [{ gross: 495, net: 416, tax: 79, rate: '0.19' }],
    };
    const cancelled = { ...spec, items: spec.items.map((i) => (i.id === '2' ? { ...i, status: 'cancelled' } : i)), updatedAt: '2024-06-11T09:00:00Z' };
    const returned = { ...cancelled, items: cancelled.items.map((i) => (i.id === '3' ? { ...i, status: 'returned' } : i)), updatedAt: '2024-06-12T09:00:00Z' };
    const events: Env[] = [
      scayleFact('s1', 'ScayleOrderConfirmed', spec, '2024-06-10T10:00:00Z'),
      scayleFact('s2', 'ScayleOrderItemCancelled', cancelled, '2024-06-11T09:00:00Z', ['2']),
      scayleFact('s3', 'ScayleOrderItemReturned', returned, '2024-06-12T09:00:00Z', ['3']),
      scayleFact('s4', 'ScayleOrderSynced', returned, '2024-06-12T09:00:00Z'),
      erpFact('e1', { lines: [{ net: '20.06', tax: '3.81', gross: '23.87', qty: '2', variant: 'A' }, { net: '5.00', tax: '0.35', gross: '5.35', variant: 'B' }, { kind: 'shipping', net: '4.16', tax: '0.79', gross: '4.95' }] }),
      erpFact('e2', { revision: 1, lines: [{ net: '10.03', tax: '1.91', gross: '11.94', variant: 'A' }, { net: '5.00', tax: '0.35', gross: '5.35', variant: 'B', taxCode: '' }, { kind: 'shipping', net: '4.16', tax: '0.79', gross: '4.95' }] }, '2024-06-11T12:00:00Z'),
      erpFact('e3', { type: 'credit_memo', number: 'CM-1', postingDate: '2024-07-01', lines: [{ net: '5.00', tax: '0.35', gross: '5.35', variant: 'B' }] }, '2024-06-12T12:00:00Z'),
      payment('p1', 'capture', '22.24'),
      payment('p2', 'refund', '5.35', { at: '2024-06-12T10:00:00Z' }),
      payment('p3', 'refund', '5.35', { at: '2024-06-12T10:00:00Z', status: 'failed' }),
      pspLine('l1', { lineId: 'L1', type: 'capture', gross: '22.24', fee: '0.70', net: '21.54' }),
      pspLine('l1b', { lineId: 'L1', type: 'capture', gross: '22.24', fee: '0.70', net: '21.54' }),
      pspLine('l2', { lineId: 'L2', type: 'refund', gross: '-5.35', fee: '0.00', net: '-5.35', bookedAt: '2024-06-13T00:00:00Z' }),
      { id: 'x1', type: 'ExceptionAcknowledged', data: { findingId: 'f' }, metadata: { occurredAt: '2024-06-13T00:00:00Z', recordedAt: '2024-06-13T00:00:00Z', schemaVersion: 1 } },
    ];
    const reference = reconcileOrder(state(...events), policy(), LATER);
    expect(reference.findings.map((f) => f.code)).to.deep.equal(['PERIOD_DRIFT', 'MISSING_TAX_CODE']);
    expect(reference.findings.map((f) => f.component)).to.deep.equal(['refunds', 'items']);
    expect(reference.totals.scayle.EUR!.items).to.deep.equal({ gross: '11.94', net: '10.03', tax: '1.91' });
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), fc.array(fc.nat(events.length - 1), { maxLength: 8 }), (perm, dupIdx) => {
        const stream = [...perm];
        for (const i of dupIdx) stream.splice((i * 7) % (stream.length + 1), 0, events[i]!);
        expect(reconcileOrder(state(...stream), policy(), LATER)).to.deep.equal(reference);
      }),
      { numRuns: 300 },
    );
  });
});
