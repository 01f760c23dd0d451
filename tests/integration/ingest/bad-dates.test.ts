/**
 * Source times and dates the ledger cannot date (a malformed instant, a date that does not exist, or
 * one whose accounting period would lie outside the years 0001–9999, such as 9999-12-31T23:59:59Z in
 * Berlin, which is already the year 10000 there) are stopped at ingest: a Scayle payload (webhook,
 * Admin-API sync) is kept as a failed record naming the field, everything else is a 400 naming the
 * field with nothing appended. Before, they were accepted and the log held facts that dead-lettered
 * the projection, blocked every period close, or landed in periods such as `10000-0` no route reads.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { IngestUseCases } from '../../../src/infrastructure/di/modules/ingest.module';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, fixtureText, head, INGEST_ENV, localeEnvelope, scayleFixture, streamEvents } from '../../support/ingest';
import { erpInvoice } from '../../support/ops';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const WEBHOOKS = '/v1/ingest/scayle/webhooks';
const DOCS = '/v1/ingest/erp/documents';
const BC_INVOICES = '/v1/ingest/erp/business-central/sales-invoices';
const BC_CREDIT_MEMOS = '/v1/ingest/erp/business-central/sales-credit-memos';
const PSP = '/v1/ingest/psp/settlements';

/** The shared ERP invoice fixture (support/ops.ts) with these fields replaced. */
const erpDocument = (overrides: Record<string, unknown> = {}): Record<string, unknown> => erpInvoice('SI-DATES-1', '901', overrides);

function pspBatch(overrides: Record<string, unknown> = {}, line: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: 'adyen',
    batchId: 'B-DATES-1',
    currency: 'EUR',
    payoutDate: '2024-06-05',
    payoutAmount: '10.70',
    lines: [{ lineId: 'L1', type: 'capture', paymentReference: 'tx-dates', gross: '13.90', fee: '3.20', net: '10.70', currency: 'EUR', bookedAt: '2024-06-04T10:00:00Z', ...line }],
    ...overrides,
  };
}

const CSV_HEADER = 'provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,gross,fee,net,currency,bookedAt';
const pspCsv = (payoutDate: string, bookedAt: string) => `${CSV_HEADER}\nadyen,B-DATES-CSV,EUR,${payoutDate},10.70,L1,capture,tx-dates,13.90,3.20,10.70,EUR,${bookedAt}\n`;

