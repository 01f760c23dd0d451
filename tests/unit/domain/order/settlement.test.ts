/**
 * Per-order SETTLEMENT_DRIFT (DESIGN §6, case C10): PSP lines vs Scayle's cash, fees itemised, with a
 * settlement grace window for payments the PSP has not paid out yet; coherent with the batch check.
 */
import { expect } from 'chai';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { checkSettlementBatch } from '../../../../src/domain/settlement/settlement.batch';
import type { PspSettlementLine } from '../../../../src/domain/settlement/psp-settlement-line';
import { codes, erpFact, payment, policy, pspLine, scayleFact, state, type Env } from '../support/builders';

const order = scayleFact('s1', 'ScayleOrderConfirmed', { items: [{ id: '1', gross: 10000, net: 8403, tax: 1597, rate: '0.19' }, { id: '2', gross: 5000, net: 4202, tax: 798, rate: '0.19' }] });
const invoice = erpFact('e1', { lines: [{ ids: ['1'], net: '84.03', tax: '15.97', gross: '100.00' }, { ids: ['2'], net: '42.02', tax: '7.98', gross: '50.00' }] });
const capture = payment('c1', 'capture', '150.00', { at: '2024-06-10T10:05:00Z' });
const captured = pspLine('l1', { lineId: 'L1', type: 'capture', gross: '150.00', fee: '4.65', net: '145.35', bookedAt: '2024-06-12T00:00:00Z' });
const refund = payment('r1', 'refund', '50.00', { at: '2024-06-15T09:00:00Z', itemIds: ['2'] });
const creditMemo = erpFact('e2', { type: 'credit_memo', number: 'CM-1', lines: [{ ids: ['2'], net: '42.02', tax: '7.98', gross: '50.00' }] }, '2024-06-15T12:00:00Z');
const returned = scayleFact('s2', 'ScayleOrderItemReturned', { items: [{ id: '1', gross: 10000, net: 8403, tax: 1597, rate: '0.19' }, { id: '2', gross: 5000, net: 4202, tax: 798, rate: '0.19', status: 'returned' }], updatedAt: '2024-06-15T08:00:00Z' }, '2024-06-15T08:00:00Z', ['2']);
const settledRefund = pspLine('l2', { lineId: 'L2', type: 'refund', gross: '-50.00', fee: '0.00', net: '-50.00', bookedAt: '2024-06-19T00:00:00Z' }, 'B2');
const run = (events: Env[], now: string, extra = {}) => reconcileOrder(state(...events), policy({}, extra), now);

