import { expect } from 'chai';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { checkSettlementBatch, evolveSettlementBatch, initialSettlementBatchState } from '../../../../src/domain/settlement/settlement.batch';
import type { PspSettlementLine } from '../../../../src/domain/settlement/psp-settlement-line';
import { codes, erpFact, LATER, payment, policy, pspLine, scayleFact, state, type Env } from '../support/builders';

const order119 = { items: [{ id: '1', gross: 11900, net: 10000, tax: 1900, rate: '0.19' }] };

describe('reconciliation cases C6–C10', () => {
  describe('C6 — refund before its order', () => {
    const refund = payment('p1', 'refund', '20.00', { at: '2024-06-10T10:00:00Z' });
    const confirmed = scayleFact('s1', 'ScayleOrderConfirmed', { ...order119, confirmedAt: '2024-06-10T10:00:04Z' });
    it('no finding within the grace window while the order is unknown', () => {
      const r = reconcileOrder(state(refund), policy(), '2024-06-10T10:00:02Z');
      expect(r.findings).to.deep.equal([]);
      expect(r.status).to.equal('pending');
      expect(r.subject).to.equal('order-msde-DE-O1');
    });
    it('after the order arrives the refund is attached: net 99.00, no orphan', () => {
      const r = reconcileOrder(state(refund, confirmed), policy(), '2024-06-10T10:00:10Z');
      expect(r.findings).to.deep.equal([]);
      expect(r.totals.scayle.EUR!.refunds).to.deep.equal({ gross: '20.00' });
      expect(r.totals.scayle.EUR!.order).to.deep.equal({ gross: '99.00' });
      expect(r.status).to.equal('pending');
      expect(r.pending).to.include.members(['invoice', 'credit_memo']);
    });
    it('ORPHAN_REFUND (owner cx) only once the order is still unknown after the window', () => {
      const r = reconcileOrder(state(refund), policy(), '2024-06-10T11:00:01Z');
      expect(codes(r)).to.deep.equal(['ORPHAN_REFUND']);
      expect(r.findings[0]).to.include({ owner: 'cx', component: 'refunds' });
      expect(r.findings[0]!.scayle).to.deep.equal({ currency: 'EUR', gross: '20.00' });
      expect(reconcileOrder(state(refund), policy({}, { graceWindows: { orphanRefund: 'PT2H' } }), '2024-06-10T11:00:01Z').findings).to.deep.equal([]);
    });
    it('after the windows, a refund without credit memo is MISSING_IN_ERP on refunds', () => {
      const r = reconcileOrder(state(refund, confirmed, erpFact('e1', { lines: [{ net: '100.00', tax: '19.00', gross: '119.00' }] })), policy(), LATER);
      expect(codes(r)).to.deep.equal(['MISSING_IN_ERP']);
      expect(r.findings[0]!.component).to.equal('refunds');
    });
  });

  describe('C7 — currency booked wrongly', () => {
    const chf = { currency: 'CHF', items: [{ id: '1', gross: 1000, net: 926, tax: 74, rate: '0.081' }] };
    it('an ERP document in EUR for a CHF order is CURRENCY_MISMATCH, not an amount mismatch', () => {
      const r = reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', chf), erpFact('e1', { currency: 'EUR', lines: [{ net: '9.26', tax: '0.74', gross: '10.00' }] })), policy(), LATER);
      expect(codes(r)).to.deep.equal(['CURRENCY_MISMATCH']);
      expect(r.findings[0]!.scayle).to.deep.equal({ currency: 'CHF' });
      expect(r.findings[0]!.erp).to.include({ currency: 'EUR', gross: '10.00' });
      expect(r.totals.erp.EUR!.order!.gross).to.equal('10.00');
      expect(r.totals.scayle.CHF!.items!.gross).to.equal('10.00');
    });
    it('a credit memo in EUR next to a CHF invoice is CURRENCY_MISMATCH on refunds', () => {
      const s = state(
        scayleFact('s1', 'ScayleOrderConfirmed', chf),
        erpFact('e1', { currency: 'CHF', lines: [{ net: '9.26', tax: '0.74', gross: '10.00' }] }),
        erpFact('e2', { type: 'credit_memo', number: 'CM-1', currency: 'EUR', lines: [{ net: '9.26', tax: '0.74', gross: '10.00' }] }),
      );
      const r = reconcileOrder(s, policy(), LATER);
      expect(codes(r)).to.deep.equal(['CURRENCY_MISMATCH']);
      expect(r.findings[0]!.component).to.equal('refunds');
      expect(r.findings[0]!.documentNumber).to.equal('CM-1');
    });
  });

  describe('C8 — month end in the wrong time zone', () => {
    const s1 = scayleFact('s1', 'ScayleOrderConfirmed', { ...order119, confirmedAt: '2024-05-31T22:30:00Z' });
    const inv = (postingDate: string) => erpFact('e1', { postingDate, lines: [{ net: '100.00', tax: '19.00', gross: '119.00' }] });
    it('Berlin 1 June 00:30 belongs to 2024-06 and matches an invoice posted 2024-06-01', () => {
      const r = reconcileOrder(state(s1, inv('2024-06-01')), policy(), LATER);
      expect(r.period).to.equal('2024-06');
      expect(r.status).to.equal('matched');
    });
    it('posted 2024-05-31: one PERIOD_DRIFT naming both periods', () => {
      const r = reconcileOrder(state(s1, inv('2024-05-31')), policy(), LATER);
      expect(codes(r)).to.deep.equal(['PERIOD_DRIFT']);
      expect(r.findings[0]!.periods).to.deep.equal({ scayle: '2024-06', erp: '2024-05' });
      expect(r.findings[0]!.explanation).to.contain('2024-06').and.contain('2024-05');
    });
    it('the invoicing time wins over confirmation once invoiced; UTC company sees May', () => {
      const invd = scayleFact('s2', 'ScayleOrderInvoiced', { ...order119, confirmedAt: '2024-05-31T22:30:00Z', invoicedAt: '2024-07-01T08:00:00Z' }, '2024-07-01T08:00:00Z');
      expect(reconcileOrder(state(s1, invd, inv('2024-07-01')), policy(), LATER).status).to.equal('matched');
      const utc = reconcileOrder(state(s1, inv('2024-05-31')), policy({}, { timezone: 'UTC' }), LATER);
      expect(utc.period).to.equal('2024-05');
      expect(utc.findings).to.deep.equal([]);
    });
  });

  describe('C9 — marketplace order with no tax code', () => {
    const mp = { channelType: 'marketplace', items: [{ id: '1', gross: 10000, net: 10000, tax: 0, rate: '0' }] };
    it('MISSING_TAX_CODE on the line, owner finance', () => {
      const r = reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', mp), erpFact('e1', { lines: [{ net: '100.00', tax: '0.00', gross: '100.00', taxCode: '' }] })), policy(), LATER);
      expect(codes(r)).to.deep.equal(['MISSING_TAX_CODE']);
      expect(r.findings[0]).to.include({ owner: 'finance', documentNumber: 'SI-1', lineNumber: 10000, component: 'items' });
      expect(r.findings[0]!.explanation).to.match(/marketplace/);
    });
    it('TAX_MAPPING_ERROR when the code does not map from country + rate; none when it does', () => {
      const mapping = [
        { countryCode: 'DE', rate: '0.19', taxCode: 'VAT19' },
        { countryCode: 'DE', rate: '0', taxCode: 'MP0', channelType: 'marketplace' },
        { countryCode: 'DE', rate: '0', taxCode: 'EXEMPT' },
      ];
      const with_ = (taxCode: string, rate?: string) =>
        reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', mp), erpFact('e1', { lines: [{ net: '100.00', tax: '0.00', gross: '100.00', taxCode, ...(rate ? { rate } : {}) }] })), policy({}, { taxCodeMapping: mapping }), LATER);
      expect(codes(with_('MP0'))).to.deep.equal([]);
      expect(codes(with_('VAT19'))).to.deep.equal(['TAX_MAPPING_ERROR']);
      expect(with_('VAT19').findings[0]!.explanation).to.contain('maps to MP0');
      expect(codes(with_('XX'))).to.deep.equal(['TAX_MAPPING_ERROR']);
      expect(codes(with_('MP0', '0.07'))).to.deep.equal(['TAX_MAPPING_ERROR']);
    });
  });

  describe('C10 — payout net of fees', () => {
    const line = (lineId: string, type: 'capture' | 'refund', gross: string, fee: string, net: string, orderId: string): PspSettlementLine => ({
      lineId, type, paymentReference: `tx-${orderId}`, orderId, gross, fee, net, currency: 'EUR', bookedAt: '2024-06-12T00:00:00Z',
    });
    const report = (id: string, payoutAmount: string, lines: PspSettlementLine[], occurredAt = '2024-06-13T00:00:00Z') => ({
      id,
      type: 'PspSettlementBatchRecorded',
      data: { batch: { provider: 'adyen', batchId: 'B1', currency: 'EUR', payoutDate: '2024-06-13', payoutAmount, lines } },
      metadata: { occurredAt },
    });
    const batch = (...events: ReturnType<typeof report>[]) => {
      const s = events.reduce(evolveSettlementBatch, initialSettlementBatchState());
      return checkSettlementBatch(s.batch!, [s.eventId!]);
    };
    const a = line('L1', 'capture', '100.00', '3.20', '96.80', 'A');
    const b = line('L2', 'capture', '50.00', '1.75', '48.25', 'B');

    it('payout 145.05 = 100.00 − 3.20 + 50.00 − 1.75: matched, drift 0', () => {
      const c = batch(report('r1', '145.05', [b, a]), report('r1', '145.05', [b, a]));
      expect(c).to.include({ status: 'matched', expectedPayout: '145.05', payout: '145.05', drift: '0.00', fees: '4.95' });
      expect(c.grossByType).to.deep.equal({ capture: '150.00' });
      expect(c.findings).to.deep.equal([]);
    });
    it('an unexplained remainder is SETTLEMENT_DRIFT, labelled with the amount', () => {
      const c = batch(report('r1', '145.00', [a, b]));
      expect(c.status).to.equal('drift');
      expect(c.findings.map((f) => f.code)).to.deep.equal(['SETTLEMENT_DRIFT']);
      expect(c.findings[0]!.delta).to.deep.equal({ currency: 'EUR', gross: '-0.05' });
      expect(c.findings[0]!.explanation).to.contain('-0.05 EUR unexplained');
      expect(c.findings[0]!.findingId).to.equal('settlement-adyen-B1/SETTLEMENT_DRIFT/settlement/payout');
      expect(c.findings[0]!.eventIds).to.deep.equal(['r1']);
      const corrected = report('r2', '145.05', [a, b], '2024-06-14T00:00:00Z');
      expect(batch(corrected, report('r1', '145.00', [a, b])).status).to.equal('matched');
    });
    it('after A is refunded the expected cash effect is −100.00', () => {
      const c = batch(report('r3', '-100.00', [line('L3', 'refund', '-100.00', '0.00', '-100.00', 'A')]));
      expect(c).to.include({ status: 'matched', expectedPayout: '-100.00' });
    });
    it('per order: settled vs invoiced agrees before and after the refund; FX rate difference is FX_DIFFERENCE', () => {
      const s1 = scayleFact('s1', 'ScayleOrderConfirmed', { items: [{ id: '1', gross: 10000, net: 8403, tax: 1597, rate: '0.19' }] });
      const inv = erpFact('e1', { lines: [{ net: '84.03', tax: '15.97', gross: '100.00' }] });
      const cap = pspLine('l1', { lineId: 'L1', type: 'capture', gross: '100.00', fee: '3.20', net: '96.80' });
      expect(reconcileOrder(state(s1, inv, cap), policy(), LATER).findings).to.deep.equal([]);
      const r1 = reconcileOrder(state(s1, inv, cap), policy(), LATER);
      expect(r1.totals.psp.EUR!.settlement).to.deep.equal({ gross: '100.00', net: '96.80', fee: '3.20' });
      const ret = scayleFact('s2', 'ScayleOrderItemReturned', { items: [{ id: '1', gross: 10000, net: 8403, tax: 1597, rate: '0.19', status: 'returned' }], updatedAt: '2024-06-14T00:00:00Z' }, '2024-06-14T00:00:00Z', ['1']);
      const after: Env[] = [s1, inv, cap, ret, payment('p1', 'refund', '100.00', { at: '2024-06-14T01:00:00Z' }), erpFact('e2', { type: 'credit_memo', number: 'CM-1', lines: [{ net: '84.03', tax: '15.97', gross: '100.00' }] }), pspLine('l2', { lineId: 'L2', type: 'refund', gross: '-100.00', fee: '0.00', net: '-100.00' })];
      expect(reconcileOrder(state(...after), policy(), LATER).findings).to.deep.equal([]);
      // The refund (2024-06-14) not settled yet: pending within the 7-day settlement window, drift after it.
      const unsettled = state(...after.slice(0, -1));
      expect(reconcileOrder(unsettled, policy(), LATER)).to.deep.include({ status: 'pending', pending: ['settlement'], findings: [] });
      const missingRefundLine = reconcileOrder(unsettled, policy(), '2024-06-22T00:00:00Z');
      expect(codes(missingRefundLine)).to.deep.equal(['SETTLEMENT_DRIFT']);
      expect(missingRefundLine.findings[0]!.delta).to.deep.equal({ currency: 'EUR', gross: '100.00' });
      expect(missingRefundLine.findings[0]!.scayle).to.deep.equal({ currency: 'EUR', gross: '0.00' });
      expect(missingRefundLine.findings[0]!.explanation).to.contain('Scayle billed 0.00 net of refunds (no capture reported)');
      const fx = reconcileOrder(state(s1, erpFact('e1', { exchangeRate: '1.0800', lines: [{ net: '84.03', tax: '15.97', gross: '100.00' }] }), pspLine('l1', { lineId: 'L1', type: 'capture', gross: '100.00', fee: '3.20', net: '96.80', fxRate: '1.0825' })), policy(), LATER);
      expect(codes(fx)).to.deep.equal(['FX_DIFFERENCE']);
    });
  });
});
