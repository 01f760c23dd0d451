import { expect } from 'chai';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { codes, erpFact, policy, scayleFact, state, type OrderSpec } from '../support/builders';
import { exported, failed, plan, requested } from './export-builders';

const SPEC: OrderSpec = { items: [{ id: '1', variant: 'A', gross: 11900, net: 10000, tax: 1900, rate: '0.19' }] };
const confirmed = scayleFact('c', 'ScayleOrderConfirmed', SPEC, '2024-06-10T10:00:00Z');
const invoiced = scayleFact('i', 'ScayleOrderInvoiced', { ...SPEC, invoicedAt: '2024-06-10T12:00:00Z' }, '2024-06-10T12:00:00Z');
const sale = plan(state(confirmed, invoiced), {}, '2024-06-10T12:15:00Z')[0]!;
const missing = (r: ReturnType<typeof reconcileOrder>) => r.findings.find((f) => f.code === 'MISSING_IN_ERP');

describe('domain/erp-export in the reconciliation', () => {
  it('MISSING_IN_ERP "not yet due" when the order never reached the trigger state', () => {
    const r = reconcileOrder(state(confirmed), policy(), '2024-06-12T00:00:00Z');
    expect(missing(r)).to.deep.include({ reason: 'not_yet_due', findingId: 'order-msde-DE-O1/MISSING_IN_ERP/order/invoice' });
    expect(missing(r)!.explanation).to.match(/has not reached order-invoiced in Scayle/);
    expect(r.erpExport).to.deep.equal({ status: 'not_due', exports: [] });
  });

  it('MISSING_IN_ERP "not exported" when due and never requested (text as before the export flow)', () => {
    const r = reconcileOrder(state(confirmed, invoiced), policy(), '2024-06-12T00:00:00Z');
    expect(missing(r)!.reason).to.equal('not_exported');
    expect(missing(r)!.explanation).to.match(/: export the order to the ERP$/);
    expect(r.erpExport!.status).to.equal('not_requested');
  });

  it('MISSING_IN_ERP "export pending" while requested and not accepted', () => {
    const r = reconcileOrder(state(confirmed, invoiced, requested(sale)), policy(), '2024-06-12T00:00:00Z');
    expect(missing(r)!.reason).to.equal('export_pending');
    expect(r.erpExport).to.deep.include({ status: 'pending' });
  });

  it('a blocked export is a SYNC_FAILURE naming the missing mapping at once, and MISSING_IN_ERP "export failed" after the window', () => {
    const blocked = failed(sale, 1, 'mapping_missing', [{ kind: 'item', variantReferenceKey: 'A', itemIds: ['1'] }], '2024-06-10T12:16:00Z');
    const early = reconcileOrder(state(confirmed, invoiced, requested(sale), blocked), policy(), '2024-06-10T13:00:00Z');
    expect(codes(early)).to.deep.equal(['SYNC_FAILURE']);
    const sync = early.findings[0]!;
    expect(sync).to.deep.include({ owner: 'operations', component: 'order', reason: 'mapping_missing', documentNumber: 'O1-INV1', findingId: 'order-msde-DE-O1/SYNC_FAILURE/order/erp-export:O1-INV1' });
    expect(sync.explanation).to.match(/no ERP item number for variant A .*add the mapping/);
    expect(early.pending).to.deep.equal(['invoice']);
    expect(early.status).to.equal('drift');
    const late = reconcileOrder(state(confirmed, invoiced, requested(sale), blocked), policy(), '2024-06-12T00:00:00Z');
    expect(codes(late)).to.deep.equal(['MISSING_IN_ERP', 'SYNC_FAILURE']);
    expect(missing(late)!.reason).to.equal('export_failed');
    expect(late.erpExport!.exports[0]).to.deep.include({ status: 'blocked', failureReason: 'mapping_missing' });
  });

  it('the SYNC_FAILURE closes once the export succeeds', () => {
    const blocked = failed(sale, 1, 'mapping_missing', [{ kind: 'item', variantReferenceKey: 'A', itemIds: ['1'] }]);
    const r = reconcileOrder(state(confirmed, invoiced, requested(sale), blocked, exported(sale, 'PS-INV-7', '2024-06-10T14:00:00Z')), policy(), '2024-06-10T15:00:00Z');
    expect(codes(r)).to.deep.equal([]);
    expect(r.pending).to.deep.equal(['invoice']);
    expect(r.erpExport!.exports[0]).to.deep.include({ status: 'exported', erpDocumentNumber: 'PS-INV-7' });
  });

  it('exported but not posted: pending until the grace window after the export, then MISSING_IN_ERP "exported_not_posted"', () => {
    const s = state(confirmed, invoiced, requested(sale), exported(sale, 'PS-INV-7', '2024-06-11T10:00:00Z'));
    // 24 h after the sale but only 14 h after the export: still pending.
    expect(codes(reconcileOrder(s, policy(), '2024-06-12T00:00:00Z'))).to.deep.equal([]);
    const r = reconcileOrder(s, policy(), '2024-06-12T10:00:01Z');
    expect(missing(r)).to.deep.include({ reason: 'exported_not_posted', component: 'order' });
    expect(missing(r)!.explanation).to.match(/exported to the ERP as PS-INV-7 .* post the document in the ERP$/);
  });

  it('once the ERP posts the exported invoice, nothing is missing', () => {
    const posted = erpFact('e', { number: 'PS-INV-7', lines: [{ net: '100.00', tax: '19.00', gross: '119.00', variant: 'A' }] }, '2024-06-11T11:00:00Z');
    const r = reconcileOrder(state(confirmed, invoiced, requested(sale), exported(sale, 'PS-INV-7'), posted), policy(), '2024-06-20T00:00:00Z');
    expect(codes(r)).to.deep.equal([]);
    expect(r.status).to.equal('matched');
  });
});
