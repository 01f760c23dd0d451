import { expect } from 'chai';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import request from 'supertest';
import { orderStreamId, periodStreamId } from '../../../src/domain/shared/streams';
import { schemaVersionOf } from '../../../src/domain/event-schema/ledger-upcasters';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { orderSnapshot } from '../../support/order-fixtures';
import { addInvoice, addOrder, fakeClock, invoiceFor, mayOrder, storeOf } from '../../support/period-fixtures';

const HASH = /^sha256:[0-9a-f]{64}$/;

describe('periods: close, snapshots, replay, reopen (HTTP)', () => {
  let api: ApiTestService;
  const clock = fakeClock('2024-06-03T08:00:00.000Z');

  const close = (period: string, body?: object) => {
    const req = request(api.server).post(`/v1/periods/${period}/close`).set(auth('finance'));
    return body ? req.send(body) : req;
  };
  const replay = (period: string, body: object = {}) => request(api.server).post(`/v1/periods/${period}/replay`).set(auth('auditor')).send(body);
  const periodEvents = async (period: string) => (await storeOf(api.service).readStream(periodStreamId(period))).map((e) => e.type);

  before(async () => {
    api = await startApiService({}, { clock });
    for (const id of ['501', '502']) {
      const order = mayOrder(id);
      await addOrder(api.service, order);
      await addInvoice(api.service, order, invoiceFor(order, '2024-05-02'));
    }
  });
  after(() => api.dispose());

  it('closes May: 201 with the hashed snapshot at the cut, totals and counts of both sides', async () => {
    const res = await close('2024-05');
    expectResponseMatchesSpec(res, 'post', '/v1/periods/{period}/close');
    expect(res.status, res.text).to.equal(201);
    expect(res.headers.location).to.equal('/v1/periods/2024-05/snapshots/2024-05-v1');
    expect(res.body).to.include({ snapshotId: '2024-05-v1', version: 1, status: 'closed', previousHash: null, cutAt: '2024-06-03T08:00:00.000Z' });
    expect(res.body.hash).to.match(HASH);
    const s = res.body.snapshot;
    expect(s.counts).to.deep.equal({ orders: 2, byStatus: { matched: 2, matched_with_rounding: 0, pending: 0, drift: 0 }, byFindingCode: {}, unreadableStreams: 0 });
    expect(s.totals.scayle.EUR.items).to.deep.equal({ gross: '357.00', net: '300.00', tax: '57.00' });
    expect(s.totals.erp.EUR.items).to.deep.equal({ gross: '357.00', net: '300.00', tax: '57.00' });
    expect(s.totals.erp.EUR.shipping.gross).to.equal('9.90');
    expect(s.openExceptions).to.deep.equal([]);
    expect(s.timezone).to.equal('Europe/Berlin');
    expect(s.policy.settings.erpProfile).to.deep.equal({ level: 'per_document', mode: 'half_up', pricesIncludeTax: false });
    expect(await periodEvents('2024-05')).to.deep.equal(['PeriodCloseStarted', 'PeriodCloseSnapshotRecorded', 'PeriodClosed']);
    const started = (await storeOf(api.service).readStream(periodStreamId('2024-05')))[0]!;
    expect(s.position).to.equal(String(started.position));
  });

  it('refuses a second close of a closed period (409) and appends nothing', async () => {
    const res = await close('2024-05');
    expectResponseMatchesSpec(res, 'post', '/v1/periods/{period}/close');
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('period_closed');
    expect(await periodEvents('2024-05')).to.have.length(3);
  });

  it('late facts for May are kept as adjustments; replay still matches the closed snapshot', async () => {
    const late = mayOrder('503');
    clock.set('2024-06-05T08:00:00.000Z');
    await addOrder(api.service, late);
    await addInvoice(api.service, late, invoiceFor(late, '2024-05-31'), '2024-06-05T08:00:00.000Z');
    // A late fact that changes nothing: a webhook type the ledger keeps but does not model, for 501.
    const early = mayOrder('501');
    await storeOf(api.service).appendToStream(
      orderStreamId(early.shopKey, early.countryCode, early.orderId),
      [{ id: '6f1f7c5e-6a0b-4c55-9a44-5b0c7f2d9e11', type: 'ScayleWebhookReceived', data: { webhookKey: 'late-note-501', scayleEventType: 'order-note-added' }, metadata: { source: 'scayle', sourceEventId: 'late-note-501', occurredAt: '2024-06-05T08:00:00.000Z', recordedAt: '2024-06-05T08:00:00.000Z', schemaVersion: schemaVersionOf('ScayleWebhookReceived') } }],
      { expectedRevision: 'any' },
    );

    const adj = await request(api.server).get('/v1/periods/2024-05/adjustments').set(auth('finance'));
    expectResponseMatchesSpec(adj, 'get', '/v1/periods/{period}/adjustments');
    expect(adj.status).to.equal(200);
    expect(adj.body.carriedTo).to.equal('2024-06');
    expect(adj.body.adjustments.map((a: { orderId: string; statusNow: string; periodNow: string }) => [a.orderId, a.statusNow, a.periodNow])).to.deep.equal([['503', 'matched', '2024-05']]);
    expect(adj.body.adjustments[0].events.map((e: { type: string }) => e.type)).to.deep.equal(['ScayleOrderConfirmed', 'ScaylePaymentCaptured', 'ErpInvoicePosted']);
    expect(adj.body.totals.scayle.EUR.items.gross).to.equal('178.50');
    expect(adj.body.unchangedOrders, 'order 501 had a late fact that changed nothing').to.equal(1);

    const res = await replay('2024-05');
    expectResponseMatchesSpec(res, 'post', '/v1/periods/{period}/replay');
    expect(res.status).to.equal(200);
    const latest = await request(api.server).get('/v1/periods/2024-05/snapshots/latest').set(auth('auditor'));
    expect(res.body).to.include({ match: true, snapshotId: '2024-05-v1', snapshotHash: latest.body.hash, replayedHash: latest.body.hash, position: latest.body.position });
    expect(res.body.differences).to.deep.equal([]);
    expect(res.body.eventsReplayed).to.equal(Number(latest.body.position));
    expect(latest.body.snapshot.counts.orders).to.equal(2);
  });

  it('reopen needs a reason; re-close makes version 2 chained to version 1, both kept', async () => {
    const noReason = await request(api.server).post('/v1/periods/2024-05/reopen').set(auth('finance')).send({ reason: ' ' });
    expectResponseMatchesSpec(noReason, 'post', '/v1/periods/{period}/reopen');
    expect(noReason.status).to.equal(400);
    const reopened = await request(api.server).post('/v1/periods/2024-05/reopen').set(auth('finance')).send({ reason: 'late invoice of order 503' });
    expectResponseMatchesSpec(reopened, 'post', '/v1/periods/{period}/reopen');
    expect(reopened.status, reopened.text).to.equal(200);
    expect(reopened.body).to.include({ status: 'reopened', reopenedSnapshotId: '2024-05-v1', reason: 'late invoice of order 503' });

    clock.set('2024-06-06T08:00:00.000Z');
    const v2 = await close('2024-05');
    expect(v2.status, v2.text).to.equal(201);
    const list = await request(api.server).get('/v1/periods/2024-05/snapshots').set(auth('operations'));
    expectResponseMatchesSpec(list, 'get', '/v1/periods/{period}/snapshots');
    expect(list.body.status).to.equal('closed');
    expect(list.body.chain.intact).to.equal(true);
    const [s1, s2] = list.body.snapshots;
    expect([s1.snapshotId, s1.current, s2.snapshotId, s2.current]).to.deep.equal(['2024-05-v1', false, '2024-05-v2', true]);
    expect(s2.previousHash).to.equal(s1.hash);
    expect(v2.body.snapshot.counts.orders).to.equal(3);
    const one = await request(api.server).get('/v1/periods/2024-05/snapshots/2024-05-v1').set(auth('cx'));
    expectResponseMatchesSpec(one, 'get', '/v1/periods/{period}/snapshots/{snapshotId}');
    expect(one.body.snapshot.counts.orders).to.equal(2);
    expect((await replay('2024-05', { snapshotId: '2024-05-v1' })).body.match).to.equal(true);
    expect((await replay('2024-05')).body.match).to.equal(true);
  });

  it("a period's first close chains to the previous month's latest close", async () => {
    clock.set('2024-07-02T08:00:00.000Z');
    const june = await close('2024-06');
    expect(june.status, june.text).to.equal(201);
    const mayLatest = await request(api.server).get('/v1/periods/2024-05/snapshots/latest').set(auth('finance'));
    expect(june.body.previousHash).to.equal(mayLatest.body.hash);
    const genesis = await request(api.server).get('/v1/periods/2024-06/snapshots').set(auth('finance'));
    expect(genesis.body.chain.checks[0]).to.include({ bodyIntact: true, linkIntact: true, expectedPreviousHash: mayLatest.body.hash });
  });

  it('exports carry the hash and the log position (CSV header block, xlsx Summary sheet)', async () => {
    const latest = (await request(api.server).get('/v1/periods/2024-05/snapshots/latest').set(auth('finance'))).body;
    const csv = await request(api.server).get('/v1/periods/2024-05/snapshots/2024-05-v2/export?format=csv').set(auth('auditor'));
    expectResponseMatchesSpec(csv, 'get', '/v1/periods/{period}/snapshots/{snapshotId}/export');
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    expect(csv.headers['x-snapshot-hash']).to.equal(latest.hash);
    const lines = csv.text.split('\r\n');
    expect(lines).to.include(`# hash: ${latest.hash}`);
    expect(lines).to.include(`# position: ${latest.position}`);
    expect(lines).to.include('block,side,currency,component,gross,net,tax,fee');
    expect(lines).to.include('totals,erp,EUR,items,535.50,450.00,85.50,');
    expect(lines).to.include('status_count,matched,3');

    const xlsx = await request(api.server)
      .get('/v1/periods/2024-05/snapshots/2024-05-v2/export?format=xlsx')
      .set(auth('auditor'))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).to.equal(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['Summary', 'Totals', 'Counts', 'Open exceptions']);
    const summary = new Map<string, string>();
    wb.getWorksheet('Summary')!.eachRow((row) => summary.set(String(row.getCell(1).value), String(row.getCell(2).value)));
    expect(summary.get('hash')).to.equal(latest.hash);
    expect(summary.get('position')).to.equal(latest.position);

    const bad = await request(api.server).get('/v1/periods/2024-05/snapshots/2024-05-v2/export?format=pdf').set(auth('auditor'));
    expect(bad.status).to.equal(400);
  });

  it('a stored snapshot altered by hand: replay reports the mismatch and where', async () => {
    const events = await storeOf(api.service).readStream(periodStreamId('2024-05'));
    const recorded = events.filter((e) => e.type === 'PeriodCloseSnapshotRecorded').pop()!;
    const data = JSON.parse(JSON.stringify(recorded.data)) as { snapshot: { totals: { erp: { EUR: { items: { gross: string } } } } } };
    data.snapshot.totals.erp.EUR.items.gross = '999.99';
    const db = new Database(join(api.dataDir, 'events.db'));
    try {
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), Number(recorded.position));
    } finally {
      db.close();
    }
    const res = await replay('2024-05');
    expectResponseMatchesSpec(res, 'post', '/v1/periods/{period}/replay');
    expect(res.body.match).to.equal(false);
    expect(res.body.replayedHash).to.equal(res.body.snapshotHash);
    expect(res.body.storedHash).to.not.equal(res.body.snapshotHash);
    expect(res.body.differences).to.deep.equal([{ path: '$.totals.erp.EUR.items.gross', expected: '999.99', actual: '535.50' }]);
    const list = await request(api.server).get('/v1/periods/2024-05/snapshots').set(auth('auditor'));
    expect(list.body.chain.intact).to.equal(false);
    expect(list.body.chain.checks[1]).to.include({ snapshotId: '2024-05-v2', bodyIntact: false });
  });

  it('404 for a period never closed; 400 for a malformed period', async () => {
    const none = await request(api.server).get('/v1/periods/2023-01/snapshots/latest').set(auth('finance'));
    expectResponseMatchesSpec(none, 'get', '/v1/periods/{period}/snapshots/latest');
    expect(none.status).to.equal(404);
    const bad = await request(api.server).get('/v1/periods/2024-13/snapshots').set(auth('finance'));
    expect(bad.status).to.equal(400);
    expect((await replay('2023-01')).status).to.equal(404);
  });
});

