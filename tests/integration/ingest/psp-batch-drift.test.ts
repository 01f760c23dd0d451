/**
 * Batch-level PSP settlement checks in the service (DESIGN §6 `SETTLEMENT_DRIFT`, case C10): a batch
 * posted to `POST /v1/ingest/psp/settlements` whose payout its lines, gross − itemised fees, do not
 * explain ends in a finance exception about the batch (`settlement-<provider>-<batchId>`), counted in
 * the period of its payout date; the close snapshot and its audit replay say the same.
 */
import { expect } from 'chai';
import request from 'supertest';
import { schemaVersionOf } from '../../../src/domain/event-schema/ledger-upcasters';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { addInvoice, addOrder, fakeClock, invoiceFor, mayOrder, storeOf } from '../../support/period-fixtures';

const ROUTE = '/v1/ingest/psp/settlements';

interface Line {
  lineId: string;
  type: string;
  paymentReference: string;
  orderId?: string;
  gross: string;
  fee: string;
  net: string;
  currency: string;
  bookedAt: string;
}
const line = (lineId: string, gross: string, fee: string, net: string, orderId?: string): Line => ({
  lineId,
  type: 'capture',
  paymentReference: `tx-${orderId ?? lineId}`,
  ...(orderId ? { orderId } : {}),
  gross,
  fee,
  net,
  currency: 'EUR',
  bookedAt: '2024-06-04T10:00:00Z',
});
const batch = (batchId: string, payoutAmount: string, lines: Line[], payoutDate = '2024-06-05') => ({ provider: 'adyen', batchId, currency: 'EUR', payoutDate, payoutAmount, lines });

interface ExceptionItem {
  exceptionId: string;
  code: string;
  owner: string;
  subject: string;
  component: string;
  status: string;
  period: string | null;
  orderId: string | null;
  occurrences: number;
  explanation: string;
  finding: { delta?: { gross: string }; psp?: { gross: string } };
}

