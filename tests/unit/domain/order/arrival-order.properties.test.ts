/**
 * "Events arrive at least once and in any order" (DESIGN §4): for every kind of fact an order stream
 * holds — Scayle facts and payments, ERP revisions and credit memos, PSP settlement lines with FX,
 * ledger commands, ERP export requests and outcomes, exception decisions, unknown webhooks — the
 * reconciliation is the same for any permutation and duplication of the stream, at every "now"
 * (inside and after the grace windows). Each scenario also pins what it reconciles to, so the
 * property is never vacuous.
 */
import { expect } from 'chai';
import * as fc from 'fast-check';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import type { OrderReconciliation } from '../../../../src/domain/order/reconciliation.types';
import type { ReconciliationPolicy } from '../../../../src/domain/order/reconciliation.policy';
import { exported, failed, plan, requested } from '../erp-export/export-builders';
import { env, erpFact, payment, policy, pspLine, scayleFact, state, type Env } from '../support/builders';

/** Reconciles `events` at each of `nows`, and checks every permutation with duplicates gives the same. */
function orderIndependent(events: readonly Env[], nows: readonly string[], pol: ReconciliationPolicy, runs = 120): OrderReconciliation[] {
  const reference = nows.map((now) => reconcileOrder(state(...events), pol, now));
  const n = events.length;
  fc.assert(
    fc.property(fc.shuffledSubarray([...events], { minLength: n, maxLength: n }), fc.array(fc.nat(n - 1), { maxLength: 10 }), (perm, dupIdx) => {
      const stream = [...perm];
      for (const i of dupIdx) stream.splice((i * 7) % (stream.length + 1), 0, events[i]!);
      const s = state(...stream);
      nows.forEach((now, k) => expect(reconcileOrder(s, pol, now), now).to.deep.equal(reference[k]));
    }),
    { numRuns: runs },
  );
  return reference;
}

/** Status, `code/component` of each finding and the pending reasons. */
const summary = (r: OrderReconciliation) => ({ status: r.status, findings: r.findings.map((f) => `${f.code}/${f.component}`), pending: r.pending });

