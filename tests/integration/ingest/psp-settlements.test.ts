import { expect } from 'chai';
import request from 'supertest';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, head, INGEST_ENV, localeEnvelope, scayleFixture, streamEvents } from '../../support/ingest';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const ROUTE = '/v1/ingest/psp/settlements';
/** A CSV of lines only, its batch given as query parameters ({@link CSV_BATCH_QUERY}). */
const CSV_LINE_ONLY = ['lineId,type,paymentReference,gross,fee,net,currency,bookedAt', 'Q1,capture,tx-9101,10.00,0.30,9.70,EUR,2024-06-06T09:00:00Z'].join('\n');
const CSV_BATCH_QUERY = '?provider=paypal&batchId=P-Q&currency=EUR&payoutDate=2024-06-07&payoutAmount=9.70';

/** The real order fixture as order `id` paid with transaction `tx`. */
function order(id: number, tx: string): Record<string, unknown> {
  const o = scayleFixture<{ payment: Record<string, unknown>[] }>('OrderGetResponse.json');
  return { ...o, id, referenceKey: `ref-${id}`, publicKey: `pub-${id}`, payment: [{ ...o.payment[0], transactionKey: tx }] };
}

function batch(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: 'adyen',
    batchId: 'B-7',
    currency: 'EUR',
    payoutDate: '2024-06-05',
    payoutAmount: '145.05',
    lines: [
      { lineId: 'L1', type: 'capture', paymentReference: 'tx-9001', gross: '100.00', fee: '3.20', net: '96.80', currency: 'EUR', bookedAt: '2024-06-04T10:00:00Z' },
      { lineId: 'L2', type: 'capture', paymentReference: 'tx-9002', orderId: '9002', gross: '50.00', fee: '1.75', net: '48.25', currency: 'EUR', bookedAt: '2024-06-04T11:00:00Z' },
    ],
    ...overrides,
  };
}