describe('ingest: timestamps and dates outside what a period can hold', () => {
  const dir = tempDir();
  let service: LedgerService;
  const webhook = (body: unknown) => request(service.server).post(WEBHOOKS).set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(body));

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, INGEST_ENV), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  describe('Scayle webhooks: kept as a failed record naming the field (202 failed), nothing else appended', () => {
    const order = (id: number, extra: Record<string, unknown>) => ({ ...scayleFixture('OrderGetResponse.json'), id, ...extra });
    const cases: { name: string; id: number; type?: string; payload: (id: number) => Record<string, unknown>; field: string }[] = [
      { name: "the spec's orderConfirmed with confirmedAt \"garbage\"", id: 8101, payload: (id) => order(id, { confirmedAt: 'garbage' }), field: 'payload.confirmedAt' },
      { name: 'confirmedAt 9999-12-31T23:59:59+00:00 (the year 10000 in Berlin)', id: 8102, payload: (id) => order(id, { confirmedAt: '9999-12-31T23:59:59+00:00' }), field: 'payload.confirmedAt' },
      { name: 'confirmedAt 0000-01-01T00:00:00+00:00 (no year 0)', id: 8103, payload: (id) => order(id, { confirmedAt: '0000-01-01T00:00:00+00:00' }), field: 'payload.confirmedAt' },
      { name: 'invoicedAt on 30 February', id: 8104, type: 'order-invoiced', payload: (id) => order(id, { invoicedAt: '2024-02-30T10:00:00+00:00' }), field: 'payload.invoicedAt' },
      { name: 'updatedAt without an offset', id: 8105, payload: (id) => order(id, { updatedAt: '2024-06-01T10:00:00' }), field: 'payload.updatedAt' },
      { name: 'confirmedAt 2024-05-31T24:00:00+02:00 (RFC 3339 has no hour 24)', id: 8106, payload: (id) => order(id, { confirmedAt: '2024-05-31T24:00:00+02:00' }), field: 'payload.confirmedAt' },
      // re-trial: createdAt was judged only when no other order time was there
      { name: 'createdAt T24:00:00 beside a valid updatedAt', id: 8111, payload: (id) => order(id, { createdAt: '2024-05-31T24:00:00+00:00' }), field: 'payload.createdAt' },
      { name: 'createdAt on 30 February beside a valid updatedAt', id: 8112, payload: (id) => order(id, { createdAt: '2024-02-30T10:00:00+00:00' }), field: 'payload.createdAt' },
      { name: 'createdAt with offset +24:00', id: 8113, payload: (id) => order(id, { createdAt: '2024-05-31T10:00:00+24:00' }), field: 'payload.createdAt' },
      { name: 'createdAt without seconds', id: 8114, payload: (id) => order(id, { createdAt: '2024-05-31T10:00Z' }), field: 'payload.createdAt' },
      { name: 'an item createdAt without seconds', id: 8115, payload: (id) => order(id, { items: (scayleFixture<{ items: Record<string, unknown>[] }>('OrderGetResponse.json').items).map((it) => ({ ...it, createdAt: '2024-05-31T10:00Z' })) }), field: 'payload.items[0].createdAt' },
      { name: 'a wrapped order (item event) with confirmedAt "garbage"', id: 8107, type: 'order-item-cancelled', payload: (id) => ({ order: order(id, { confirmedAt: 'garbage' }), itemIds: [10976510] }), field: 'payload.order.confirmedAt' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await head(service);
        const body = { ...localeEnvelope(`wh-dates-${c.id}`, c.type ?? 'order-confirmed', c.payload(c.id)), occurredAt: '2024-06-01T10:00:00Z' };
        const res = await webhook(body).expect(202);
        expect(res.body).to.include({ status: 'failed', reason: 'invalid_timestamp' });
        expect(res.body.message).to.match(new RegExp(`^${c.field.replace(/[.[\]]/g, '\\$&')}: `));
        const [failure, ...more] = await streamEvents(service, `ingest-failure-${res.body.failureId}`);
        expect(more).to.deep.equal([]);
        expect(failure!.type).to.equal('IngestionFailed');
        expect(failure!.data).to.deep.include({ source: 'scayle', recordKind: 'scayle_webhook', sourceEventId: `wh-dates-${c.id}`, subject: String(c.id), reason: 'invalid_timestamp' });
        expect((failure!.data as { raw: unknown }).raw).to.deep.equal(body);
        expect(await streamEvents(service, `order-msde-DE-${c.id}`), 'nothing in the order stream').to.deep.equal([]);
        expect(await head(service), 'only the failure was appended').to.equal(failure!.position);
        expect(failure!.position > before).to.equal(true);
      });
    }

    it('the failed record is an open SYNC_FAILURE in the operations queue, and a retry fails again naming the field', async () => {
      const res = await webhook(localeEnvelope('wh-dates-8108', 'order-confirmed', order(8108, { confirmedAt: 'garbage' }))).expect(202);
      const queue = await request(service.server).get('/v1/exceptions').query({ owner: 'operations', code: 'SYNC_FAILURE', minPosition: res.body.position }).set('Authorization', bearer('operations'));
      expect(queue.status, queue.text).to.equal(200);
      const item = (queue.body.items as { status: string; failure?: { failureId: string; reason: string } }[]).find((e) => e.failure?.failureId === res.body.failureId);
      expect(item, 'listed').to.not.equal(undefined);
      expect(item!.status).to.equal('open');
      expect(item!.failure!.reason).to.equal('invalid_timestamp');
      const retried = await request(service.server).post(`/v1/ingest/failures/${res.body.failureId}/retry`).set('Authorization', bearer('operations'));
      expect(retried.status, retried.text).to.equal(200);
      expect(retried.body).to.include({ outcome: 'failed_again' });
      expect(retried.body.message).to.match(/^invalid_timestamp: payload\.confirmedAt: /);
      expect(await streamEvents(service, 'order-msde-DE-8108')).to.deep.equal([]);
    });

    it('a well-formed order with an offset other than UTC is accepted (the range is checked in UTC)', async () => {
      const res = await webhook(localeEnvelope('wh-dates-8109', 'order-confirmed', order(8109, { confirmedAt: '0001-01-02T10:00:00+02:00', updatedAt: '9999-12-30T23:59:59-00:00' }))).expect(202);
      expect(res.body.status).to.equal('accepted');
    });
  });

  describe('Scayle Admin-API sync: a failed record naming the field', () => {
    const cases: { name: string; id: number; extra: Record<string, unknown>; field: string }[] = [
      { name: 'updatedAt in month 13', id: 8201, extra: { updatedAt: '2024-13-01T00:00:00+00:00' }, field: 'order.updatedAt' },
      { name: 'createdAt (the only time) that is no instant', id: 8202, extra: { updatedAt: undefined, confirmedAt: undefined, invoicedAt: undefined, createdAt: 'yesterday' }, field: 'order.createdAt' },
      { name: 'confirmedAt 9999-12-31T23:59:59+00:00', id: 8203, extra: { confirmedAt: '9999-12-31T23:59:59+00:00' }, field: 'order.confirmedAt' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { sync } = service.container.get<IngestUseCases>(TOKENS.IngestUseCases);
        const outcome = await sync.ingestOrder({ ...scayleFixture<Record<string, unknown>>('OrderGetResponse.json'), id: c.id, ...c.extra }, 'msde', 'DE', { actor: 'scayle-sync' });
        expect(outcome).to.include({ status: 'failed', reason: 'invalid_timestamp' });
        expect((outcome as { message: string }).message.startsWith(`${c.field}: `), (outcome as { message: string }).message).to.equal(true);
        expect(await streamEvents(service, `order-msde-DE-${c.id}`)).to.deep.equal([]);
      });
    }
  });

  describe('ERP, Business Central, PSP and the webhook envelope: 400 naming the field, nothing appended', () => {
    const bc = () => JSON.parse(fixtureText('business-central', 'sales-invoice.json')) as Record<string, unknown>;
    const cases: { name: string; path: string; body: unknown; field: string; contentType?: string; auth?: 'basic' }[] = [
      { name: 'ERP postingDate 0000-01-01', path: DOCS, body: erpDocument({ postingDate: '0000-01-01' }), field: 'postingDate' },
      { name: 'ERP documentDate 0000-06-30', path: DOCS, body: erpDocument({ documentDate: '0000-06-30' }), field: 'documentDate' },
      { name: 'ERP array with one document in year 0000', path: DOCS, body: [erpDocument({ documentNumber: 'SI-DATES-OK' }), erpDocument({ documentNumber: 'SI-DATES-Y0', postingDate: '0000-12-01' })], field: '[1].postingDate' },
      { name: 'Business Central invoice postingDate 0000-05-01', path: BC_INVOICES, body: { ...bc(), postingDate: '0000-05-01' }, field: 'postingDate' },
      { name: 'Business Central invoiceDate 0000-05-01', path: BC_INVOICES, body: { ...bc(), invoiceDate: '0000-05-01' }, field: 'invoiceDate' },
      { name: 'Business Central credit memo postingDate 0000-05-01', path: BC_CREDIT_MEMOS, body: { ...bc(), number: 'SCM-Y0', salesInvoiceLines: undefined, salesCreditMemoLines: bc().salesInvoiceLines, postingDate: '0000-05-01' }, field: 'postingDate' },
      { name: 'Business Central lastModifiedDateTime 9999-12-31T23:59:59Z', path: BC_INVOICES, body: { ...bc(), lastModifiedDateTime: '9999-12-31T23:59:59Z' }, field: 'lastModifiedDateTime' },
      { name: 'Business Central lastModifiedDateTime that is no ISO instant', path: BC_INVOICES, body: { ...bc(), lastModifiedDateTime: 'Mon, 03 Jun 2024 10:00:00 GMT' }, field: 'lastModifiedDateTime' },
      { name: 'Business Central lastModifiedDateTime at hour 24 (2024-06-03T24:00:00Z)', path: BC_INVOICES, body: { ...bc(), lastModifiedDateTime: '2024-06-03T24:00:00Z' }, field: 'lastModifiedDateTime' },
      { name: 'PSP bookedAt at hour 24 (2024-05-31T24:00:00+02:00)', path: PSP, body: pspBatch({}, { bookedAt: '2024-05-31T24:00:00+02:00' }), field: 'lines[0].bookedAt' },
      { name: 'PSP CSV bookedAt at hour 24', path: PSP, body: pspCsv('2024-06-05', '2024-06-04T24:00:00Z'), field: 'lines[0].bookedAt', contentType: 'text/csv' },
      { name: 'Scayle webhook envelope occurredAt at hour 24', path: WEBHOOKS, body: localeEnvelope('wh-dates-t24', 'order-confirmed', scayleFixture('OrderGetResponse.json'), '2024-05-31T24:00:00+02:00'), field: 'occurredAt', auth: 'basic' },
      { name: 'PSP payoutDate 0000-01-05', path: PSP, body: pspBatch({ payoutDate: '0000-01-05' }), field: 'payoutDate' },
      { name: 'PSP bookedAt 9999-12-31T23:59:59+00:00', path: PSP, body: pspBatch({}, { bookedAt: '9999-12-31T23:59:59+00:00' }), field: 'lines[0].bookedAt' },
      { name: 'PSP bookedAt 0000-01-01T00:00:00Z', path: PSP, body: pspBatch({}, { bookedAt: '0000-01-01T00:00:00Z' }), field: 'lines[0].bookedAt' },
      { name: 'PSP bookedAt on 30 February', path: PSP, body: pspBatch({}, { bookedAt: '2024-02-30T10:00:00Z' }), field: 'lines[0].bookedAt' },
      { name: 'PSP CSV payoutDate 0000-01-05', path: PSP, body: pspCsv('0000-01-05', '2024-06-04T10:00:00Z'), field: 'payoutDate', contentType: 'text/csv' },
      { name: 'PSP CSV bookedAt 9999-12-31T23:59:59Z', path: PSP, body: pspCsv('2024-06-05', '9999-12-31T23:59:59Z'), field: 'lines[0].bookedAt', contentType: 'text/csv' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await head(service);
        const res = await request(service.server)
          .post(c.path)
          .set('Authorization', c.auth === 'basic' ? basicAuth() : bearer('integrator'))
          .set('content-type', c.contentType ?? 'application/json')
          .send(typeof c.body === 'string' ? c.body : JSON.stringify(c.body));
        expect(res.status, JSON.stringify(res.body)).to.equal(400);
        expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
        const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
        expect(fields, JSON.stringify(res.body.errors)).to.include(c.field);
        expect(await head(service), 'nothing appended').to.equal(before);
      });
    }
  });
});