describe('arrival order and duplication (properties over every fact kind)', () => {
  describe('ERP exports, ledger commands, exception decisions and unknown webhooks', () => {
    const items = [
      { id: '1', variant: 'A', gross: 11900, net: 10000, tax: 1900, rate: '0.19' },
      { id: '2', variant: 'B', gross: 5350, net: 5000, tax: 350, rate: '0.07' },
    ];
    const fees = [{ gross: 495, net: 416, tax: 79, rate: '0.19' }];
    const confirmed = scayleFact('s1', 'ScayleOrderConfirmed', { items, fees });
    const invoiced = scayleFact('s2', 'ScayleOrderInvoiced', { items, fees, invoicedAt: '2024-06-10T12:00:00Z', updatedAt: '2024-06-10T12:00:00Z' }, '2024-06-10T12:00:00Z');
    const [sale] = plan(state(confirmed, invoiced));
    const decision = (id: string, type: string, extra: Record<string, unknown>, at: string) =>
      env(id, type, { exceptionId: 'order-msde-DE-O1/MISSING_IN_ERP/order/invoice', decidedAt: at, decidedBy: 'finance:abc', ...extra }, at, 'ledger');
    const stream: Env[] = [
      confirmed,
      invoiced,
      payment('c1', 'capture', '176.45', { at: '2024-06-10T12:05:00Z' }),
      requested(sale!),
      failed(sale!, 1, 'mapping_missing', [{ kind: 'item', variantReferenceKey: 'B', itemIds: ['2'] }], '2024-06-10T13:00:00Z'),
      failed(sale!, 2, 'unavailable', undefined, '2024-06-10T14:00:00Z'),
      exported(sale!, 'PS-INV-1', '2024-06-10T15:00:00Z'),
      decision('d1', 'ExceptionAcknowledged', { note: 'on it' }, '2024-06-11T09:00:00Z'),
      decision('d2', 'ExceptionAssigned', { assignee: 'erp-team' }, '2024-06-11T09:05:00Z'),
      decision('d3', 'ExceptionResolved', { resolution: 'corrected_in_erp', note: 'posted' }, '2024-06-12T09:00:00Z'),
      decision('d4', 'ExceptionReopened', { reason: 'came back' }, '2024-06-12T10:00:00Z'),
      env('w1', 'ScayleWebhookReceived', { webhookKey: 'wh-x', scayleEventType: 'order-returned-notice' }, '2024-06-11T08:00:00Z'),
      env('rq1', 'RefundRequested', { refundId: 'R1', amount: '53.50', currency: 'EUR', items: [{ orderItemId: '2', amount: '53.50' }], reason: 'damaged', requestedAt: '2024-06-12T09:00:00Z', requestedBy: 'cx:1' }, '2024-06-12T09:00:00Z', 'ledger'),
      env('df1', 'ScayleDispatchFailed', { commandId: 'R1', commandType: 'RefundRequested', message: 'HTTP 503', failedAt: '2024-06-12T09:00:30Z', retriable: true }, '2024-06-12T09:00:30Z', 'ledger'),
      env('lc1', 'LineItemsCorrected', { correctionId: 'C1', reason: 'price', items: [{ orderItemId: '2', gross: '53.50', net: '50.00', tax: '3.50', taxRate: '0.07' }], correctedAt: '2024-06-11T10:00:00Z' }, '2024-06-11T10:00:00Z', 'ledger'),
    ];
    const posted = erpFact('e1', { number: 'PS-INV-1', lines: [{ variant: 'A', net: '100.00', tax: '19.00', gross: '119.00', rate: '0.19' }, { variant: 'B', net: '50.00', tax: '3.50', gross: '53.50', rate: '0.07' }, { kind: 'shipping', net: '4.16', tax: '0.79', gross: '4.95', rate: '0.19' }] }, '2024-06-13T00:00:00Z');
    const recorded = env('rr1', 'RefundRecordedInScayle', { refundId: 'R1', recordedAt: '2024-06-12T09:01:00Z' }, '2024-06-12T09:01:00Z', 'ledger');

    it('exported, not posted yet, refund not recorded in Scayle: pending, then MISSING_IN_ERP and STATUS_DRIFT after the windows', () => {
      const [early, late] = orderIndependent(stream, ['2024-06-11T00:00:00Z', '2024-06-30T00:00:00Z'], policy());
      expect(summary(early!)).to.deep.equal({ status: 'pending', findings: [], pending: ['invoice', 'refund:R1'] });
      expect(summary(late!)).to.deep.equal({ status: 'drift', findings: ['MISSING_IN_ERP/order', 'STATUS_DRIFT/refunds'], pending: [] });
      expect(late!.findings[0]!.reason).to.equal('exported_not_posted');
    });
    it('posted and recorded: matched at any time', () => {
      const [early, late] = orderIndependent([...stream, posted, recorded], ['2024-06-12T12:00:00Z', '2024-06-30T00:00:00Z'], policy());
      expect(summary(early!)).to.deep.equal({ status: 'matched', findings: [], pending: [] });
      expect(summary(late!)).to.deep.equal({ status: 'matched', findings: [], pending: [] });
    });
  });

  it('CHF with PSP settlement lines, a realised FX rate, a refund settled late, a chargeback and a month-end posting (PERIOD_DRIFT, FX_DIFFERENCE, SETTLEMENT_DRIFT)', () => {
    const items = (s: string) => [{ id: '1', gross: 10810, net: 10000, tax: 810, rate: '0.081', status: s }, { id: '2', gross: 5405, net: 5000, tax: 405, rate: '0.081' }];
    const line = (id: string, lineId: string, type: 'capture' | 'refund' | 'chargeback', gross: string, fee: string, net: string, bookedAt: string, batch = 'B1') =>
      pspLine(id, { lineId, type, gross, fee, net, currency: 'CHF', bookedAt, fxRate: '1.0412', settlementCurrency: 'EUR' }, batch);
    const events: Env[] = [
      scayleFact('s1', 'ScayleOrderConfirmed', { currency: 'CHF', countryCode: 'CH', items: items('open'), confirmedAt: '2024-05-31T22:30:00Z' }, '2024-05-31T22:30:00Z'),
      payment('c1', 'capture', '162.15', { currency: 'CHF', at: '2024-05-31T22:31:00Z' }),
      erpFact('e1', { currency: 'CHF', revision: 1, exchangeRate: '1.0380', postingDate: '2024-05-31', lines: [{ ids: ['1'], net: '100.00', tax: '8.10', gross: '108.10', rate: '0.081' }, { ids: ['2'], net: '50.00', tax: '4.05', gross: '54.05', rate: '0.081' }] }, '2024-05-31T23:00:00Z'),
      erpFact('e0', { currency: 'CHF', number: 'SI-1', revision: 0, exchangeRate: '1.0380', postingDate: '2024-05-31', lines: [{ ids: ['1'], net: '90.00', tax: '7.29', gross: '97.29', rate: '0.081' }] }, '2024-05-31T22:00:00Z'),
      line('l1', 'L1', 'capture', '162.15', '4.70', '157.45', '2024-06-03T00:00:00Z'),
      line('l1b', 'L1', 'capture', '162.15', '4.70', '157.45', '2024-06-03T00:00:00Z'),
      scayleFact('s2', 'ScayleOrderItemReturned', { currency: 'CHF', countryCode: 'CH', items: items('returned'), confirmedAt: '2024-05-31T22:30:00Z', updatedAt: '2024-06-05T09:00:00Z' }, '2024-06-05T09:00:00Z', ['1']),
      payment('r1', 'refund', '108.10', { currency: 'CHF', at: '2024-06-05T10:00:00Z', itemIds: ['1'] }),
      erpFact('e2', { currency: 'CHF', type: 'credit_memo', number: 'CM-1', postingDate: '2024-06-05', lines: [{ ids: ['1'], net: '100.00', tax: '8.10', gross: '108.10', rate: '0.081' }] }, '2024-06-05T12:00:00Z'),
      line('l2', 'L2', 'refund', '-108.10', '0.00', '-108.10', '2024-06-09T00:00:00Z', 'B2'),
    ];
    const pol = policy({}, { timezone: 'Europe/Berlin' });
    const [settling, settled] = orderIndependent(events.filter((e) => e.id !== 'l2'), ['2024-06-08T00:00:00Z', '2024-06-20T00:00:00Z'], pol);
    expect(summary(settling!)).to.deep.equal({ status: 'drift', findings: ['PERIOD_DRIFT/order', 'FX_DIFFERENCE/settlement'], pending: ['settlement'] });
    expect(summary(settled!).findings).to.deep.equal(['PERIOD_DRIFT/order', 'FX_DIFFERENCE/settlement', 'SETTLEMENT_DRIFT/settlement']);
    const [all] = orderIndependent(events, ['2024-06-20T00:00:00Z'], pol);
    expect(summary(all!).findings).to.deep.equal(['PERIOD_DRIFT/order', 'FX_DIFFERENCE/settlement', 'FX_DIFFERENCE/settlement']);
    const chargeback = line('l3', 'L3', 'chargeback', '-54.05', '15.00', '-69.05', '2024-06-10T00:00:00Z', 'B2');
    const [disputed] = orderIndependent([...events, chargeback], ['2024-06-11T00:00:00Z'], pol);
    expect(disputed!.findings.filter((f) => f.code === 'SETTLEMENT_DRIFT').map((f) => f.delta?.gross)).to.deep.equal(['-54.05']);
  });

  it('before its order: a refund, an ERP document and a PSP line for an unknown order — pending, then ORPHAN_REFUND', () => {
    const events: Env[] = [
      payment('r1', 'refund', '20.000', { currency: 'KWD', at: '2024-06-10T10:00:00Z' }),
      erpFact('e2', { currency: 'KWD', type: 'credit_memo', number: 'CM-1', lines: [{ net: '16.000', tax: '4.000', gross: '20.000', rate: '0.25' }] }, '2024-06-10T10:30:00Z'),
      pspLine('l2', { lineId: 'L2', type: 'refund', gross: '-20.000', fee: '0.000', net: '-20.000', currency: 'KWD', bookedAt: '2024-06-11T00:00:00Z' }),
    ];
    const [early, late] = orderIndependent(events, ['2024-06-10T10:40:00Z', '2024-06-12T00:00:00Z'], policy());
    expect(summary(early!)).to.deep.include({ status: 'pending', findings: [] });
    expect(summary(late!).findings).to.include('ORPHAN_REFUND/refunds');
  });

  it('KWD, credits by variant (Business Central): a cancellation credited after invoicing, a return refunded and credited later', () => {
    const unit = { variant: 'V1', gross: 12500, net: 10000, tax: 2500, rate: '0.25' };
    const items = (s1: string, s2: string, s3 = 'open') => [{ id: '1', ...unit, status: s1 }, { id: '2', ...unit, status: s2 }, { id: '3', ...unit, status: s3 }];
    const cur = { currency: 'KWD' };
    const events: Env[] = [
      scayleFact('s1', 'ScayleOrderConfirmed', { ...cur, items: items('open', 'open') }, '2024-06-10T10:00:00Z'),
      payment('c1', 'capture', '37.500', { currency: 'KWD', at: '2024-06-10T10:01:00Z' }),
      erpFact('e1', { currency: 'KWD', lines: [{ variant: 'V1', qty: '3', net: '30.000', tax: '7.500', gross: '37.500', rate: '0.25' }] }),
      scayleFact('s2', 'ScayleOrderItemCancelled', { ...cur, items: items('cancelled', 'open'), updatedAt: '2024-06-11T12:00:00Z' }, '2024-06-11T12:00:00Z', ['1']),
      payment('r0', 'refund', '12.500', { currency: 'KWD', at: '2024-06-11T12:30:00Z', itemIds: ['1'] }),
      erpFact('e2', { currency: 'KWD', type: 'credit_memo', number: 'CM-C', lines: [{ variant: 'V1', qty: '1', net: '10.000', tax: '2.500', gross: '12.500', rate: '0.25' }] }, '2024-06-11T14:00:00Z'),
      scayleFact('s3', 'ScayleOrderItemReturned', { ...cur, items: items('cancelled', 'returned'), updatedAt: '2024-06-15T12:00:00Z' }, '2024-06-15T12:00:00Z', ['2']),
      payment('r1', 'refund', '12.500', { currency: 'KWD', at: '2024-06-16T10:00:00Z', itemIds: ['2'] }),
      erpFact('e3', { currency: 'KWD', type: 'credit_memo', number: 'CM-R', lines: [{ variant: 'V1', qty: '1', net: '10.000', tax: '2.500', gross: '12.500', rate: '0.25' }] }, '2024-06-16T12:00:00Z'),
    ];
    const [done] = orderIndependent(events, ['2024-06-30T00:00:00Z'], policy());
    expect(summary(done!)).to.deep.equal({ status: 'matched', findings: [], pending: [] });
    const [beforeReturnCredit] = orderIndependent(events.filter((e) => e.id !== 'e3'), ['2024-06-30T00:00:00Z'], policy());
    // Both refunds (the paid cancellation and the return) against the cancellation's credit memo only.
    expect(summary(beforeReturnCredit!).findings).to.deep.equal(['REFUND_RECONCILIATION_FAILURE/items']);
    expect(beforeReturnCredit!.findings[0]!.delta).to.deep.include({ currency: 'KWD', gross: '12.500' });
  });
});
