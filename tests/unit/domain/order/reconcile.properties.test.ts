import { expect } from 'chai';
import * as fc from 'fast-check';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { Money } from '../../../../src/domain/shared/money';
import { currency } from '../../../../src/domain/shared/currency';
import { agreeingOrder, arbAgreeing } from '../support/agreeing-order';
import { erpFact, LATER, payment, policy, pspLine, scayleFact, state, type Env } from '../support/builders';

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
