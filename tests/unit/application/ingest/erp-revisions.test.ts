import { expect } from 'chai';
import { differences as valueDiffs, differencesFromStored as storedDiffs, type PostedDocument } from '../../../../src/application/ingest/erp/erp-revisions';
import type { RecordedEvent } from '../../../../src/application/ports/event-store.port';
import type { ErpDocument } from '../../../../src/domain/erp/erp-document';
import type { ErpQuantisedAmount } from '../../../../src/domain/order/order.events';
import { erpInvoice } from '../../../support/ops';

/** The canonical invoice of the ops fixtures (order 901), typed as the domain reads it. */
const doc = (overrides: Partial<ErpDocument> = {}): ErpDocument => erpInvoice('SI-1', '901', overrides) as unknown as ErpDocument;

const withLine = (i: number, over: Partial<ErpDocument['lines'][number]>): ErpDocument => {
  const d = doc();
  d.lines[i] = { ...d.lines[i]!, ...over };
  return d;
};

/** The paths where two postings differ. */
const differences = (a: PostedDocument, b: PostedDocument): string[] => valueDiffs(a, b).map((d) => d.path);
const differencesFromStored = (stored: RecordedEvent, posted: PostedDocument): string[] => storedDiffs(stored, posted).map((d) => d.path);

const quantised = (original: string, quantisedTo = '1245.89'): ErpQuantisedAmount => ({ code: 'SUB_MINOR_UNIT_AMOUNT', original, quantised: quantisedTo, currency: 'EUR', mode: 'half_up', field: 'salesInvoiceLines[0].netAmount' });

describe('ingest: two postings of one ERP document (erp-revisions differences)', () => {
  it('amounts compare by value in the document currency: 13.9, 13.90 and 13.900 are one amount', () => {
    expect(differences({ document: doc() }, { document: doc({ totals: { net: '11.68', tax: '2.22', gross: '13.9' } }) })).to.deep.equal([]);
    expect(differences({ document: doc() }, { document: doc({ totals: { net: '11.680', tax: '2.220', gross: '13.900' } }) })).to.deep.equal([]);
    expect(differences({ document: doc() }, { document: withLine(0, { net: '10', tax: '1.9', gross: '11.9' }) })).to.deep.equal([]);
    expect(differences({ document: doc({ currency: 'JPY', totals: { net: '1168', tax: '222', gross: '1390' }, lines: [] }) }, { document: doc({ currency: 'JPY', totals: { net: '1168.0', tax: '222', gross: '1390' }, lines: [] }) })).to.deep.equal([]);
  });

  it('any real difference stays a difference: another amount, line, currency or order reference text', () => {
    expect(differences({ document: doc() }, { document: doc({ totals: { net: '11.68', tax: '2.22', gross: '13.91' } }) })).to.deep.equal(['totals.gross']);
    expect(differences({ document: doc() }, { document: withLine(1, { net: '1.69' }) })).to.deep.equal(['lines[1].net']);
    expect(differences({ document: doc() }, { document: withLine(1, { net: '-1.68' }) })).to.deep.equal(['lines[1].net']);
    expect(differences({ document: doc() }, { document: doc({ lines: doc().lines.slice(0, 1) }) })).to.deep.equal(['lines[1]']);
    expect(differences({ document: doc() }, { document: doc({ currency: 'CHF' }) })).to.deep.equal(['currency']);
    expect(differences({ document: doc() }, { document: doc({ orderReference: 'ref-901' }) })).to.deep.equal(['orderReference']);
    // a sub-minor-unit digit is a real difference, not a way of writing the same amount
    expect(differences({ document: doc() }, { document: doc({ totals: { net: '11.681', tax: '2.22', gross: '13.90' } }) })).to.deep.equal(['totals.net']);
  });

  it('rates and quantities compare by value too (user trial: taxRate "0.190" for "0.19" and quantity "01" for "1" were 409s); another value stays a difference', () => {
    expect(differences({ document: doc() }, { document: withLine(0, { taxRate: '0.190', quantity: '01' }) })).to.deep.equal([]);
    expect(differences({ document: doc({ exchangeRate: '1.1' }) }, { document: doc({ exchangeRate: '1.10' }) })).to.deep.equal([]);
    expect(differences({ document: doc() }, { document: withLine(0, { taxRate: '0.2', quantity: '2' }) })).to.deep.equal(['lines[0].quantity', 'lines[0].taxRate']);
    expect(differences({ document: doc({ exchangeRate: '1.1' }) }, { document: doc({ exchangeRate: '1.11' }) })).to.deep.equal(['exchangeRate']);
    // dates stay dates, compared as sent
    expect(differences({ document: doc() }, { document: doc({ postingDate: '2024-06-04' }) })).to.deep.equal(['postingDate']);
  });

  it('names each differing field with both values (the 409 detail says what differs)', () => {
    expect(valueDiffs({ document: doc() }, { document: withLine(0, { taxRate: '0.07', net: '10.01' }) })).to.deep.equal([
      { path: 'lines[0].net', recorded: '10.00', posted: '10.01' },
      { path: 'lines[0].taxRate', recorded: '0.19', posted: '0.07' },
    ]);
  });

  it('amounts a mapper quantised (Business Central) compare by value too: 1245.885 and 1245.8850 were one figure, 1245.8851 another', () => {
    expect(differences({ document: doc(), warnings: [quantised('1245.885')] }, { document: doc(), warnings: [quantised('1245.8850')] })).to.deep.equal([]);
    expect(differences({ document: doc(), warnings: [quantised('1245.885')] }, { document: doc(), warnings: [quantised('1245.8851')] })).to.deep.equal(['quantisedAmounts[0].original']);
    expect(differences({ document: doc(), warnings: [quantised('1245.885')] }, { document: doc(), warnings: [] })).to.deep.equal(['quantisedAmounts[0]']);
  });

  it('a recorded fact with amounts written with extra zeros is the same document as the one posted on scale', () => {
    const stored = { id: 'e1', type: 'ErpInvoicePosted', streamId: 'order-msde-DE-901', revision: 0n, position: 1n, created: '2024-06-03T00:00:00Z', data: { document: doc({ totals: { net: '11.680', tax: '2.220', gross: '13.900' } }), raw: {}, quantisedAmounts: [] }, metadata: { orderReferenceAsSent: '901' } } as unknown as RecordedEvent;
    expect(differencesFromStored(stored, { document: doc() })).to.deep.equal([]);
    expect(differencesFromStored(stored, { document: doc({ totals: { net: '11.68', tax: '2.22', gross: '13.80' } }) })).to.deep.equal(['totals.gross']);
  });
});
