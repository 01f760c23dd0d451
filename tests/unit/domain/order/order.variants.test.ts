import { expect } from 'chai';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { evolve, initialOrderState } from '../../../../src/domain/order/order.state';
import { durationMs } from '../../../../src/domain/order/reconciliation.policy';
import { ROUNDING_MODES } from '../../../../src/domain/shared/rounding';
import { DomainError } from '../../../../src/domain/shared/errors';
import { codes, env, erpFact, LATER, payment, policy, scayleFact, state } from '../support/builders';

const one = { items: [{ id: '1', gross: 11900, net: 10000, tax: 1900, rate: '0.19' }] };
const inv119 = (extra = {}) => erpFact('e1', { lines: [{ net: '100.00', tax: '19.00', gross: '119.00' }], ...extra });

describe('order state and rule variants', () => {
  describe('state', () => {
    it('ignores unknown event types and applies each event id once', () => {
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', one));
      const unknown = env('x', 'ExceptionAssigned', { findingId: 'f' });
      expect(evolve(s, unknown)).to.equal(s);
      expect(initialOrderState().kind).to.equal('empty');
      expect(state(payment('p1', 'refund', '1.00')).kind).to.equal('awaiting_order');
      expect(s.kind).to.equal('order_known');
    });
    it('takes the latest snapshot by source time whatever the arrival order', () => {
      const early = scayleFact('s1', 'ScayleOrderConfirmed', one, '2024-06-10T10:00:00Z');
      const late = scayleFact('s2', 'ScayleOrderSynced', { ...one, status: 'invoice_completed', updatedAt: '2024-06-11T10:00:00Z' }, '2024-06-11T10:00:00Z');
      for (const s of [state(early, late), state(late, early)]) expect(s.latest!.data.order.status).to.equal('invoice_completed');
    });
    it('the highest ERP revision wins even when it arrives first; a cancelled document stops counting', () => {
      const rev0 = erpFact('e1', { lines: [{ net: '90.00', tax: '17.10', gross: '107.10' }] });
      const rev1 = erpFact('e2', { revision: 1, lines: [{ net: '100.00', tax: '19.00', gross: '119.00' }] });
      const s1 = scayleFact('s1', 'ScayleOrderConfirmed', one);
      expect(reconcileOrder(state(rev1, s1, rev0), policy(), LATER).status).to.equal('matched');
      const cancelled = erpFact('e3', { revision: 2, status: 'cancelled', lines: [{ net: '100.00', tax: '19.00', gross: '119.00' }] });
      expect(codes(reconcileOrder(state(s1, rev0, cancelled, rev1), policy(), LATER))).to.deep.equal(['MISSING_IN_ERP']);
      expect(reconcileOrder(state(s1, cancelled), policy(), '2024-06-10T12:00:00Z').status).to.equal('pending');
    });
    it('rejects an event whose source time is not an ISO instant', () => {
      expect(() => evolve(initialOrderState(), env('b', 'ScayleOrderConfirmed', {}, 'yesterday'))).to.throw(DomainError, /ISO-8601/);
    });
  });

  describe('counterparts and lifecycle', () => {
    it('MISSING_IN_ERP only after the grace window (ISO-8601 or seconds)', () => {
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', one));
      expect(reconcileOrder(s, policy(), '2024-06-11T09:59:59Z')).to.include({ status: 'pending' });
      expect(codes(reconcileOrder(s, policy(), '2024-06-11T10:00:01Z'))).to.deep.equal(['MISSING_IN_ERP']);
      expect(reconcileOrder(s, policy({}, { graceWindows: { missingInErp: 172800 } }), '2024-06-11T10:00:01Z').status).to.equal('pending');
      expect(durationMs('P1DT2H30M')).to.equal((24 * 3600 + 2.5 * 3600) * 1000);
      expect(durationMs('P1W')).to.equal(7 * 86400 * 1000);
      expect(() => durationMs('P1M')).to.throw(DomainError);
    });
    it('an ERP document naming no order: pending, then MISSING_IN_SCAYLE on erp-unlinked-<number>', () => {
      const s = state(erpFact('e9', { number: 'SI-9', orderReference: null, lines: [{ net: '10.00', tax: '1.90', gross: '11.90' }] }));
      const early = reconcileOrder(s, policy(), '2024-06-10T13:00:00Z');
      expect(early).to.include({ status: 'pending', subject: 'erp-unlinked-SI-9' });
      const r = reconcileOrder(s, policy(), LATER);
      expect(codes(r)).to.deep.equal(['MISSING_IN_SCAYLE']);
      expect(r.findings[0]!.findingId).to.equal('erp-unlinked-SI-9/MISSING_IN_SCAYLE/order/SI-9');
    });
    it('cancelled in Scayle but invoiced in the ERP: STATUS_DRIFT (operations), not an amount mismatch', () => {
      const cancelled = scayleFact('s2', 'ScayleOrderCancelled', { ...one, status: 'cancellation_completed', updatedAt: '2024-06-11T08:00:00Z' }, '2024-06-11T08:00:00Z');
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', one), inv119(), cancelled);
      expect(reconcileOrder(s, policy(), '2024-06-11T09:00:00Z').status).to.equal('pending');
      const r = reconcileOrder(s, policy(), LATER);
      expect(r.findings.map((f) => [f.code, f.owner])).to.deep.equal([['STATUS_DRIFT', 'operations']]);
      const credited = erpFact('e2', { type: 'credit_memo', number: 'CM-1', lines: [{ net: '100.00', tax: '19.00', gross: '119.00' }] });
      expect(reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', one), inv119(), cancelled, credited), policy(), LATER).findings).to.deep.equal([]);
    });
  });

  describe('components', () => {
    const multi = {
      items: [
        { id: '1', variant: 'A', gross: 1070, net: 1000, tax: 70, rate: '0.07' },
        { id: '2', variant: 'A', gross: 1070, net: 1000, tax: 70, rate: '0.07' },
        { id: '3', variant: 'B', gross: 2380, net: 2000, tax: 380, rate: '0.19' },
      ],
      fees: [
        { key: 'dhl', category: 'delivery', gross: 495, net: 416, tax: 79, rate: '0.19' },
        { key: 'cod', category: 'payment', gross: 200, net: 168, tax: 32, rate: '0.19' },
      ],
    };
    const lines = [
      { net: '20.00', tax: '1.40', gross: '21.40', variant: 'A', qty: '2', rate: '0.07' },
      { net: '20.00', tax: '3.80', gross: '23.80', variant: 'B', rate: '0.19' },
      { kind: 'shipping' as const, net: '4.16', tax: '0.79', gross: '4.95', rate: '0.19' },
      { kind: 'fee' as const, net: '1.68', tax: '0.32', gross: '2.00', rate: '0.19' },
    ];
    it('several items and fees at two rates agree under every mode and level', () => {
      for (const mode of ROUNDING_MODES) {
        for (const level of ['per_line', 'per_document'] as const) {
          const r = reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', multi), erpFact('e1', { lines })), policy({ mode, level }), LATER);
          expect(r.findings, `${mode} ${level}`).to.deep.equal([]);
        }
      }
    });
    it('a missing payment fee line is an AMOUNT_MISMATCH on fees only', () => {
      const r = reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', multi), erpFact('e1', { lines: lines.slice(0, 3) })), policy(), LATER);
      expect(r.findings.map((f) => [f.code, f.component])).to.deep.equal([['AMOUNT_MISMATCH', 'fees']]);
      expect(r.findings[0]!.delta).to.deep.equal({ currency: 'EUR', gross: '2.00', net: '1.68', tax: '0.32' });
      expect(r.findings[0]!.explanation).to.contain('no fees at all');
    });
    it('discount lines count towards items; a voucher booked at another amount is named as discounts', () => {
      const disc = { items: [{ id: '1', gross: 4500, net: 3782, tax: 718, rate: '0.19', reductions: 500 }] };
      const good = [{ net: '42.02', tax: '7.98', gross: '50.00' }, { kind: 'discount' as const, net: '-4.20', tax: '-0.80', gross: '-5.00' }];
      expect(reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', disc), erpFact('e1', { lines: good })), policy(), LATER).findings).to.deep.equal([]);
      const bad = [{ net: '42.02', tax: '7.98', gross: '50.00' }, { kind: 'discount' as const, net: '-2.52', tax: '-0.48', gross: '-3.00' }];
      const r = reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', disc), erpFact('e1', { lines: bad })), policy(), LATER);
      expect(r.findings.map((f) => [f.code, f.component])).to.deep.equal([['AMOUNT_MISMATCH', 'discounts']]);
      expect(r.totals.erp.EUR!.discounts!.gross).to.equal('3.00');
      expect(r.totals.scayle.EUR!.discounts!.gross).to.equal('5.00');
    });
    it('a refund that no split of items and fees explains is compared in total', () => {
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', one), inv119(), payment('p1', 'refund', '12.34'), erpFact('e2', { type: 'credit_memo', number: 'CM-1', lines: [{ net: '10.08', tax: '1.92', gross: '12.00' }] }));
      const r = reconcileOrder(s, policy(), LATER);
      expect(r.findings.map((f) => [f.code, f.component])).to.deep.equal([['REFUND_RECONCILIATION_FAILURE', 'refunds']]);
      expect(r.findings[0]!.delta).to.deep.equal({ currency: 'EUR', gross: '0.34' });
    });
    it('a goodwill credit memo with no Scayle refund is a refund failure after the window, never an items mismatch', () => {
      const cm = erpFact('e2', { type: 'credit_memo', number: 'CM-7', lines: [{ net: '8.40', tax: '1.60', gross: '10.00' }] }, '2024-06-12T00:00:00Z');
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', one), inv119(), cm);
      expect(reconcileOrder(s, policy(), '2024-06-12T01:00:00Z')).to.include({ status: 'pending' });
      const r = reconcileOrder(s, policy(), LATER);
      expect(r.findings.map((f) => [f.code, f.component])).to.deep.equal([['REFUND_RECONCILIATION_FAILURE', 'refunds']]);
      expect(r.findings[0]!.explanation).to.contain('CM-7');
      expect(r.totals.erp.EUR!.order!.gross).to.equal('109.00');
    });
    it('a tax-code mapping applies to lines named by ERP item number through the item mapping', () => {
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', one), erpFact('e1', { lines: [{ net: '100.00', tax: '19.00', gross: '119.00', taxCode: 'VAT7', variant: undefined, ids: undefined }] }));
      const doc = (s.erpDocuments['SI-1']!.data.lines[0]!);
      delete doc.variantReferenceKey;
      doc.erpItemNumber = 'ITEM-7';
      const mapping = [{ countryCode: 'DE', rate: '0.19', taxCode: 'VAT19' }, { countryCode: 'DE', rate: '0.07', taxCode: 'VAT7' }];
      const r = reconcileOrder(s, policy({}, { taxCodeMapping: mapping, itemMapping: { 'ITEM-7': 'V1' } }), LATER);
      expect(codes(r)).to.deep.equal(['TAX_MAPPING_ERROR']);
      expect(r.findings[0]!.explanation).to.contain('maps to VAT19');
      expect(codes(reconcileOrder(s, policy({}, { taxCodeMapping: mapping }), LATER))).to.deep.equal([]);
    });
  });

  describe('materiality and data quality', () => {
    const c1 = () => state(scayleFact('s1', 'ScayleOrderConfirmed', { items: [1, 2].map((n) => ({ id: String(n), gross: 923, net: 750, tax: 173, rate: '0.23' })) }), erpFact('e1', { lines: [{ net: '15.00', tax: '3.45', gross: '18.45', qty: '2' }] }));
    it('rounding above the materiality cap stays an open finance finding', () => {
      const r = reconcileOrder(c1(), policy({}, { materialityCap: '0.00' }), LATER);
      expect(r.findings[0]).to.include({ code: 'ROUNDING_DIFFERENCE', autoAccepted: false, severity: 'warning' });
      expect(r.findings[0]!.explanation).to.contain('above the materiality cap');
      expect(r.status).to.equal('drift');
      expect(reconcileOrder(c1(), policy({}, { materialityCap: { EUR: '0.01' } }), LATER).status).to.equal('matched_with_rounding');
    });
    it('a header that disagrees with its lines and sub-cent amounts are DATA_QUALITY_WARNINGs that keep the order matched', () => {
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', one), erpFact('e1', { lines: [{ net: '100.004', tax: '19.00', gross: '119.004' }], totals: { net: '100.00', tax: '19.00', gross: '119.10' } }));
      const r = reconcileOrder(s, policy(), LATER);
      expect(r.findings.map((f) => [f.code, f.owner])).to.deep.equal([
        ['DATA_QUALITY_WARNING', 'operations'],
        ['DATA_QUALITY_WARNING', 'operations'],
        ['DATA_QUALITY_WARNING', 'operations'],
      ]);
      expect(r.findings.map((f) => f.explanation).join('\n')).to.contain('header says 119.10').and.contain('100.004 has more decimals than EUR allows; compared as 100.00');
      expect(r.status).to.equal('matched');
    });
  });
});
