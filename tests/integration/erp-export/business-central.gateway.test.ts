import { expect } from 'chai';
import { canonicalJson } from '../../../src/application/shared/canonical-json';
import type { ErpExportCall } from '../../../src/application/ports/erp-gateway.port';
import type { ErpDocument } from '../../../src/domain/erp/erp-document';
import { BcTokenProvider } from '../../../src/infrastructure/erp/business-central/bc-token.provider';
import { BusinessCentralGateway } from '../../../src/infrastructure/erp/business-central/business-central.gateway';
import { BusinessCentralStub } from '../../support/business-central-stub';

function invoice(orderId: string, number = `${orderId}-INV1`, type: ErpDocument['documentType'] = 'invoice'): ErpDocument {
  return {
    documentType: type,
    documentNumber: number,
    revision: 0,
    status: 'open',
    orderReference: orderId,
    postingDate: '2024-05-02',
    documentDate: '2024-05-02',
    currency: 'EUR',
    pricesIncludeTax: false,
    totals: { net: '169.80', tax: '32.26', gross: '202.06' },
    lines: [
      { lineNumber: 10000, kind: 'item', orderItemIds: ['1', '2', '3'], variantReferenceKey: 'A', erpItemNumber: '1928-S', quantity: '3', net: '164.70', tax: '31.29', gross: '195.99', taxCode: 'VAT19', taxRate: '0.19', description: 'Variant A' },
      { lineNumber: 20000, kind: 'discount', orderItemIds: ['1', '2', '3'], variantReferenceKey: 'A', erpItemNumber: '8700', quantity: '1', net: '-10.00', tax: '-1.90', gross: '-11.90', taxCode: 'VAT19', taxRate: '0.19' },
      { lineNumber: 30000, kind: 'shipping', erpItemNumber: '8400', quantity: '1', net: '15.10', tax: '2.87', gross: '17.97', taxCode: 'VAT19', taxRate: '0.19', description: 'Shipping (delivery)' },
    ],
  };
}

const call = (document: ErpDocument, extra: Partial<ErpExportCall> = {}): ErpExportCall => ({ exportId: `x-${document.documentNumber}`, document, canonical: canonicalJson(document), mayExist: false, knownErpNumbers: [], ...extra });

