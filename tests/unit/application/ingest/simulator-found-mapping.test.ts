/**
 * Mapping bugs the traffic simulator found (issue 8), each reduced to one document (fixed: they run
 * with the suite).
 */
import { expect } from 'chai';
import { mapBusinessCentralDocument, NumberToken } from '../../../../src/application/ingest/erp/business-central.mapper';


describe('mapping bugs found by the simulator', () => {
  // Business Central G/L line for a cash-on-delivery charge: a fee, not freight.
  it('a BC G/L line described "Cash on delivery fee" maps to kind fee, not shipping', () => {
    const n = (t: string) => new NumberToken(t);
    const doc = {
      number: 'S-INV1', externalDocumentNumber: 'O1', postingDate: '2024-06-10', currencyCode: '', pricesIncludeTax: true,
      totalAmountExcludingTax: n('1.68'), totalTaxAmount: n('0.32'), totalAmountIncludingTax: n('2'),
      salesInvoiceLines: [{ sequence: n('10000'), lineType: 'Account', lineObjectNumber: '4450', description: 'Cash on delivery fee', quantity: n('1'), taxCode: 'DE-VAT19', taxPercent: n('19'), netAmount: n('1.68'), netTaxAmount: n('0.32'), netAmountIncludingTax: n('2') }],
    };
    expect(mapBusinessCentralDocument(doc, 'sales_invoice', 'EUR').document.lines[0]!.kind).to.equal('fee');
  });
});