describe('ingest: PSP settlements', () => {
  const dir = tempDir();
  let service: LedgerService;
  const post = (body: unknown, contentType = 'application/json', query = '') =>
    request(service.server).post(`${ROUTE}${query}`).set('Authorization', bearer('integrator')).set('content-type', contentType).send(typeof body === 'string' ? body : JSON.stringify(body));

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, { ...INGEST_ENV, LEDGER_BODY_LIMIT: '64kb' }), {}, false);
    await request(service.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope('psp-9001', 'order-confirmed', order(9001, 'tx-9001')))).expect(202);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  it('C10: records the batch, places lines by payment reference, parks lines of unknown orders until the order appears', async () => {
    const res = await post(batch()).expect(202);
    expect(res.body.status).to.equal('accepted');
    const [recorded] = await streamEvents(service, 'settlement-adyen-B-7');
    expect(recorded!.type).to.equal('PspSettlementBatchRecorded');
    expect((recorded!.data as { batch: unknown }).batch).to.deep.equal(batch());
    expect(recorded!.metadata.unplacedReferences).to.deep.equal(['9002', 'tx-9002']);
    const a = (await streamEvents(service, 'order-msde-DE-9001')).filter((e) => e.type === 'PspSettlementLineRecorded');
    expect(a.map((e) => e.data)).to.deep.equal([{ provider: 'adyen', batchId: 'B-7', line: { ...(batch().lines as object[])[0], orderId: '9001' } }]);
    expect(res.body.eventIds).to.deep.equal([recorded!.id, a[0]!.id]);

    const dup = await post(batch()).expect(202);
    expect(dup.body).to.deep.equal({ status: 'duplicate', eventIds: res.body.eventIds, position: res.body.position });

    await request(service.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope('psp-9002', 'order-confirmed', order(9002, 'tx-9002')))).expect(202);
    const b = await streamEvents(service, 'order-msde-DE-9002');
    expect(b.map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed', 'PspSettlementLineRecorded']);
    expect((b[1]!.data as { line: { lineId: string; orderId: string } }).line).to.include({ lineId: 'L2', orderId: '9002' });
    expect(await post(batch()).expect(202).then((r) => r.body.status)).to.equal('duplicate');
    expect(await streamEvents(service, 'order-msde-DE-9002')).to.have.length(2);
  });

  it('a report of a recorded batch id with other content → 409 batch_already_recorded naming batchId; nothing appended', async () => {
    await post(batch({ batchId: 'B-CONFLICT' })).expect(202);
    const before = await head(service);
    const corrected = batch({ batchId: 'B-CONFLICT', payoutAmount: '145.00' });
    const res = await post(corrected).expect(409);
    expect(res.headers['content-type']).to.match(/application\/problem\+json/);
    expect(res.body).to.include({ code: 'batch_already_recorded', provider: 'adyen', batchId: 'B-CONFLICT' });
    expect(res.body.errors[0].field).to.equal('batchId');
    expect(res.body.detail).to.contain('already recorded with other content (payoutAmount: 145.05 vs 145.00)');
    expect(await head(service)).to.equal(before);
    expect(await post(batch({ batchId: 'B-CONFLICT' })).expect(202).then((r) => r.body.status)).to.equal('duplicate');
  });

  it('a report re-sent with amounts spelled otherwise ("145.1" for "145.10") is a duplicate; another value is a 409', async () => {
    const first = await post(batch({ batchId: 'B-SPELLING', payoutAmount: '145.10' })).expect(202);
    const before = await head(service);
    const lines = (batch().lines as Record<string, unknown>[]).map((l, i) => (i === 0 ? { ...l, gross: '100', fee: '3.2', net: '96.8' } : l));
    const again = await post(batch({ batchId: 'B-SPELLING', payoutAmount: '145.1', lines })).expect(202);
    expect(again.body).to.deep.equal({ status: 'duplicate', eventIds: first.body.eventIds, position: first.body.position });
    const changed = await post(batch({ batchId: 'B-SPELLING', payoutAmount: '145.11', lines })).expect(409);
    expect(changed.body.code).to.equal('batch_already_recorded');
    expect(await head(service)).to.equal(before);
    const [recorded] = await streamEvents(service, 'settlement-adyen-B-SPELLING');
    expect((recorded!.data as { batch: { payoutAmount: string } }).batch.payoutAmount, 'the report as first recorded').to.equal('145.10');
  });

  it('a report re-sent with an FX rate or a booking time written otherwise ("1.10" for "1.1", +02:00 for Z) is a duplicate; a changed fee is a 409 naming it (user trial: 409s, and a detail that named no difference)', async () => {
    const lines = (batch().lines as Record<string, unknown>[]).map((l, i) => (i === 0 ? { ...l, fxRate: '1.1', settlementCurrency: 'EUR' } : l));
    const first = await post(batch({ batchId: 'B-FORMS', lines })).expect(202);
    const before = await head(service);
    const respelled = lines.map((l, i) => (i === 0 ? { ...l, fxRate: '1.10', bookedAt: '2024-06-04T12:00:00+02:00' } : { ...l, bookedAt: '2024-06-04T11:00:00.000Z' }));
    const again = await post(batch({ batchId: 'B-FORMS', lines: respelled })).expect(202);
    expect(again.body).to.deep.equal({ status: 'duplicate', eventIds: first.body.eventIds, position: first.body.position });
    expect(await head(service)).to.equal(before);
    const [recorded] = await streamEvents(service, 'settlement-adyen-B-FORMS');
    expect((recorded!.data as { batch: { lines: unknown[] } }).batch.lines[0], 'the report as first recorded').to.deep.include({ fxRate: '1.1', bookedAt: '2024-06-04T10:00:00Z' });
    const laterInstant = await post(batch({ batchId: 'B-FORMS', lines: lines.map((l, i) => (i === 0 ? { ...l, bookedAt: '2024-06-04T10:00:00+02:00' } : l)) })).expect(409);
    expect(laterInstant.body.detail).to.contain('(lines[0].bookedAt: 2024-06-04T10:00:00Z vs 2024-06-04T10:00:00+02:00)');
    const fees = lines.map((l, i) => (i === 0 ? { ...l, fee: '3.25', net: '96.75', fxRate: '1.2' } : l));
    const changed = await post(batch({ batchId: 'B-FORMS', lines: fees })).expect(409);
    expect(changed.body.code).to.equal('batch_already_recorded');
    expect(changed.body.detail).to.contain('(lines[0].fee: 3.20 vs 3.25, lines[0].fxRate: 1.1 vs 1.2, lines[0].net: 96.80 vs 96.75)');
    expect(await head(service)).to.equal(before);
  });

  it('takes CSV with the batch fields as columns or as query parameters', async () => {
    const header = 'provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,orderId,gross,fee,net,currency,bookedAt,fxRate,settlementCurrency';
    const csv = [header, 'adyen,B-8,EUR,2024-06-06,-100.00,R1,refund,tx-9001,,-100.00,0.00,-100.00,EUR,2024-06-06T09:00:00Z,,'].join('\n');
    const res = await post(csv, 'text/csv').expect(202);
    expect(res.body.status).to.equal('accepted');
    const [recorded] = await streamEvents(service, 'settlement-adyen-B-8');
    expect((recorded!.data as { batch: unknown; raw: unknown }).batch).to.deep.equal({
      provider: 'adyen',
      batchId: 'B-8',
      currency: 'EUR',
      payoutDate: '2024-06-06',
      payoutAmount: '-100.00',
      lines: [{ lineId: 'R1', type: 'refund', paymentReference: 'tx-9001', gross: '-100.00', fee: '0.00', net: '-100.00', currency: 'EUR', bookedAt: '2024-06-06T09:00:00Z' }],
    });
    expect((recorded!.data as { raw: unknown }).raw).to.equal(csv);
    const lineOnly = ['lineId,type,paymentReference,gross,fee,net,currency,bookedAt,fxRate,settlementCurrency', 'F1,capture,tx-9001,10.00,0.30,9.70,USD,2024-06-06T09:00:00Z,0.9213,EUR'].join('\n');
    const q = await post(lineOnly, 'text/csv; charset=utf-8', '?provider=paypal&batchId=P-1&currency=EUR&payoutDate=2024-06-07&payoutAmount=8.94').expect(202);
    expect(q.body.status).to.equal('accepted');
    const [p] = await streamEvents(service, 'settlement-paypal-P-1');
    expect((p!.data as { batch: { lines: unknown[] } }).batch.lines[0]).to.deep.include({ fxRate: '0.9213', settlementCurrency: 'EUR', currency: 'USD' });
  });

  it('amounts off the currency scale alone → 400 type /problems/too-many-decimals, code too_many_decimals, in JSON and CSV alike (user trial: validation-error without code)', async () => {
    const before = await head(service);
    const line = (batch().lines as Record<string, unknown>[])[0]!;
    const json = await post(batch({ batchId: 'TMD-1', payoutAmount: '145.050', lines: [{ ...line, fee: '3.200' }] })).expect(400);
    expect(json.body).to.include({ type: '/problems/too-many-decimals', code: 'too_many_decimals', detail: '145.050 has more decimals than EUR allows (2): write it as 145.05' });
    expect(json.body.errors).to.deep.equal([
      { field: 'payoutAmount', message: '145.050 has more decimals than EUR allows (2): write it as 145.05' },
      { field: 'lines[0].fee', message: '3.200 has more decimals than EUR allows (2): write it as 3.20' },
    ]);
    const csv = await post('provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,gross,fee,net,currency,bookedAt\nadyen,TMD-2,EUR,2024-06-06,0.97,L1,capture,t1,1.00,0.030,0.97,EUR,2024-06-06T09:00:00Z', 'text/csv').expect(400);
    expect(csv.body).to.include({ type: '/problems/too-many-decimals', code: 'too_many_decimals' });
    expect(csv.body.errors).to.deep.equal([{ field: 'lines[0].fee', message: '0.030 has more decimals than EUR allows (2): write it as 0.03' }]);
    const mixed = await post(batch({ batchId: 'TMD-3', lines: [{ ...line, fee: '3.200' }, { ...line }] })).expect(400);
    expect(mixed.body.type).to.equal('/problems/validation-error');
    expect(mixed.body).to.not.have.property('code');
    expect(mixed.body.errors).to.deep.equal([
      { field: 'lines[0].fee', message: '3.200 has more decimals than EUR allows (2): write it as 3.20', code: 'too_many_decimals' },
      { field: 'lines[1].lineId', message: 'duplicate lineId L1 in the batch' },
    ]);
    expect(await head(service)).to.equal(before);
  });

  it('payoutAmount "216.570" + lines[0].type "bogus" → one validation-error naming both, the amount with its code (re-trial: only the type)', async () => {
    const before = await head(service);
    const line = (batch().lines as Record<string, unknown>[])[0]!;
    const res = await post(batch({ batchId: 'TMD-4', payoutAmount: '216.570', lines: [{ ...line, type: 'bogus' }] })).expect(400);
    expect(res.body.type).to.equal('/problems/validation-error');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).to.deep.equal(['lines[0].type', 'payoutAmount']);
    expect(res.body.errors.find((e: { field: string }) => e.field === 'payoutAmount')).to.deep.equal({ field: 'payoutAmount', message: '216.570 has more decimals than EUR allows (2): write it as 216.57', code: 'too_many_decimals' });
    const inLine = await post(batch({ batchId: 'TMD-5', lines: [{ ...line, fee: '3.200', bookedAt: 'yesterday' }] })).expect(400);
    expect(inLine.body.errors.map((e: { field: string }) => e.field).sort()).to.deep.equal(['lines[0].bookedAt', 'lines[0].fee']);
    expect(await head(service)).to.equal(before);
  });

  describe('bad input: 4xx problem naming the field, nothing appended', () => {
    const line = (batch().lines as Record<string, unknown>[])[0]!;
    const cases: { name: string; body: unknown; status: number; field?: string; message?: RegExp; contentType?: string; query?: string }[] = [
      { name: 'amount as a JSON number', body: batch({ batchId: 'X1', lines: [{ ...line, gross: 100 }] }), status: 400, field: 'lines[0].gross', message: /decimal string/ },
      { name: 'more decimals than the currency allows', body: batch({ batchId: 'X2', payoutAmount: '145.055' }), status: 400, field: 'payoutAmount' },
      // user trial: zeros beyond the scale were stored verbatim, though the spec refuses more decimals than the currency has
      { name: 'zeros beyond the scale in a line ("100.000" EUR)', body: batch({ batchId: 'Z1', lines: [{ ...line, gross: '100.000' }] }), status: 400, field: 'lines[0].gross', message: /^100\.000 has more decimals than EUR allows \(2\): write it as 100\.00$/ },
      { name: 'zeros beyond the scale in the payout ("5.000" CHF)', body: batch({ batchId: 'Z2', currency: 'CHF', payoutAmount: '5.000', lines: [{ ...line, currency: 'CHF' }] }), status: 400, field: 'payoutAmount', message: /more decimals than CHF allows/ },
      { name: 'CSV: zeros beyond the scale in a cell', body: 'provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,gross,fee,net,currency,bookedAt\nadyen,Z3,EUR,2024-06-06,0.97,L1,capture,t1,1.00,0.030,0.97,EUR,2024-06-06T09:00:00Z', status: 400, field: 'lines[0].fee', message: /more decimals than EUR allows/, contentType: 'text/csv' },
      { name: 'CSV: zeros beyond the scale in the payoutAmount query parameter', body: 'lineId,type,paymentReference,gross,fee,net,currency,bookedAt\nL1,capture,t1,1.00,0.03,0.97,EUR,2024-06-06T09:00:00Z', status: 400, field: 'payoutAmount', message: /more decimals than EUR allows/, contentType: 'text/csv', query: '?provider=adyen&batchId=Z4&currency=EUR&payoutDate=2024-06-07&payoutAmount=0.970' },
      { name: 'unknown currency', body: batch({ batchId: 'X3', lines: [{ ...line, currency: 'ABC' }] }), status: 400, field: 'lines[0].currency' },
      { name: 'missing line id', body: batch({ batchId: 'X4', lines: [{ ...line, lineId: undefined }] }), status: 400, field: 'lines[0].lineId' },
      { name: 'duplicate line id', body: batch({ batchId: 'X5', lines: [line, line] }), status: 400, field: 'lines[1].lineId' },
      { name: 'unknown line type', body: batch({ batchId: 'X6', lines: [{ ...line, type: 'payout' }] }), status: 400, field: 'lines[0].type' },
      { name: 'wrong content type', body: 'a,b', status: 415, field: 'Content-Type', contentType: 'text/plain' },
      { name: 'CSV with an unknown column', body: 'lineId,colour\nL1,red', status: 400, field: 'colour', contentType: 'text/csv' },
      { name: 'CSV batch column differing between rows', body: 'provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,gross,fee,net,currency,bookedAt\nadyen,B-9,EUR,2024-06-06,2.00,L1,capture,t1,1.00,0.00,1.00,EUR,2024-06-06T09:00:00Z\nadyen,B-10,EUR,2024-06-06,2.00,L2,capture,t2,1.00,0.00,1.00,EUR,2024-06-06T09:00:00Z', status: 400, field: 'batchId', contentType: 'text/csv' },
      { name: 'CSV with a column given twice (the last cell would win)', body: 'provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,gross,fee,net,currency,bookedAt,gross\nadyen,B-11,EUR,2024-06-06,1.00,L1,capture,t1,1.00,0.00,1.00,EUR,2024-06-06T09:00:00Z,99.00', status: 400, field: 'gross', message: /given twice/, contentType: 'text/csv' },
      { name: 'CSV with an unknown query parameter (it was ignored)', body: CSV_LINE_ONLY, status: 400, field: 'colour', message: /^is not a parameter of this operation; it takes provider, batchId, currency, payoutDate, payoutAmount$/, contentType: 'text/csv', query: `${CSV_BATCH_QUERY}&colour=red` },
      { name: 'CSV with a query parameter given twice (it was taken as absent)', body: CSV_LINE_ONLY, status: 400, field: 'provider', message: /^must be given once$/, contentType: 'text/csv', query: `${CSV_BATCH_QUERY}&provider=adyen` },
      { name: 'JSON batch with a query parameter of CSV batches (it was ignored)', body: batch({ batchId: 'X7' }), status: 400, field: 'provider', message: /CSV batches only/, query: '?provider=paypal' },
      { name: 'JSON batch with an unknown query parameter (it was ignored)', body: batch({ batchId: 'X8' }), status: 400, field: 'colour', message: /^is not a parameter of this operation; it takes provider, batchId, currency, payoutDate, payoutAmount$/, query: '?colour=red' },
      { name: 'CSV without batch fields', body: 'lineId,type,paymentReference,gross,fee,net,currency,bookedAt\nL1,capture,t1,1.00,0.00,1.00,EUR,2024-06-06T09:00:00Z', status: 400, field: 'provider', contentType: 'text/csv' },
    ];
    for (const c of cases) {
      it(`${c.name} → ${c.status}`, async () => {
        const before = await head(service);
        const res = await post(c.body, c.contentType, c.query);
        expect(res.status, JSON.stringify(res.body)).to.equal(c.status);
        expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
        if (c.field) {
          const hit = (res.body.errors as { field: string; message: string }[]).find((e) => e.field === c.field);
          expect(hit, JSON.stringify(res.body.errors)).to.not.equal(undefined);
          if (c.message) expect(hit!.message).to.match(c.message);
        }
        expect(await head(service)).to.equal(before);
      });
    }
  });
});