describe('periods: blocking exceptions, override, month end in Berlin (HTTP)', () => {
  let api: ApiTestService;
  const clock = fakeClock('2024-07-02T08:00:00.000Z');
  before(async () => {
    api = await startApiService({}, { clock });
  });
  after(() => api.dispose());

  it('refuses a close with a blocking exception (422 naming it), then accepts it with a recorded override', async () => {
    const order = orderSnapshot('601', { confirmedAt: '2024-06-10T10:00:00Z', invoicedAt: '2024-06-10T12:00:00Z', updatedAt: '2024-06-10T12:00:00Z' });
    await addOrder(api.service, order);
    await addInvoice(api.service, order, invoiceFor(order, '2024-06-10', { item1: { gross: '109.00', net: '91.60', tax: '17.40' } }));

    const refused = await request(api.server).post('/v1/periods/2024-06/close').set(auth('finance'));
    expectResponseMatchesSpec(refused, 'post', '/v1/periods/{period}/close');
    expect(refused.status, refused.text).to.equal(422);
    expect(refused.body.code).to.equal('blocking_exceptions');
    expect(refused.body.exceptions.map((e: { code: string; orderId: string }) => [e.code, e.orderId])).to.deep.include(['AMOUNT_MISMATCH', '601']);
    // The live exception queue (projections) shows the blocking exception before the close starts,
    // so the refusal appends nothing.
    expect(await storeOf(api.service).streamRevision(periodStreamId('2024-06')), 'a refused close appends nothing').to.equal('no_stream');

    const blank = await request(api.server).post('/v1/periods/2024-06/close').set(auth('finance')).send({ override: { reason: '' } });
    expect(blank.status).to.equal(400);

    const accepted = await request(api.server).post('/v1/periods/2024-06/close').set(auth('finance')).send({ override: { reason: 'price error, credit memo booked in July' } });
    expectResponseMatchesSpec(accepted, 'post', '/v1/periods/{period}/close');
    expect(accepted.status, accepted.text).to.equal(201);
    expect(accepted.body.override.reason).to.equal('price error, credit memo booked in July');
    expect(accepted.body.override.exceptions.map((e: { code: string }) => e.code)).to.include('AMOUNT_MISMATCH');
    const open = accepted.body.snapshot.openExceptions.find((e: { code: string }) => e.code === 'AMOUNT_MISMATCH');
    expect(open.ageSeconds, 'aged at the cut').to.equal((Date.parse('2024-07-02T08:00:00.000Z') - Date.parse('2024-06-10T18:00:00.000Z')) / 1000);
    const closedEvent = (await storeOf(api.service).readStream(periodStreamId('2024-06'))).pop()!;
    expect(closedEvent.type).to.equal('PeriodClosed');
    expect((closedEvent.data as { override: unknown }).override).to.deep.equal(accepted.body.override);
    clock.set('2030-01-01T00:00:00.000Z');
    expect((await request(api.server).post('/v1/periods/2024-06/replay').set(auth('auditor'))).body.match, 'ages do not grow with time').to.equal(true);
  });

  it('C8: an order confirmed 2024-05-31T22:30Z is June in Europe/Berlin and matches a June invoice', async () => {
    const order = orderSnapshot('801', { confirmedAt: '2024-05-31T22:30:00Z', invoicedAt: undefined, updatedAt: '2024-05-31T22:30:00Z', status: 'payment_reserved' });
    await addOrder(api.service, order);
    await addInvoice(api.service, order, invoiceFor(order, '2024-06-01'));
    clock.set('2024-07-03T08:00:00.000Z');
    const may = await request(api.server).post('/v1/periods/2024-05/close').set(auth('finance'));
    expect(may.status, may.text).to.equal(201);
    expect(may.body.snapshot.counts.orders).to.equal(0);
    const reopened = await request(api.server).post('/v1/periods/2024-06/reopen').set(auth('admin')).send({ reason: 'C8 check' });
    expect(reopened.status).to.equal(200);
    const june = await request(api.server).post('/v1/periods/2024-06/close').set(auth('finance')).send({ override: { reason: 'order 601 still open' } });
    expect(june.status, june.text).to.equal(201);
    expect(june.body.snapshot.counts.orders).to.equal(2);
    expect(june.body.snapshot.counts.byStatus.matched).to.equal(1);
    expect(june.body.snapshot.counts.byFindingCode.PERIOD_DRIFT).to.equal(undefined);
  });

  it('a month that has not ended cannot be closed (422 period_not_ended)', async () => {
    const res = await request(api.server).post('/v1/periods/2024-07/close').set(auth('finance'));
    expectResponseMatchesSpec(res, 'post', '/v1/periods/{period}/close');
    expect(res.status).to.equal(422);
    expect(res.body.code).to.equal('period_not_ended');
  });

  it('roles: operations may not close, auditor may not reopen, integrator may not read snapshots', async () => {
    expect((await request(api.server).post('/v1/periods/2024-08/close').set(auth('operations'))).status).to.equal(403);
    expect((await request(api.server).post('/v1/periods/2024-06/reopen').set(auth('auditor')).send({ reason: 'x' })).status).to.equal(403);
    expect((await request(api.server).get('/v1/periods/2024-06/snapshots').set(auth('integrator'))).status).to.equal(403);
  });
});
