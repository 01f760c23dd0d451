import { expect } from 'chai';
import { exportRecords } from '../../../../src/domain/erp-export/erp-export.state';
import { payment, scayleFact, state, type OrderSpec } from '../support/builders';
import { exported, plan, requested } from './export-builders';

const SPEC: OrderSpec = {
  items: [
    { id: '1', variant: 'A', gross: 11900, net: 10000, tax: 1900, rate: '0.19' },
    { id: '2', variant: 'A', gross: 11900, net: 10000, tax: 1900, rate: '0.19' },
    { id: '3', variant: 'B', gross: 5950, net: 5000, tax: 950, rate: '0.19', status: 'available' },
  ],
  fees: [{ key: 'delivery', category: 'delivery', gross: 495, net: 416, tax: 79, rate: '0.19' }],
};
const confirmed = scayleFact('c', 'ScayleOrderConfirmed', SPEC, '2024-06-10T10:00:00Z');
const invoiced = scayleFact('i', 'ScayleOrderInvoiced', { ...SPEC, invoicedAt: '2024-06-30T22:30:00Z' }, '2024-06-30T22:30:00Z');

describe('domain/erp-export planning', () => {
  it('is not due before the trigger state (order-invoiced)', () => {
    expect(plan(state(confirmed))).to.deep.equal([]);
  });

  it('on order-invoiced: one invoice for every unit not cancelled, with the fees, dated in the company time zone', () => {
    const [sale, ...rest] = plan(state(confirmed, invoiced));
    expect(rest).to.deep.equal([]);
    expect(sale).to.deep.include({
      exportId: 'x:erp-export:order-msde-DE-O1/sale/1',
      orderId: 'O1',
      documentKind: 'invoice',
      category: 'sale',
      sequence: 1,
      documentNumber: 'O1-INV1',
      reason: 'order_invoiced',
      itemIds: ['1', '2', '3'],
      feeKeys: ['delivery'],
      triggerEventId: 'i',
      postingDate: '2024-07-01',
      requestedAt: '2024-06-11T00:00:00Z',
    });
  });

  it('exports at confirmation, as a sales order, with the order-confirmed trigger', () => {
    const [sale] = plan(state(confirmed), { trigger: 'order-confirmed', saleDocumentKind: 'sales_order' });
    expect(sale).to.deep.include({ documentKind: 'sales_order', documentNumber: 'O1-SO1', reason: 'order_confirmed', itemIds: ['1', '2', '3'], postingDate: '2024-06-10' });
  });

  it('plans nothing twice: once requested, the same state decides nothing new', () => {
    const s0 = state(confirmed, invoiced);
    const [sale] = plan(s0);
    expect(plan(state(confirmed, invoiced, requested(sale!)))).to.deep.equal([]);
  });

  it('partial invoicing bills the units invoiced so far, then the rest with no second set of fees', () => {
    const partial = scayleFact('p', 'ScayleOrderPartiallyInvoiced', { ...SPEC, invoicedAt: '2024-06-11T09:00:00Z' }, '2024-06-11T09:00:00Z', ['1', '2']);
    const [first] = plan(state(confirmed, partial));
    expect(first).to.deep.include({ sequence: 1, reason: 'order_partially_invoiced', itemIds: ['1', '2'], feeKeys: ['delivery'] });
    const [second] = plan(state(confirmed, partial, requested(first!), invoiced));
    expect(second).to.deep.include({ sequence: 2, documentNumber: 'O1-INV2', reason: 'order_invoiced', itemIds: ['3'], feeKeys: [] });
  });

  it('a partially invoiced fact without item ids bills the shipped units of its snapshot', () => {
    const partial = scayleFact('p', 'ScayleOrderPartiallyInvoiced', { ...SPEC, items: SPEC.items.map((i) => (i.id === '3' ? i : { ...i, status: 'delivered' })) }, '2024-06-11T09:00:00Z');
    expect(plan(state(confirmed, partial))[0]!.itemIds).to.deep.equal(['1', '2']);
  });

  it('never bills cancelled units; a fully cancelled order is never due', () => {
    const cancelledItem = scayleFact('x', 'ScayleOrderItemCancelled', SPEC, '2024-06-10T11:00:00Z', ['3']);
    expect(plan(state(confirmed, cancelledItem, invoiced))[0]!.itemIds).to.deep.equal(['1', '2']);
    const cancelled = scayleFact('y', 'ScayleOrderCancelled', { ...SPEC, status: 'cancellation_completed' }, '2024-06-10T11:00:00Z');
    expect(plan(state(confirmed, cancelled, invoiced))).to.deep.equal([]);
  });

  it('a return after export is a credit memo for the returned units; before export nothing is credited', () => {
    const s = [confirmed, invoiced];
    const [sale] = plan(state(...s));
    const returned = scayleFact('r', 'ScayleOrderItemReturned', SPEC, '2024-07-05T10:00:00Z', ['2']);
    expect(plan(state(...s, requested(sale!), returned)), 'sale not exported yet').to.deep.equal([]);
    const [credit] = plan(state(...s, requested(sale!), exported(sale!, 'PS-INV-1'), returned));
    expect(credit).to.deep.include({
      documentKind: 'credit_memo',
      category: 'credit',
      sequence: 1,
      documentNumber: 'O1-CR1',
      reason: 'items_returned',
      itemIds: ['2'],
      feeKeys: [],
      correctsExportIds: [sale!.exportId],
      triggerEventId: 'r',
      postingDate: '2024-07-05',
    });
    expect(plan(state(...s, requested(sale!), exported(sale!, 'PS-INV-1'), returned, requested(credit!)))).to.deep.equal([]);
  });

  it('credits the shipping fee once Scayle refunded it, and everything on a cancellation after export', () => {
    const s = [confirmed, invoiced];
    const [sale] = plan(state(...s));
    const done = [requested(sale!), exported(sale!, 'PS-INV-1')];
    const returned = scayleFact('r', 'ScayleOrderItemReturned', SPEC, '2024-07-05T10:00:00Z', ['3']);
    const refund = payment('rf', 'refund', '64.45', { at: '2024-07-06T10:00:00Z' });
    const [credit] = plan(state(...s, ...done, returned, refund));
    expect(credit).to.deep.include({ itemIds: ['3'], feeKeys: ['delivery'], triggerEventId: 'rf', postingDate: '2024-07-06' });

    const cancelled = scayleFact('z', 'ScayleOrderCancelled', { ...SPEC, status: 'cancellation_completed' }, '2024-07-02T10:00:00Z');
    const [all] = plan(state(...s, ...done, cancelled));
    expect(all).to.deep.include({ reason: 'items_cancelled', itemIds: ['1', '2', '3'], feeKeys: ['delivery'] });
  });

  it('folds export facts independent of arrival order', () => {
    const [sale] = plan(state(confirmed, invoiced));
    const a = exportRecords(state(confirmed, invoiced, requested(sale!), exported(sale!, 'N1')));
    const b = exportRecords(state(exported(sale!, 'N1'), requested(sale!), invoiced, confirmed));
    expect(a.map((r) => [r.exportId, r.status])).to.deep.equal(b.map((r) => [r.exportId, r.status]));
    expect(a[0]!.status).to.equal('exported');
  });
});