describe('Business Central API v2.0 gateway (local stub)', () => {
  const stub = new BusinessCentralStub();
  let gateway: BusinessCentralGateway;

  before(async () => {
    await stub.start();
  });
  after(() => stub.stop());
  beforeEach(() => {
    stub.reset();
    const tokens = new BcTokenProvider({ tokenUrl: stub.tokenUrl, clientId: 'ledger', clientSecret: 'bc-secret', scope: 'https://api.businesscentral.dynamics.com/.default', timeoutMs: 1000 });
    gateway = new BusinessCentralGateway({ apiBaseUrl: stub.apiBaseUrl, companyId: stub.companyId, customerNumber: '10000', companyCurrency: 'EUR', timeoutMs: 300, tokens });
  });

  it('gets a client-credentials token once and creates a sales invoice with its lines in one request; answers BC\'s number', async () => {
    const results = await gateway.exportDocuments([call(invoice('901')), call(invoice('902'))]);
    expect(results).to.deep.equal([
      { ok: true, receipt: { erpDocumentNumber: 'PS-INV-1001', erpDocumentId: stub.documents[0]!.id, readBack: false } },
      { ok: true, receipt: { erpDocumentNumber: 'PS-INV-1002', erpDocumentId: stub.documents[1]!.id, readBack: false } },
    ]);
    expect(stub.tokenRequests).to.equal(1);
    const token = stub.requests.find((r) => r.path === '/token')!;
    expect(Object.fromEntries(new URLSearchParams(token.text))).to.deep.equal({ grant_type: 'client_credentials', client_id: 'ledger', client_secret: 'bc-secret', scope: 'https://api.businesscentral.dynamics.com/.default' });
    expect(stub.calls()).to.deep.equal([`POST /api/v2.0/companies(${stub.companyId})/salesInvoices`, `POST /api/v2.0/companies(${stub.companyId})/salesInvoices`]);
    const post = stub.requests.find((r) => r.method === 'POST' && r.path !== '/token')!;
    expect(post.headers.authorization).to.equal('Bearer bc-token-1');
    expect(post.body).to.deep.equal({
      externalDocumentNumber: '901',
      invoiceDate: '2024-05-02',
      postingDate: '2024-05-02',
      customerNumber: '10000',
      currencyCode: '',
      salesInvoiceLines: [
        { sequence: 10000, lineType: 'Item', lineObjectNumber: '1928-S', description: 'Variant A', quantity: 3, unitPrice: 54.9, taxCode: 'VAT19', discountAmount: 10 },
        { sequence: 30000, lineType: 'Account', lineObjectNumber: '8400', description: 'Shipping (delivery)', quantity: 1, unitPrice: 15.1, taxCode: 'VAT19' },
      ],
    });
    // Numbers are written from their decimal text, never through a float.
    expect(post.text).to.contain('"unitPrice":54.9,').and.to.contain('"unitPrice":15.1,');
  });

  it('creates credit memos (invoiceNumber = the invoice corrected) and sales orders on their endpoints; a foreign currency is sent as is', async () => {
    const credit = { ...invoice('903', '903-CR1', 'credit_memo'), appliesToDocumentNumber: 'PS-INV-1', currency: 'CHF' };
    const order = invoice('904', '904-SO1', 'sales_order');
    const results = await gateway.exportDocuments([call(credit), call(order)]);
    expect(results.map((r) => r.ok && r.receipt.erpDocumentNumber)).to.deep.equal(['PS-CR-1001', 'S-ORD-1002']);
    const [cr, so] = stub.documents;
    expect(cr!.body).to.deep.include({ creditMemoDate: '2024-05-02', invoiceNumber: 'PS-INV-1', currencyCode: 'CHF' });
    expect(cr!.body).to.have.property('salesCreditMemoLines').with.length(2);
    expect(so!.body).to.deep.include({ orderDate: '2024-05-02' });
    expect(so!.body).to.have.property('salesOrderLines');
  });

  it('reads back by externalDocumentNumber before a repeated attempt and takes the document it created, never a second one', async () => {
    stub.faults = [{ match: (r) => r.method === 'POST', delayMs: 600 }];
    const [timedOut] = await gateway.exportDocuments([call(invoice('905'))]);
    expect(timedOut!.ok).to.equal(false);
    expect(!timedOut!.ok && timedOut!.error).to.deep.include({ status: 0, errorKey: 'timeout', retriable: true });
    expect(stub.documents).to.have.length(1);

    const [again] = await gateway.exportDocuments([call(invoice('905'), { mayExist: true })]);
    expect(again).to.deep.equal({ ok: true, receipt: { erpDocumentNumber: stub.documents[0]!.number, erpDocumentId: stub.documents[0]!.id, readBack: true } });
    const get = stub.requests.filter((r) => r.method === 'GET');
    expect(get).to.have.length(1);
    expect(get[0]!.query.get('$filter')).to.equal("externalDocumentNumber eq '905'");
    expect(stub.documents).to.have.length(1);
  });

  it('a read-back skips the documents the ledger already recorded and creates the next one', async () => {
    await gateway.exportDocuments([call(invoice('906'))]);
    const [second] = await gateway.exportDocuments([call(invoice('906', '906-INV2'), { mayExist: true, knownErpNumbers: [stub.documents[0]!.number] })]);
    expect(second!.ok && second!.receipt).to.deep.include({ readBack: false, erpDocumentNumber: 'PS-INV-1002' });
    expect(stub.documents.map((d) => d.externalDocumentNumber)).to.deep.equal(['906', '906']);
  });

  it('renews the token once on 401', async () => {
    await gateway.exportDocuments([call(invoice('907'))]);
    stub.rotateToken();
    const [r] = await gateway.exportDocuments([call(invoice('908'))]);
    expect(r!.ok).to.equal(true);
    expect(stub.tokenRequests).to.equal(2);
  });

  it('429: retriable with BC\'s Retry-After, and the rest of the batch is not sent; 400 is a refusal; 503 retriable', async () => {
    stub.faults = [{ status: 429, headers: { 'Retry-After': '7' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } }];
    const results = await gateway.exportDocuments([call(invoice('909')), call(invoice('910'))]);
    for (const r of results) {
      expect(r.ok).to.equal(false);
      expect(!r.ok && r.error).to.deep.include({ status: 429, errorKey: 'TooManyRequests', retriable: true, retryAfterMs: 7000 });
      expect(!r.ok && r.error.rateLimited).to.equal(true);
    }
    expect(stub.calls()).to.have.length(1);

    stub.faults = [
      { status: 400, body: { error: { code: 'BadRequest_NotFound', message: 'Item 1928-S does not exist' } } },
      { status: 503 },
    ];
    const [refused, unavailable] = await gateway.exportDocuments([call(invoice('911')), call(invoice('912'))]);
    expect(!refused!.ok && refused!.error).to.deep.include({ status: 400, errorKey: 'BadRequest_NotFound', retriable: false });
    expect(!refused!.ok && refused!.error.message).to.match(/Item 1928-S does not exist/);
    expect(!unavailable!.ok && unavailable!.error).to.deep.include({ status: 503, retriable: true });
  });

  it('refuses with the token endpoint\'s answer when the credentials are wrong (not retriable)', async () => {
    const tokens = new BcTokenProvider({ tokenUrl: stub.tokenUrl, clientId: 'ledger', clientSecret: 'wrong', scope: 's', timeoutMs: 1000 });
    const bad = new BusinessCentralGateway({ apiBaseUrl: stub.apiBaseUrl, companyId: stub.companyId, customerNumber: '10000', companyCurrency: 'EUR', timeoutMs: 300, tokens });
    const [r] = await bad.exportDocuments([call(invoice('913'))]);
    expect(!r!.ok && r!.error).to.deep.include({ status: 401, errorKey: 'token_rejected', retriable: false });
    expect(stub.documents).to.have.length(0);
  });
});
