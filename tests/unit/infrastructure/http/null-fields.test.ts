import { expect } from 'chai';
import { AcknowledgeExceptionDto } from '../../../../src/infrastructure/http/exceptions/exceptions.dto';
import { ErpDocumentDto } from '../../../../src/infrastructure/http/ingest/erp-document.dto';
import { PspSettlementBatchDto } from '../../../../src/infrastructure/http/ingest/psp-settlement.dto';
import { ClosePeriodDto } from '../../../../src/infrastructure/http/periods/periods.dto';
import { HttpProblem } from '../../../../src/infrastructure/http/problem-details';
import { validateDto } from '../../../../src/infrastructure/http/validation';

async function fieldErrors(dto: Parameters<typeof validateDto>[0], body: unknown): Promise<{ field: string; message: string }[]> {
  try {
    await validateDto(dto, body);
  } catch (err) {
    if (err instanceof HttpProblem) return err.extensions.errors ?? [];
    throw err;
  }
  return [];
}

const NULL_MESSAGE = 'must not be null: leave the field out instead';
const erpDocument = (over: Record<string, unknown> = {}, line: Record<string, unknown> = {}) => ({
  documentType: 'invoice',
  documentNumber: 'SI-1',
  revision: 1,
  status: 'posted',
  orderReference: '901',
  postingDate: '2024-06-01',
  documentDate: '2024-06-01',
  currency: 'EUR',
  pricesIncludeTax: true,
  totals: { net: '10.00', tax: '1.90', gross: '11.90' },
  lines: [{ lineNumber: 1, kind: 'item', quantity: '1', net: '10.00', tax: '1.90', gross: '11.90', ...line }],
  ...over,
});

describe('validateDto: null for a field', () => {
  it('refuses null for an optional field, naming it (class-validator @IsOptional alone would let it through)', async () => {
    expect(await fieldErrors(AcknowledgeExceptionDto, { note: null })).to.deep.equal([{ field: 'note', message: NULL_MESSAGE }]);
    expect(await fieldErrors(ClosePeriodDto, { override: null })).to.deep.equal([{ field: 'override', message: NULL_MESSAGE }]);
  });

  it('names nulls in nested DTOs and arrays of them by their path', async () => {
    const batch = {
      provider: 'adyen',
      batchId: 'B-1',
      currency: 'EUR',
      payoutDate: '2024-06-05',
      payoutAmount: '96.80',
      lines: [{ lineId: 'L1', type: 'capture', paymentReference: 'ref-1', orderId: null, gross: '100.00', fee: '3.20', net: '96.80', currency: 'EUR', bookedAt: '2024-06-04T10:00:00Z', fxRate: null }],
    };
    const errors = await fieldErrors(PspSettlementBatchDto, batch);
    expect(errors).to.have.deep.members([
      { field: 'lines[0].orderId', message: NULL_MESSAGE },
      { field: 'lines[0].fxRate', message: NULL_MESSAGE },
    ]);
    expect(await fieldErrors(ErpDocumentDto, erpDocument({}, { description: null }))).to.deep.equal([{ field: 'lines[0].description', message: NULL_MESSAGE }]);
  });

  it('a required field that is null is named once, as null (README: "must not be null"), not with its validators\' messages', async () => {
    expect(await fieldErrors(ErpDocumentDto, erpDocument({ currency: null }))).to.deep.equal([{ field: 'currency', message: NULL_MESSAGE }]);
    expect(await fieldErrors(ErpDocumentDto, erpDocument({ revision: null }))).to.deep.equal([{ field: 'revision', message: NULL_MESSAGE }]);
  });

  it('accepts null where the spec declares the field nullable (orderReference, lines[].taxCode)', async () => {
    expect(await fieldErrors(ErpDocumentDto, erpDocument({ orderReference: null }, { taxCode: null }))).to.deep.equal([]);
    expect(await fieldErrors(ErpDocumentDto, erpDocument({}, { taxCode: 'DE19' }))).to.deep.equal([]);
    expect((await fieldErrors(ErpDocumentDto, erpDocument({}, { taxCode: 19 }))).map((e) => e.field)).to.deep.equal(['lines[0].taxCode']);
  });
});