describe('ingest: PSP settlement batch checks (SETTLEMENT_DRIFT on the batch)', () => {
  let api: ApiTestService;
  let position = 0n;
  const clock = fakeClock('2024-06-06T08:00:00.000Z');

  const post = async (body: unknown) => {
    const res = await request(api.server).post(ROUTE).set(auth('integrator')).set('content-type', 'application/json').send(JSON.stringify(body));
    expect(res.status, res.text).to.equal(202);
    const p = BigInt(res.body.position as string);
    if (p > position) position = p;
    return res;
  };
  const exceptions = async (query = ''): Promise<ExceptionItem[]> => {
    const res = await request(api.server).get(`/v1/exceptions?minPosition=${String(position)}&limit=500${query}`).set(auth('finance'));
    expect(res.status, res.text).to.equal(200);
    return res.body.items as ExceptionItem[];
  };
  const ofBatch = async (batchId: string, query = '') => (await exceptions(query)).filter((e) => e.subject === `settlement-adyen-${batchId}`);

  before(async () => {
    api = await startApiService({}, { clock });
  });
  after(() => api.dispose());

  it('repro 1: a payout of 10.00 with no lines is a finance SETTLEMENT_DRIFT about the batch, naming batch, amounts and delta', async () => {
    await post(batch('D-1', '10.00', []));
    const [e, ...more] = await ofBatch('D-1');
    expect(more).to.deep.equal([]);
    expect(e).to.include({
      exceptionId: 'settlement-adyen-D-1/SETTLEMENT_DRIFT/settlement/payout',
      code: 'SETTLEMENT_DRIFT',
      owner: 'finance',
      component: 'settlement',
      subject: 'settlement-adyen-D-1',
      status: 'open',
      period: '2024-06',
      orderId: null,
    });
    expect(e!.finding.delta).to.deep.equal({ currency: 'EUR', gross: '10.00' });
    expect(e!.explanation).to.equal(
      'PSP batch adyen D-1 (payout 2024-06-05): payout 10.00 EUR vs 0.00 explained by 0 lines (gross 0.00 − 0.00 itemised fees): 10.00 EUR unexplained — ask adyen for the missing line or the corrected report',
    );
  });

  it('repro 2: a line of gross 10 / fee 1 / net 10 paid out as 10.00 is a SETTLEMENT_DRIFT of 1.00 (and a data-quality warning on the line)', async () => {
    await post(batch('D-2', '10.00', [line('L1', '10.00', '1.00', '10.00')]));
    const found = await ofBatch('D-2');
    expect(found.map((e) => [e.code, e.owner, e.exceptionId]).sort()).to.deep.equal([
      ['DATA_QUALITY_WARNING', 'operations', 'settlement-adyen-D-2/DATA_QUALITY_WARNING/settlement/line:L1'],
      ['SETTLEMENT_DRIFT', 'finance', 'settlement-adyen-D-2/SETTLEMENT_DRIFT/settlement/payout'],
    ]);
    const drift = found.find((e) => e.code === 'SETTLEMENT_DRIFT')!;
    expect(drift.finding.delta).to.deep.equal({ currency: 'EUR', gross: '1.00' });
    expect(drift.explanation).to.contain('adyen D-2').and.contain('payout 10.00 EUR vs 9.00 explained by 1 line (gross 10.00 − 1.00 itemised fees): 1.00 EUR unexplained');
    expect(found.find((e) => e.code === 'DATA_QUALITY_WARNING')!.explanation).to.equal('PSP line L1: net 10.00 ≠ gross 10.00 − fee 1.00');
  });

  it('a batch that adds up gives no exception; its reconciliation document says matched', async () => {
    await post(batch('D-3', '18.00', [line('L1', '10.00', '1.00', '9.00'), line('L2', '10.00', '1.00', '9.00')]));
    expect(await ofBatch('D-3')).to.deep.equal([]);
    const res = await request(api.server).get(`/v1/reconciliations?minPosition=${String(position)}&limit=500`).set(auth('finance'));
    expectResponseMatchesSpec(res, 'get', '/v1/reconciliations');
    const doc = (res.body.items as { streamId: string; status: string; period: string; findings: unknown[]; settlementBatch: Record<string, unknown> }[]).find((d) => d.streamId === 'settlement-adyen-D-3');
    expect(doc).to.deep.include({ status: 'matched', period: '2024-06', findings: [] });
    expect(doc!.settlementBatch).to.include({ payout: '18.00', expectedPayout: '18.00', fees: '2.00', drift: '0.00', status: 'matched' });
  });

  it('a re-posted batch is a duplicate: still one exception, seen once', async () => {
    const dup = await request(api.server).post(ROUTE).set(auth('integrator')).set('content-type', 'application/json').send(JSON.stringify(batch('D-1', '10.00', [])));
    expect(dup.body.status).to.equal('duplicate');
    const found = await ofBatch('D-1');
    expect(found.map((e) => [e.code, e.occurrences])).to.deep.equal([['SETTLEMENT_DRIFT', 1]]);
  });

  it('does not repeat the per-order check: an order whose line matches its capture has no drift, only the short payout is reported', async () => {
    const order = mayOrder('601');
    await addOrder(api.service, order);
    const at = await addInvoice(api.service, order, invoiceFor(order, '2024-05-02'));
    if (at > position) position = at;
    await post(batch('D-4', '179.00', [line('L1', '183.45', '3.45', '180.00', '601')]));
    const placed = (await storeOf(api.service).readStream('order-msde-DE-601')).filter((e) => e.type === 'PspSettlementLineRecorded');
    expect(placed).to.have.length(1);
    const found = await exceptions();
    expect(found.filter((e) => e.orderId === '601').map((e) => e.code)).to.deep.equal([]);
    const batchFound = found.filter((e) => e.subject === 'settlement-adyen-D-4');
    expect(batchFound.map((e) => [e.code, e.finding.delta?.gross])).to.deep.equal([['SETTLEMENT_DRIFT', '-1.00']]);
  });

  it('the period summary of the payout month counts the batch findings, not the batches as orders', async () => {
    const res = await request(api.server).get(`/v1/periods/2024-06?minPosition=${String(position)}`).set(auth('finance'));
    expect(res.status, res.text).to.equal(200);
    expectResponseMatchesSpec(res, 'get', '/v1/periods/{period}');
    expect(res.body).to.deep.include({ period: '2024-06', orders: 0, byStatus: {} });
    expect(res.body.byFindingCode).to.deep.equal({ DATA_QUALITY_WARNING: 1, SETTLEMENT_DRIFT: 3 });
  });

  it('a later report of the batch that adds up resolves its exceptions by itself', async () => {
    const corrected = batch('D-2', '9.00', [line('L1', '10.00', '1.00', '9.00')]);
    const res = await storeOf(api.service).appendToStream(
      'settlement-adyen-D-2',
      [
        {
          id: '6f1c1e52-5d0b-5a59-9a43-0d3f4b0c0d02',
          type: 'PspSettlementBatchRecorded',
          data: { batch: corrected },
          metadata: { source: 'psp', sourceEventId: 'adyen:D-2:corrected', occurredAt: '2024-06-06T00:00:00.000Z', recordedAt: '2024-06-06T09:00:00.000Z', schemaVersion: schemaVersionOf('PspSettlementBatchRecorded') },
        },
      ],
      { expectedRevision: 'any' },
    );
    position = res.position;
    const found = await ofBatch('D-2', '&status=auto_resolved');
    expect(found.map((e) => [e.code, e.status]).sort()).to.deep.equal([
      ['DATA_QUALITY_WARNING', 'auto_resolved'],
      ['SETTLEMENT_DRIFT', 'auto_resolved'],
    ]);
  });

  it('the close of June holds the batch exceptions still open (a resolved one is not), and its audit replay matches bit for bit', async () => {
    const id = 'settlement-adyen-D-4/SETTLEMENT_DRIFT/settlement/payout';
    const url = `/v1/exceptions/${encodeURIComponent(id)}`;
    const etag = (await request(api.server).get(url).set(auth('finance'))).headers.etag as string;
    const resolved = await request(api.server).post(`${url}/resolve`).set(auth('finance')).set('If-Match', etag).send({ resolution: 'accepted', note: 'adyen confirmed a 1.00 chargeback fee' });
    expect(resolved.status, resolved.text).to.equal(200);
    position = BigInt(resolved.body.position as string);
    clock.set('2024-07-02T08:00:00.000Z');
    const close = await request(api.server).post('/v1/periods/2024-06/close').set(auth('finance')).send({ override: { reason: 'PSP asked for the corrected payout reports' } });
    expect(close.status, close.text).to.equal(201);
    const s = close.body.snapshot;
    expect(s.counts.orders).to.equal(0);
    expect(s.counts.byFindingCode).to.deep.equal({ SETTLEMENT_DRIFT: 2 });
    expect(s.openExceptions.map((e: { exceptionId: string }) => e.exceptionId)).to.deep.equal(['settlement-adyen-D-1/SETTLEMENT_DRIFT/settlement/payout']);
    expect(s.openExceptions[0]).to.include({ subject: 'settlement-adyen-D-1', owner: 'finance', component: 'settlement' });
    expect(s.close.override.exceptions.map((e: { exceptionId: string }) => e.exceptionId)).to.deep.equal(s.openExceptions.map((e: { exceptionId: string }) => e.exceptionId));
    const live = await request(api.server).get(`/v1/periods/2024-06?minPosition=${String(position)}`).set(auth('finance'));
    expect(live.body.byFindingCode).to.deep.equal(s.counts.byFindingCode);
    const replay = await request(api.server).post('/v1/periods/2024-06/replay').set(auth('auditor')).send({});
    expect(replay.status, replay.text).to.equal(200);
    expect(replay.body).to.include({ match: true, snapshotHash: close.body.hash, replayedHash: close.body.hash });
    expect(replay.body.differences).to.deep.equal([]);
  });
});
