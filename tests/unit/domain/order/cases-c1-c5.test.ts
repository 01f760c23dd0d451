import { expect } from 'chai';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { evolve } from '../../../../src/domain/order/order.state';
import { codes, erpFact, LATER, payment, policy, scayleFact, state } from '../support/builders';

describe('reconciliation cases C1–C5', () => {
  describe('C1 — per-line vs per-document VAT (net prices)', () => {
    const items = [
      { id: '1', gross: 923, net: 750, tax: 173, rate: '0.23' },
      { id: '2', gross: 923, net: 750, tax: 173, rate: '0.23' },
    ];
    const given = (line: { net: string; tax: string; gross: string }) =>
      state(scayleFact('s1', 'ScayleOrderConfirmed', { items }), erpFact('e1', { lines: [{ ...line, qty: '2', rate: '0.23' }] }));

    it('reports an auto-accepted ROUNDING_DIFFERENCE on tax of 0.01, not a mismatch', () => {
      const r = reconcileOrder(given({ net: '15.00', tax: '3.45', gross: '18.45' }), policy(), LATER);
      expect(codes(r)).to.deep.equal(['ROUNDING_DIFFERENCE']);
      const f = r.findings[0]!;
      expect(f).to.include({ component: 'items', owner: 'finance', severity: 'info', autoAccepted: true, findingId: 'order-msde-DE-O1/ROUNDING_DIFFERENCE/items/sale' });
      expect(f.delta).to.deep.equal({ currency: 'EUR', gross: '0.01', net: '0.00', tax: '0.01' });
      expect(f.scayle).to.deep.equal({ currency: 'EUR', gross: '18.46', net: '15.00', tax: '3.46' });
      expect(f.explanation).to.match(/exactly its per_document half_up rounding/);
      expect(f.eventIds).to.deep.equal(['e1', 's1']);
      expect(r.status).to.equal('matched_with_rounding');
    });
    it('a tax difference beyond ½ cent × rounded amounts is a TAX_MISMATCH', () => {
      const r = reconcileOrder(given({ net: '15.00', tax: '3.43', gross: '18.43' }), policy(), LATER);
      expect(codes(r)).to.deep.equal(['TAX_MISMATCH']);
      expect(r.findings[0]!.delta!.tax).to.equal('0.03');
      expect(r.status).to.equal('drift');
    });
    it('a different base is an AMOUNT_MISMATCH, whatever its size', () => {
      const r = reconcileOrder(given({ net: '14.99', tax: '3.45', gross: '18.44' }), policy(), LATER);
      expect(codes(r)).to.deep.equal(['AMOUNT_MISMATCH']);
      expect(r.findings[0]!.delta).to.deep.equal({ currency: 'EUR', gross: '0.02', net: '0.01', tax: '0.01' });
    });
    it('per_line ERP books the same as Scayle: matched', () => {
      const r = reconcileOrder(given({ net: '15.00', tax: '3.46', gross: '18.46' }), policy({ level: 'per_line' }), LATER);
      expect(r.findings).to.deep.equal([]);
      expect(r.status).to.equal('matched');
    });
    for (const [rate, unitTax, docTax] of [
      ['0.07', 53, '1.05'], // 7.50×0.07 = 0.525 → 0.53 per unit; 15.00×0.07 = 1.05
      ['0.2', 150, '3.00'],
      ['0.25', 188, '3.75'], // 1.875 → 1.88; 3.75
    ] as const) {
      it(`kind holds at rate ${rate}`, () => {
        const its = items.map((i) => ({ ...i, rate, tax: unitTax, gross: 750 + unitTax }));
        const docGross = (15 + Number(docTax)).toFixed(2);
        const r = reconcileOrder(state(scayleFact('s1', 'ScayleOrderConfirmed', { items: its }), erpFact('e1', { lines: [{ net: '15.00', tax: docTax, gross: docGross, qty: '2' }] })), policy(), LATER);
        const expected = 2 * unitTax === Math.round(Number(docTax) * 100) ? [] : ['ROUNDING_DIFFERENCE'];
        expect(codes(r)).to.deep.equal(expected);
      });
    }
  });

  describe('C2 — tax-inclusive prices, per-line vs per-document extraction', () => {
    const items = [1, 2, 3].map((n) => ({ id: String(n), gross: 1999, net: 1680, tax: 319, rate: '0.19' }));
    it('gross matches, net +0.01 and tax −0.01 move together: ROUNDING_DIFFERENCE only', () => {
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', { items }), erpFact('e1', { pricesIncludeTax: true, lines: [{ net: '50.39', tax: '9.58', gross: '59.97', qty: '3' }] }));
      const r = reconcileOrder(s, policy({ pricesIncludeTax: true }), LATER);
      expect(codes(r)).to.deep.equal(['ROUNDING_DIFFERENCE']);
      expect(r.findings[0]!.delta).to.deep.equal({ currency: 'EUR', gross: '0.00', net: '0.01', tax: '-0.01' });
      expect(r.status).to.equal('matched_with_rounding');
    });
    it('JPY: 2 × ¥1995 at 0.1, per_document down', () => {
      // Scayle per unit: net round(1995/1.1 = 1813.64) = 1814, tax 181. ERP: 3990/1.1 = 3627.27 → down 3627, tax 363.
      const jpy = [1, 2].map((n) => ({ id: String(n), gross: 1995, net: 1814, tax: 181, rate: '0.1' }));
      const s = state(scayleFact('s1', 'ScayleOrderConfirmed', { items: jpy, currency: 'JPY' }), erpFact('e1', { currency: 'JPY', pricesIncludeTax: true, lines: [{ net: '3627', tax: '363', gross: '3990', qty: '2' }] }));
      const r = reconcileOrder(s, policy({ pricesIncludeTax: true, mode: 'down' }), LATER);
      expect(codes(r)).to.deep.equal(['ROUNDING_DIFFERENCE']);
      expect(r.findings[0]!.delta).to.deep.equal({ currency: 'JPY', gross: '0', net: '1', tax: '-1' });
      expect(r.findings[0]!.autoAccepted).to.equal(true);
    });
  });

  describe('C3 — partial cancellation: recompute, never subtract', () => {
    const both = { items: [{ id: '1', gross: 1194, net: 1003, tax: 191, rate: '0.19' }, { id: '2', gross: 1194, net: 1003, tax: 191, rate: '0.19' }] };
    const afterCancel = { items: [both.items[0]!, { ...both.items[1]!, status: 'cancelled' }], updatedAt: '2024-06-11T09:00:00Z' };
    const confirmed = scayleFact('s1', 'ScayleOrderConfirmed', both);
    const cancelled = scayleFact('s2', 'ScayleOrderItemCancelled', afterCancel, '2024-06-11T09:00:00Z', ['2']);
    const inv0 = erpFact('e1', { lines: [{ net: '20.06', tax: '3.81', gross: '23.87', qty: '2' }] });
    const inv1 = erpFact('e2', { revision: 1, lines: [{ net: '10.03', tax: '1.91', gross: '11.94', qty: '1' }] }, '2024-06-11T10:00:00Z');

    it('no finding once the ERP corrected the invoice (revision replaces)', () => {
      const r = reconcileOrder(state(confirmed, inv0, cancelled, inv1), policy(), LATER);
      expect(r.findings).to.deep.equal([]);
      expect(r.status).to.equal('matched');
      expect(r.totals.scayle.EUR!.items).to.deep.equal({ gross: '11.94', net: '10.03', tax: '1.91' });
    });
    it('no finding when the correction is a credit memo of 10.03 / 1.90', () => {
      const cm = erpFact('e3', { type: 'credit_memo', number: 'CM-1', lines: [{ net: '10.03', tax: '1.90', gross: '11.93', ids: ['2'] }] }, '2024-06-11T10:00:00Z');
      const r = reconcileOrder(state(cancelled, cm, inv0, confirmed), policy(), LATER);
      expect(r.findings).to.deep.equal([]);
    });
    it('before the correction, the cancelled item is an AMOUNT_MISMATCH of the whole item', () => {
      const r = reconcileOrder(state(confirmed, inv0, cancelled), policy(), LATER);
      expect(codes(r)).to.deep.equal(['AMOUNT_MISMATCH']);
      expect(r.findings[0]!.delta).to.deep.equal({ currency: 'EUR', gross: '-11.93', net: '-10.03', tax: '-1.90' });
    });
    it('KWD at 0.25: recomputed per document, still no finding', () => {
      const k = { currency: 'KWD', items: [{ id: '1', gross: 1254, net: 1003, tax: 251, rate: '0.25' }, { id: '2', gross: 1254, net: 1003, tax: 251, rate: '0.25', status: 'cancelled' }] };
      const inv = erpFact('e2', { currency: 'KWD', revision: 1, lines: [{ net: '1.003', tax: '0.251', gross: '1.254' }] });
      const r = reconcileOrder(state(scayleFact('s2', 'ScayleOrderItemCancelled', k, undefined, ['2']), inv), policy(), LATER);
      expect(r.findings).to.deep.equal([]);
    });
  });

  describe('C4 — refund that leaves out shipping', () => {
    const spec = { items: [{ id: '1', gross: 5000, net: 4202, tax: 798, rate: '0.19' }], fees: [{ gross: 495, net: 416, tax: 79, rate: '0.19' }] };
    const returned = { ...spec, items: [{ ...spec.items[0]!, status: 'returned' }], updatedAt: '2024-06-15T09:00:00Z' };
    const inv = erpFact('e1', { lines: [{ net: '42.02', tax: '7.98', gross: '50.00' }, { kind: 'shipping', net: '4.16', tax: '0.79', gross: '4.95' }] });
    const given = (...cmLines: Parameters<typeof erpFact>[1]['lines']) =>
      state(
        scayleFact('s1', 'ScayleOrderConfirmed', spec),
        inv,
        scayleFact('s2', 'ScayleOrderItemReturned', returned, '2024-06-15T09:00:00Z', ['1']),
        payment('p1', 'refund', '54.95', { at: '2024-06-15T10:00:00Z' }),
        erpFact('e2', { type: 'credit_memo', number: 'CM-1', postingDate: '2024-06-15', lines: cmLines }, '2024-06-15T11:00:00Z'),
      );
    it('REFUND_RECONCILIATION_FAILURE on shipping, Δ gross 4.95 tax 0.79, naming shipping', () => {
      const r = reconcileOrder(given({ net: '42.02', tax: '7.98', gross: '50.00' }), policy(), LATER);
      expect(codes(r)).to.deep.equal(['REFUND_RECONCILIATION_FAILURE']);
      const f = r.findings[0]!;
      expect(f.component).to.equal('shipping');
      expect(f.delta).to.deep.equal({ currency: 'EUR', gross: '4.95', net: '4.16', tax: '0.79' });
      expect(f.explanation).to.match(/shipping/).and.match(/no shipping at all/);
      expect(f.eventIds).to.deep.equal(['e2', 'p1']);
    });
    it('a credit memo with the shipping line matches', () => {
      const r = reconcileOrder(given({ net: '42.02', tax: '7.98', gross: '50.00' }, { kind: 'shipping', net: '4.16', tax: '0.79', gross: '4.95' }), policy(), LATER);
      expect(r.findings).to.deep.equal([]);
      expect(r.totals.scayle.EUR!.order).to.deep.equal({ gross: '0.00' });
      expect(r.totals.erp.EUR!.order).to.deep.equal({ gross: '0.00', net: '0.00', tax: '0.00' });
    });
  });

  describe('C5 — duplicate webhook delivery', () => {
    it('the same event three times folds to the same state and one match', () => {
      const fact = scayleFact('s1', 'ScayleOrderConfirmed', { items: [{ id: '1', gross: 11900, net: 10000, tax: 1900, rate: '0.19' }] });
      const inv = erpFact('e1', { lines: [{ net: '100.00', tax: '19.00', gross: '119.00' }] });
      const once = state(fact, inv);
      const thrice = state(fact, fact, inv, fact);
      expect(evolve(once, fact)).to.equal(once);
      expect(reconcileOrder(thrice, policy(), LATER)).to.deep.equal(reconcileOrder(once, policy(), LATER));
      expect(reconcileOrder(thrice, policy(), LATER).status).to.equal('matched');
      expect(Object.keys(thrice.scayleFacts)).to.deep.equal(['s1']);
    });
  });
});