describe('per-order settlement', () => {
  it('a Scayle refund the PSP has not paid out yet is pending within the settlement window, SETTLEMENT_DRIFT after it', () => {
    const events = [order, invoice, capture, captured, returned, refund, creditMemo];
    expect(run(events, '2024-06-21T00:00:00Z')).to.deep.include({ status: 'pending', pending: ['settlement'], findings: [] });
    const late = run(events, '2024-06-23T00:00:00Z');
    expect(codes(late)).to.deep.equal(['SETTLEMENT_DRIFT']);
    expect(late.findings[0]).to.deep.include({ owner: 'finance', component: 'settlement', psp: { currency: 'EUR', gross: '150.00' }, scayle: { currency: 'EUR', gross: '100.00' }, delta: { currency: 'EUR', gross: '50.00' } });
    expect(late.findings[0]!.explanation).to.equal('PSP settled 150.00 EUR gross (fees 4.65 itemised) but Scayle captured 100.00 net of refunds: 50.00 unexplained after the settlement window — ask the PSP for the missing line or book the difference');
    expect(late.findings[0]!.eventIds).to.have.members(['l1', 'c1', 'r1']);
    expect(run([...events, settledRefund], '2024-06-23T00:00:00Z').findings).to.deep.equal([]);
  });

  it('the window is configurable (ISO-8601 or seconds)', () => {
    const events = [order, invoice, capture, captured, returned, refund, creditMemo];
    expect(codes(run(events, '2024-06-18T00:00:00Z', { graceWindows: { settlement: 'P2D' } }))).to.deep.equal(['SETTLEMENT_DRIFT']);
    expect(run(events, '2024-06-18T00:00:00Z', { graceWindows: { settlement: 4 * 86400 } }).status).to.equal('pending');
  });

  it('a capture not settled yet (split shipment: two captures, one paid out) is pending, then drift of the missing capture', () => {
    const second = payment('c2', 'capture', '50.00', { at: '2024-06-13T10:00:00Z' });
    const first = pspLine('l1', { lineId: 'L1', type: 'capture', gross: '100.00', fee: '3.10', net: '96.90', bookedAt: '2024-06-12T00:00:00Z' });
    const events = [order, invoice, payment('c1', 'capture', '100.00', { at: '2024-06-10T10:05:00Z' }), second, first];
    expect(run(events, '2024-06-15T00:00:00Z').pending).to.deep.equal(['settlement']);
    const late = run(events, '2024-06-21T00:00:00Z');
    expect(late.findings.map((f) => [f.code, f.delta?.gross])).to.deep.equal([['SETTLEMENT_DRIFT', '-50.00']]);
  });

  it('a PSP refund line Scayle has not reported yet is pending too, then drift', () => {
    const events = [order, invoice, capture, captured, settledRefund];
    expect(run(events, '2024-06-20T00:00:00Z').pending).to.deep.equal(['settlement']);
    expect(run(events, '2024-06-27T00:00:00Z').findings.map((f) => [f.code, f.delta?.gross])).to.deep.equal([['SETTLEMENT_DRIFT', '-50.00']]);
  });

  it('a difference no unsettled payment explains is reported at once, window or not', () => {
    const over = pspLine('l1', { lineId: 'L1', type: 'capture', gross: '150.50', fee: '4.65', net: '145.85', bookedAt: '2024-06-12T00:00:00Z' });
    const r = run([order, invoice, capture, over, returned, refund, creditMemo], '2024-06-16T00:00:00Z');
    expect(r.findings.map((f) => [f.code, f.delta?.gross])).to.deep.equal([['SETTLEMENT_DRIFT', '50.50']]);
  });

  it('a chargeback has no Scayle counterpart: SETTLEMENT_DRIFT at once, even while a refund is still unsettled', () => {
    const chargeback = pspLine('l3', { lineId: 'L3', type: 'chargeback', gross: '-100.00', fee: '15.00', net: '-115.00', bookedAt: '2024-06-16T00:00:00Z' }, 'B2');
    const r = run([order, invoice, capture, captured, returned, refund, creditMemo, chargeback], '2024-06-17T00:00:00Z');
    expect(r.findings.map((f) => [f.code, f.delta?.gross])).to.deep.equal([['SETTLEMENT_DRIFT', '-50.00']]);
  });

  it('without a Scayle capture the cash is what Scayle billed: an ERP amount error is reported once, as AMOUNT_MISMATCH', () => {
    const wrong = erpFact('e1', { lines: [{ ids: ['1'], net: '88.24', tax: '16.76', gross: '105.00' }, { ids: ['2'], net: '42.02', tax: '7.98', gross: '50.00' }] });
    const r = run([order, wrong, captured], '2024-06-30T00:00:00Z');
    expect(codes(r)).to.deep.equal(['AMOUNT_MISMATCH']);
    const cancelled = scayleFact('s3', 'ScayleOrderItemCancelled', { items: [{ id: '1', gross: 10000, net: 8403, tax: 1597, rate: '0.19' }, { id: '2', gross: 5000, net: 4202, tax: 798, rate: '0.19', status: 'cancelled' }], updatedAt: '2024-06-11T08:00:00Z' }, '2024-06-11T08:00:00Z', ['2']);
    const onlyOne = pspLine('l1', { lineId: 'L1', type: 'capture', gross: '100.00', fee: '3.10', net: '96.90', bookedAt: '2024-06-12T00:00:00Z' });
    const fixed = erpFact('e1', { revision: 1, lines: [{ ids: ['1'], net: '84.03', tax: '15.97', gross: '100.00' }] });
    expect(run([order, cancelled, fixed, onlyOne], '2024-06-30T00:00:00Z').findings).to.deep.equal([]);
  });

  it('is coherent with the batch check: the batch explains its payout by every line net of fees, each order its lines gross by its cash', () => {
    const line = (lineId: string, orderId: string, type: PspSettlementLine['type'], gross: string, fee: string, net: string): PspSettlementLine => ({ lineId, type, paymentReference: `tx-${orderId}`, orderId, gross, fee, net, currency: 'EUR', bookedAt: '2024-06-12T00:00:00Z' });
    const a = line('L1', 'O1', 'capture', '150.00', '4.65', '145.35');
    const b = line('L9', 'O9', 'capture', '20.00', '0.80', '19.20');
    const batch = checkSettlementBatch({ provider: 'adyen', batchId: 'B1', currency: 'EUR', payoutDate: '2024-06-12', payoutAmount: '164.55', lines: [a, b] });
    expect(batch).to.include({ status: 'matched', fees: '5.45', drift: '0.00' });
    expect(run([order, invoice, capture, pspLine('l1', a)], '2024-06-30T00:00:00Z').findings).to.deep.equal([]);
    const short = checkSettlementBatch({ provider: 'adyen', batchId: 'B1', currency: 'EUR', payoutDate: '2024-06-12', payoutAmount: '160.00', lines: [a, b] });
    expect(short.findings.map((f) => [f.code, f.delta?.gross])).to.deep.equal([['SETTLEMENT_DRIFT', '-4.55']]);
  });
});
