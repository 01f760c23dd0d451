import { expect } from 'chai';
import { buildExportDocument, type ExportMappings } from '../../../../src/domain/erp-export/erp-export.document';
import { scayleFact, state, type OrderSpec } from '../support/builders';
import { plan } from './export-builders';

const SPEC: OrderSpec = {
  items: [
    { id: '1', variant: 'A', gross: 1000, net: 840, tax: 160, rate: '0.19' },
    { id: '2', variant: 'A', gross: 1000, net: 840, tax: 160, rate: '0.19' },
    { id: '3', variant: 'A', gross: 1000, net: 840, tax: 160, rate: '0.19' },
    { id: '4', variant: 'B', gross: 535, net: 500, tax: 35, rate: '0.07' },
  ],
  fees: [{ key: 'delivery', category: 'delivery', gross: 495, net: 416, tax: 79, rate: '0.19' }],
};
const MAPPINGS: ExportMappings = {
  itemNumbers: { A: '1000-A', B: '2000-B' },
  taxCodes: [
    { countryCode: 'DE', rate: '0.19', taxCode: 'DE19' },
    { countryCode: 'DE', rate: '0.07', taxCode: 'DE7' },
  ],
  feeAccounts: { delivery: '8400' },
  discountAccount: '8700',
};
const PROFILE = { level: 'per_document', mode: 'half_up', pricesIncludeTax: false } as const;

function orderState(spec: OrderSpec = SPEC) {
  return state(scayleFact('c', 'ScayleOrderConfirmed', spec), scayleFact('i', 'ScayleOrderInvoiced', { ...spec, invoicedAt: '2024-06-12T08:00:00Z' }, '2024-06-12T08:00:00Z'));
}

describe('domain/erp-export mapping onto the canonical ERP document', () => {
  it('aggregates units per variant and rate, maps item numbers, tax codes and the shipping account; figures under the profile', () => {
    const s = orderState();
    const result = buildExportDocument(s, plan(s)[0]!, MAPPINGS, PROFILE);
    expect(result.ok).to.equal(true);
    const doc = (result as { document: import('../../../../src/domain/erp/erp-document').ErpDocument }).document;
    expect(doc).to.deep.include({ documentType: 'invoice', documentNumber: 'O1-INV1', revision: 0, status: 'open', orderReference: 'O1', postingDate: '2024-06-12', documentDate: '2024-06-12', currency: 'EUR', pricesIncludeTax: false });
    expect(doc.lines).to.deep.equal([
      { lineNumber: 10000, kind: 'item', orderItemIds: ['1', '2', '3'], variantReferenceKey: 'A', taxRate: '0.19', taxCode: 'DE19', erpItemNumber: '1000-A', quantity: '3', description: 'Variant A', net: '25.20', tax: '4.79', gross: '29.99' },
      { lineNumber: 20000, kind: 'item', orderItemIds: ['4'], variantReferenceKey: 'B', taxRate: '0.07', taxCode: 'DE7', erpItemNumber: '2000-B', quantity: '1', description: 'Variant B', net: '5.00', tax: '0.35', gross: '5.35' },
      { lineNumber: 30000, kind: 'shipping', erpItemNumber: '8400', quantity: '1', taxRate: '0.19', taxCode: 'DE19', description: 'Shipping (delivery)', net: '4.16', tax: '0.79', gross: '4.95' },
    ]);
    // BC-style per-document VAT: 19 % of 29.36 rounded once (5.58), the shipping line takes the remainder.
    expect(doc.totals).to.deep.equal({ net: '34.36', tax: '5.93', gross: '40.29' });
  });

  it('names every missing mapping instead of a document', () => {
    const s = orderState({ ...SPEC, channelType: 'marketplace' });
    const result = buildExportDocument(s, plan(s)[0]!, { itemNumbers: { A: '1000-A' }, taxCodes: [{ countryCode: 'DE', rate: '0.19', taxCode: 'DE19' }], feeAccounts: {} }, PROFILE);
    expect(result).to.deep.equal({
      ok: false,
      missing: [
        { kind: 'item', variantReferenceKey: 'B', itemIds: ['4'] },
        { kind: 'tax_code', countryCode: 'DE', rate: '0.07', channelType: 'marketplace' },
        { kind: 'fee_account', category: 'delivery' },
      ],
    });
  });

  it('bills reduced units at the undiscounted price with a discount line for the reductions', () => {
    const s0 = orderState();
    const order = (Object.values(s0.scayleFacts)[0]!.data.order);
    const items = order.items.map((i) => (i.itemId === '4' ? { ...i, undiscountedNet: '6.00', undiscountedGross: '6.42' } : i));
    const s = state(scayleFact('c', 'ScayleOrderConfirmed', SPEC), { ...scayleFact('i', 'ScayleOrderInvoiced', SPEC, '2024-06-12T08:00:00Z'), data: { order: { ...order, items } } });
    const result = buildExportDocument(s, plan(s)[0]!, MAPPINGS, PROFILE);
    const lines = (result as { ok: true; document: { lines: { kind: string; net: string; gross: string; erpItemNumber?: string; orderItemIds?: string[] }[] } }).document.lines;
    expect(lines.map((l) => [l.kind, l.net, l.gross, l.erpItemNumber])).to.deep.equal([
      ['item', '25.20', '29.99', '1000-A'],
      ['item', '6.00', '6.42', '2000-B'],
      ['discount', '-1.00', '-1.07', '8700'],
      ['shipping', '4.16', '4.95', '8400'],
    ]);
    expect(lines[2]!.orderItemIds).to.deep.equal(['4']);
  });

  it('prices gross when the profile enters prices including tax', () => {
    const s = orderState();
    const result = buildExportDocument(s, plan(s)[0]!, MAPPINGS, { ...PROFILE, pricesIncludeTax: true });
    const doc = (result as { ok: true; document: { pricesIncludeTax: boolean; lines: { gross: string; net: string }[] } }).document;
    expect(doc.pricesIncludeTax).to.equal(true);
    expect(doc.lines.map((l) => l.gross)).to.deep.equal(['30.00', '5.35', '4.95']);
  });

  it('a credit memo names the invoice it corrects', () => {
    const s = orderState();
    const req = { ...plan(s)[0]!, documentKind: 'credit_memo' as const, category: 'credit' as const, documentNumber: 'O1-CR1', itemIds: ['4'], feeKeys: [] };
    const result = buildExportDocument(s, req, MAPPINGS, PROFILE, 'PS-INV-9');
    expect(result.ok && result.document).to.deep.include({ documentType: 'credit_memo', appliesToDocumentNumber: 'PS-INV-9', totals: { net: '5.00', tax: '0.35', gross: '5.35' } });
  });
});
