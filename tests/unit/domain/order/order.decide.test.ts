import { expect } from 'chai';
import { orderDecider, type RequestRefund, type CorrectLineItems } from '../../../../src/domain/order/order.decide';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { InvalidFieldsError } from '../../../../src/domain/shared/errors';
import { deciderSpec } from '../../../support/decider-spec';
import { env, erpFact, LATER, payment, policy, scayleFact, state, type Env } from '../support/builders';

const spec = deciderSpec(orderDecider);
const order = scayleFact('s1', 'ScayleOrderConfirmed', {
  items: [
    { id: '1', gross: 5000, net: 4202, tax: 798, rate: '0.19', reductions: 500 },
    { id: '2', gross: 2000, net: 1681, tax: 319, rate: '0.19' },
  ],
  fees: [{ gross: 495, net: 416, tax: 79, rate: '0.19' }],
});
const captured = payment('c1', 'capture', '74.95');
const refund = (items: { orderItemId: string; amount: string }[], amount: string, extra: Partial<RequestRefund['data']> = {}): RequestRefund => ({
  type: 'RequestRefund',
  data: { refundId: 'r1', amount, currency: 'EUR', items, reason: 'damaged', requestedAt: '2024-06-12T10:00:00Z', requestedBy: 'cx:7', ...extra },
});

