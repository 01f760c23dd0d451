/**
 * A log that already holds facts the ledger cannot read (the log is immutable; they were accepted
 * before the ingest checked their times): an `orderConfirmed` whose `payload.confirmedAt` is
 * `"garbage"`, one dated 9999-12-31T23:59:59+00:00 (the year 10000 in Berlin), one whose source time
 * itself is garbage, and a PSP batch paid out on 0000-01-05. Before, every period close answered
 * 400 `invalid_instant` (appending PeriodCloseStarted + PeriodCloseAborted each time), the as-of
 * queue a 400 naming `occurredAt`, and the order's reconciliation a 400 blaming the request.
 */
import { expect } from 'chai';
import request from 'supertest';
import { v5 as uuidv5 } from 'uuid';
import type { OrderDirectory } from '../../../src/application/ports/order-directory.port';
import type { EventData } from '../../../src/application/ports/event-store.port';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../../src/domain/shared/ids';
import { orderStreamId, periodStreamId, settlementStreamId } from '../../../src/domain/shared/streams';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { addInvoice, addOrder, fakeClock, invoiceFor, mayOrder, storeOf } from '../../support/period-fixtures';

describe('periods and queries over a log holding facts that cannot be read', () => {
  let api: ApiTestService;
  const clock = fakeClock('2024-06-03T08:00:00.000Z');
  const ids: Record<string, string> = {};

  /** Appends an order-confirmed fact as the webhook ingestion did before it checked payload times. */
  const confirmedWithPayloadTime = async (orderId: string, confirmedAt: string, recordedAt: string) => {
    const order = orderSnapshot(orderId, { confirmedAt, invoicedAt: undefined, updatedAt: '2024-05-10T10:00:00Z' });
    const stream = orderStreamId('msde', 'DE', orderId);
    const key = `wh-bad-${orderId}`;
    const event: EventData = {
      id: uuidv5(sourceEventName('scayle', key, 'ScayleOrderConfirmed'), LEDGER_EVENT_NAMESPACE),
      type: 'ScayleOrderConfirmed',
      data: { order, webhookKey: key, scayleEventType: 'order-confirmed', raw: {} },
      metadata: { source: 'scayle', sourceEventId: key, occurredAt: '2024-05-10T10:00:00Z', recordedAt, schemaVersion: 1 },
    };
    await storeOf(api.service).appendToStream(stream, [event], { expectedRevision: 'any' });
    await api.service.container.get<OrderDirectory>(TOKENS.OrderDirectory).record({ streamId: stream, shopKey: 'msde', countryCode: 'DE', orderId });
    ids[orderId] = event.id;
    return stream;
  };

  before(async () => {
    api = await startApiService({}, { clock });
    const good = mayOrder('601');
    await addOrder(api.service, good);
    await addInvoice(api.service, good, invoiceFor(good, '2024-05-02'));
    await confirmedWithPayloadTime('603', 'garbage', '2024-05-10T10:00:01.000Z');
    await confirmedWithPayloadTime('604', '9999-12-31T23:59:59+00:00', '2024-05-11T10:00:01.000Z');
    // A fact whose own source time (and ledger time, as a test can write it) is garbage: it cannot even be folded.
    await seedOrder(storeOf(api.service), orderSnapshot('605', { confirmedAt: 'garbage' }));
    const batch = { provider: 'adyen', batchId: 'B-Y0', currency: 'EUR', payoutDate: '0000-01-05', payoutAmount: '0.00', lines: [] };
    await storeOf(api.service).appendToStream(
      settlementStreamId('adyen', 'B-Y0'),
      [{ id: uuidv5('psp|adyen:B-Y0|PspSettlementBatchRecorded', LEDGER_EVENT_NAMESPACE), type: 'PspSettlementBatchRecorded', data: { batch, raw: {} }, metadata: { source: 'psp', sourceEventId: 'adyen:B-Y0', occurredAt: '0000-01-05T00:00:00.000Z', recordedAt: '2024-05-12T10:00:00.000Z', schemaVersion: 1 } }],
      { expectedRevision: 'no_stream' },
    );
  });
  after(() => api.dispose());

  const close = (period: string) => request(api.server).post(`/v1/periods/${period}/close`).set(auth('finance'));
  const periodEvents = async (period: string) => (await storeOf(api.service).readStream(periodStreamId(period))).map((e) => e.type);

  it('closes May: the readable order is in the figures, each unreadable stream is left out, counted and listed as an open SYNC_FAILURE naming its event', async () => {
    const res = await close('2024-05');
    expectResponseMatchesSpec(res, 'post', '/v1/periods/{period}/close');
    expect(res.status, res.text).to.equal(201);
    const s = res.body.snapshot;
    expect(s.rulesVersion).to.equal('reconcile/2025.7');
    expect(s.counts).to.deep.equal({ orders: 1, byStatus: { matched: 1, matched_with_rounding: 0, pending: 0, drift: 0 }, byFindingCode: {}, unreadableStreams: 3 });
    expect(s.totals.scayle.EUR.order.gross).to.equal('183.45');
    const unreadable = (s.openExceptions as { exceptionId: string; code: string; owner: string; status: string; orderId?: string; openedAt: string; explanation: string }[]).filter((e) => e.exceptionId.endsWith('/unreadable'));
    expect(unreadable.map((e) => e.exceptionId)).to.deep.equal([
      'order-msde-DE-603/SYNC_FAILURE/order/unreadable',
      'order-msde-DE-604/SYNC_FAILURE/order/unreadable',
      'settlement-adyen-B-Y0/SYNC_FAILURE/settlement/unreadable',
    ]);
    expect(unreadable.every((e) => e.code === 'SYNC_FAILURE' && e.owner === 'operations' && e.status === 'open')).to.equal(true);
    expect(unreadable[0]).to.include({ orderId: '603', openedAt: '2024-05-10T10:00:01.000Z' });
    expect(unreadable[0]!.explanation).to.include(ids['603']!).and.to.include('Not an ISO-8601 instant with offset: garbage');
    expect(unreadable[1]!.explanation).to.include('outside the years 0001–9999');
    expect(unreadable[2]!.explanation).to.include('0000-01-05');
    expect(await periodEvents('2024-05')).to.deep.equal(['PeriodCloseStarted', 'PeriodCloseSnapshotRecorded', 'PeriodClosed']);
  });

  it('the audit replay of that snapshot gives the same hash', async () => {
    const res = await request(api.server).post('/v1/periods/2024-05/replay').set(auth('auditor')).send({});
    expect(res.status, res.text).to.equal(200);
    expect(res.body.match, JSON.stringify(res.body.differences)).to.equal(true);
    expect(res.body.replayedHash).to.equal(res.body.snapshotHash);
  });

  it('another month closes without them: an unreadable stream counts in the month of its first ledger time', async () => {
    const res = await close('2024-04');
    expect(res.status, res.text).to.equal(201);
    expect(res.body.snapshot.counts).to.include({ orders: 0, unreadableStreams: 0 });
    expect(res.body.snapshot.openExceptions).to.deep.equal([]);
  });

  it('the stream whose source time itself cannot be read is reported in the month the store committed it', async () => {
    const created = (await storeOf(api.service).readStream(orderStreamId('msde', 'DE', '605')))[0]!.created;
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit' }).format(new Date(created)).slice(0, 7);
    const res = await request(api.server).get('/v1/exceptions').query({ asOf: String(await storeOf(api.service).headPosition()), period: month, code: 'SYNC_FAILURE' }).set(auth('operations'));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.exceptions.map((e: { exceptionId: string }) => e.exceptionId)).to.include('order-msde-DE-605/SYNC_FAILURE/order/unreadable');
  });

  it('GET /v1/exceptions?asOf answers 200 with the unreadable streams among the open exceptions (filters apply)', async () => {
    const head = String(await storeOf(api.service).headPosition());
    const res = await request(api.server).get('/v1/exceptions').query({ asOf: head }).set(auth('operations'));
    expectResponseMatchesSpec(res, 'get', '/v1/exceptions');
    expect(res.status, res.text).to.equal(200);
    const listed = res.body.exceptions.map((e: { exceptionId: string }) => e.exceptionId);
    expect(listed).to.include.members(['order-msde-DE-603/SYNC_FAILURE/order/unreadable', 'order-msde-DE-604/SYNC_FAILURE/order/unreadable', 'order-msde-DE-605/SYNC_FAILURE/order/unreadable']);
    const finance = await request(api.server).get('/v1/exceptions').query({ asOf: head, owner: 'finance' }).set(auth('operations'));
    expect(finance.status).to.equal(200);
    expect(finance.body.exceptions.filter((e: { exceptionId: string }) => e.exceptionId.endsWith('/unreadable'))).to.deep.equal([]);
  });

  it("the order's reconciliation is a 422 naming the stored event that cannot be read, live and as of a position", async () => {
    const head = String(await storeOf(api.service).headPosition());
    for (const query of [{}, { asOf: head }]) {
      const res = await request(api.server).get('/v1/orders/603/reconciliation').query(query).set(auth('finance'));
      expectResponseMatchesSpec(res, 'get', '/v1/orders/{orderId}/reconciliation');
      expect(res.status, res.text).to.equal(422);
      expect(res.body).to.include({ code: 'unreadable_order_stream', streamId: 'order-msde-DE-603', eventId: ids['603'], eventType: 'ScayleOrderConfirmed' });
      expect(res.body.position).to.match(/^\d+$/);
      expect(res.body.reason).to.equal('Not an ISO-8601 instant with offset: garbage');
      expect(res.body).to.not.have.property('errors');
    }
    const outOfRange = await request(api.server).get('/v1/orders/604/reconciliation').set(auth('finance'));
    expect(outOfRange.status).to.equal(422);
    expect(outOfRange.body.eventId).to.equal(ids['604']);
  });

  it('a readable order still reconciles (200)', async () => {
    const res = await request(api.server).get('/v1/orders/601/reconciliation').set(auth('finance'));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.status).to.equal('matched');
  });

  it('a late fact that makes a closed order unreadable: the adjustments answer 200 and list it with the event, moving no total', async () => {
    const key = 'wh-late-601';
    const order = { ...mayOrder('601'), invoicedAt: 'garbage', updatedAt: '2024-06-02T10:00:00Z' };
    const late: EventData = {
      id: uuidv5(sourceEventName('scayle', key, 'ScayleOrderInvoiced'), LEDGER_EVENT_NAMESPACE),
      type: 'ScayleOrderInvoiced',
      data: { order, webhookKey: key, scayleEventType: 'order-invoiced', raw: {} },
      metadata: { source: 'scayle', sourceEventId: key, occurredAt: '2024-06-02T10:00:00Z', recordedAt: '2024-06-02T10:00:01.000Z', schemaVersion: 1 },
    };
    const { position } = await storeOf(api.service).appendToStream(orderStreamId('msde', 'DE', '601'), [late], { expectedRevision: 'any' });
    const res = await request(api.server).get('/v1/periods/2024-05/adjustments').set(auth('finance'));
    expectResponseMatchesSpec(res, 'get', '/v1/periods/{period}/adjustments');
    expect(res.status, res.text).to.equal(200);
    expect(res.body.adjustments).to.deep.equal([]);
    expect(res.body.totals).to.deep.equal({ scayle: {}, erp: {}, psp: {} });
    expect(res.body.unreadable).to.have.length(1);
    expect(res.body.unreadable[0]).to.deep.include({ subject: 'order-msde-DE-601', orderId: '601', periodAtClose: '2024-05', eventId: late.id, eventType: 'ScayleOrderInvoiced', position: String(position), reason: 'Not an ISO-8601 instant with offset: garbage' });
    expect(res.body.unreadable[0].events.map((e: { eventId: string }) => e.eventId)).to.deep.equal([late.id]);
  });
});