describe('order deciders', () => {
  describe('RequestRefund', () => {
    it('emits RefundRequested with normalised amounts', () => {
      spec.given([order, captured]).when(refund([{ orderItemId: '1', amount: '50' }, { orderItemId: '2', amount: '5.5' }], '55.50')).then([
        { type: 'RefundRequested', data: { refundId: 'r1', amount: '55.50', currency: 'EUR', items: [{ orderItemId: '1', amount: '50.00' }, { orderItemId: '2', amount: '5.50' }], reason: 'damaged', requestedAt: '2024-06-12T10:00:00Z', requestedBy: 'cx:7' } },
      ]);
    });
    it('rejects an amount that is not the sum of refund_items', () => {
      spec.given([order, captured]).when(refund([{ orderItemId: '1', amount: '10.00' }], '11.00')).thenThrows({ kind: 'business_rule', code: 'amount_not_sum_of_items', field: 'amount' });
    });
    it('rejects an item of another order, naming it', () => {
      const e = spec.given([order, captured]).when(refund([{ orderItemId: '9', amount: '1.00' }], '1.00')).thenThrows({ kind: 'business_rule', code: 'item_not_in_order', field: 'refund_items[0].orderItemId' });
      expect(e.details).to.deep.equal({ orderItemId: '9' });
    });
    it('an item is refundable up to what was paid for it after discounts, minus earlier refunds', () => {
      spec.given([order, captured]).when(refund([{ orderItemId: '1', amount: '50.01' }], '50.01')).thenThrows({ kind: 'business_rule', code: 'refund_exceeds_item', field: 'refund_items[0].amount' });
      const earlier = env('r0', 'RefundRequested', { refundId: 'r0', amount: '30.00', currency: 'EUR', items: [{ orderItemId: '1', amount: '30.00' }], reason: 'x', requestedAt: '2024-06-11T10:00:00Z', requestedBy: 'cx:1' }, '2024-06-11T10:00:00Z', 'ledger');
      const e = spec.given([order, captured, earlier]).when(refund([{ orderItemId: '1', amount: '20.01' }], '20.01')).thenThrows({ kind: 'business_rule', code: 'refund_exceeds_item' });
      expect(e.details).to.include({ refundable: '20.00' });
      const scayleRefundNamingItem = payment('p9', 'refund', '20.00', { itemIds: ['2'] });
      spec.given([order, captured, scayleRefundNamingItem]).when(refund([{ orderItemId: '2', amount: '0.01' }], '0.01')).thenThrows({ kind: 'business_rule', code: 'refund_exceeds_item' });
    });
    it('the total is capped by captured − refunded (incl. ledger refunds not yet in Scayle)', () => {
      spec.given([order]).when(refund([{ orderItemId: '2', amount: '1.00' }], '1.00')).thenThrows({ kind: 'business_rule', code: 'refund_exceeds_captured', field: 'amount' });
      const partialCapture = payment('c2', 'capture', '10.00');
      const pending = env('r0', 'RefundRequested', { refundId: 'r0', amount: '5.00', currency: 'EUR', items: [{ orderItemId: '1', amount: '5.00' }], reason: 'x', requestedAt: '2024-06-11T10:00:00Z', requestedBy: 'cx:1' }, '2024-06-11T10:00:00Z', 'ledger');
      spec.given([order, partialCapture, pending]).when(refund([{ orderItemId: '2', amount: '5.01' }], '5.01')).thenThrows({ kind: 'business_rule', code: 'refund_exceeds_captured' });
      spec.given([order, partialCapture, pending]).when(refund([{ orderItemId: '2', amount: '5.00' }], '5.00')).then([
        { type: 'RefundRequested', data: { refundId: 'r1', amount: '5.00', currency: 'EUR', items: [{ orderItemId: '2', amount: '5.00' }], reason: 'damaged', requestedAt: '2024-06-12T10:00:00Z', requestedBy: 'cx:7' } },
      ]);
    });
    it('rejects another currency, more decimals than the currency allows, and unknown orders', () => {
      spec.given([order, captured]).when(refund([{ orderItemId: '2', amount: '1.00' }], '1.00', { currency: 'CHF' })).thenThrows({ kind: 'business_rule', code: 'currency_mismatch', field: 'currency' });
      spec.given([order, captured]).when(refund([{ orderItemId: '2', amount: '1.005' }], '1.005')).thenThrows({ kind: 'invalid', code: 'too_many_decimals', field: 'amount' });
      spec.given([captured]).when(refund([{ orderItemId: '2', amount: '1.00' }], '1.00')).thenThrows({ kind: 'not_found', code: 'order_not_found' });
    });
    it('a retry with the same refundId and data emits nothing; other data is a conflict', () => {
      const done = env('r1', 'RefundRequested', refund([{ orderItemId: '2', amount: '1.00' }], '1.00').data, '2024-06-12T10:00:00Z', 'ledger');
      spec.given([order, captured, done]).when(refund([{ orderItemId: '2', amount: '1.00' }], '1.00')).then([]);
      spec.given([order, captured, done]).when(refund([{ orderItemId: '2', amount: '2.00' }], '2.00')).thenThrows({ kind: 'conflict', code: 'command_id_reused', field: 'refundId' });
    });
    it('a requested refund not recorded in Scayle becomes STATUS_DRIFT after the grace window', () => {
      const req = env('r1', 'RefundRequested', refund([{ orderItemId: '2', amount: '1.00' }], '1.00').data, '2024-06-12T10:00:00Z', 'ledger');
      const inv = erpFact('e1', { lines: [{ net: '42.02', tax: '7.98', gross: '50.00', ids: ['1'] }, { net: '16.81', tax: '3.19', gross: '20.00', ids: ['2'] }, { kind: 'shipping', net: '4.16', tax: '0.79', gross: '4.95' }] });
      expect(reconcileOrder(state(order, inv, req), policy(), '2024-06-12T11:00:00Z').status).to.equal('pending');
      const late = reconcileOrder(state(order, inv, req), policy(), LATER);
      expect(late.findings.map((f) => [f.code, f.owner, f.component])).to.deep.equal([['STATUS_DRIFT', 'operations', 'refunds']]);
      const recorded = env('rr1', 'RefundRecordedInScayle', { refundId: 'r1', recordedAt: '2024-06-12T10:01:00Z' }, '2024-06-12T10:01:00Z', 'ledger');
      expect(reconcileOrder(state(order, inv, req, recorded), policy(), LATER).findings).to.deep.equal([]);
    });
  });

  describe('CorrectLineItems', () => {
    const correct = (items: CorrectLineItems['data']['items']): CorrectLineItems => ({ type: 'CorrectLineItems', data: { correctionId: 'k1', reason: 'repriced', items, correctedAt: '2024-06-12T10:00:00Z' } });
    it('emits LineItemsCorrected and the correction replaces Scayle values in reconciliation', () => {
      const cmd = correct([{ orderItemId: '2', gross: '17.85', net: '15.00', tax: '2.85', taxRate: '0.19' }]);
      spec.given([order]).when(cmd).then([{ type: 'LineItemsCorrected', data: { correctionId: 'k1', reason: 'repriced', items: [{ orderItemId: '2', gross: '17.85', net: '15.00', tax: '2.85', taxRate: '0.19' }], correctedAt: '2024-06-12T10:00:00Z' } }]);
      const corrected: Env = env('k1', 'LineItemsCorrected', orderDecider.decide(cmd, state(order))[0]!.data, '2024-06-12T10:00:00Z', 'ledger');
      const inv = erpFact('e1', { lines: [{ net: '42.02', tax: '7.98', gross: '50.00', ids: ['1'] }, { net: '15.00', tax: '2.85', gross: '17.85', ids: ['2'] }, { kind: 'shipping', net: '4.16', tax: '0.79', gross: '4.95' }] });
      expect(reconcileOrder(state(order, inv), policy(), LATER).findings.map((f) => f.code)).to.deep.equal(['AMOUNT_MISMATCH']);
      const r = reconcileOrder(state(corrected, order, inv), policy(), LATER);
      expect(r.findings).to.deep.equal([]);
    });
    it('rejects gross ≠ net + tax, percent rates and unknown items', () => {
      spec.given([order]).when(correct([{ orderItemId: '2', gross: '17.86', net: '15.00', tax: '2.85', taxRate: '0.19' }])).thenThrows({ kind: 'business_rule', code: 'gross_not_net_plus_tax', field: 'items[0].gross' });
      spec.given([order]).when(correct([{ orderItemId: '2', gross: '17.85', net: '15.00', tax: '2.85', taxRate: '19' }])).thenThrows({ kind: 'invalid', code: 'invalid_tax_rate', field: 'items[0].taxRate' });
      spec.given([order]).when(correct([{ orderItemId: '7', gross: '1.00', net: '1.00', tax: '0.00', taxRate: '0' }])).thenThrows({ kind: 'business_rule', code: 'item_not_in_order', field: 'items[0].orderItemId' });
      spec.given([]).when(correct([{ orderItemId: '2', gross: '1.00', net: '1.00', tax: '0.00', taxRate: '0' }])).thenThrows({ kind: 'not_found', code: 'order_not_found' });
    });
    it('names every invalid amount and rate of every item at once, before any business rule (user trial: only the first was named)', () => {
      const cmd = correct([
        { orderItemId: '2', gross: '10.700', net: '10.000', tax: '0.700', taxRate: '0.07' },
        { orderItemId: '7', gross: '19.990', net: '16.80', tax: '3.19', taxRate: '19' },
      ]);
      const err = spec.given([order]).when(cmd).thenThrows({ kind: 'invalid', code: 'invalid_fields', field: 'items[0].gross' }) as InvalidFieldsError;
      expect(err).to.be.instanceOf(InvalidFieldsError);
      expect(err.errors.map((e) => [e.field, e.code])).to.deep.equal([
        ['items[0].gross', 'too_many_decimals'],
        ['items[0].net', 'too_many_decimals'],
        ['items[0].tax', 'too_many_decimals'],
        ['items[1].gross', 'too_many_decimals'],
        ['items[1].taxRate', 'invalid_tax_rate'],
      ]);
      const amounts = spec.given([order]).when(correct([{ orderItemId: '2', gross: '10.700', net: '10.000', tax: '0.70', taxRate: '0.07' }])).thenThrows({ kind: 'invalid', code: 'too_many_decimals', field: 'items[0].gross' }) as InvalidFieldsError;
      expect(amounts.errors.map((e) => e.field)).to.deep.equal(['items[0].gross', 'items[0].net']);
    });
    it('rejects a tax that is not net × rate up to rounding, and takes one that is', () => {
      spec.given([order]).when(correct([{ orderItemId: '2', gross: '1000.00', net: '1.00', tax: '999.00', taxRate: '0.19' }])).thenThrows({ kind: 'business_rule', code: 'tax_inconsistent_with_rate', field: 'items[0].tax' });
      spec.given([order]).when(correct([{ orderItemId: '2', gross: '17.88', net: '15.00', tax: '2.88', taxRate: '0.19' }])).thenThrows({ kind: 'business_rule', code: 'tax_inconsistent_with_rate', field: 'items[0].tax' });
      // 2.85 exact; 2.86 and 2.84 are within one minor unit × 1.19 (a per-document remainder).
      for (const [gross, tax] of [['17.86', '2.86'], ['17.84', '2.84']] as const) {
        expect(orderDecider.decide(correct([{ orderItemId: '2', gross, net: '15.00', tax, taxRate: '0.19' }]), state(order))).to.have.length(1);
      }
    });
  });
});
