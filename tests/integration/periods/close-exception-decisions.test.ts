/**
 * The close snapshot, its audit replay and the as-of queue fold the human exception decisions
 * recorded up to the cut, as the live queue does (rules version `reconcile/2025.5`): a written-off
 * blocking exception no longer blocks the close nor shows in `openExceptions`; acknowledged and
 * assigned ones keep their status and assignee; a finding that comes back after a write-off opens
 * again. A snapshot sealed under the previous rules version replays as a named mismatch.
 */
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import request from 'supertest';
import { snapshotHash } from '../../../src/application/period/snapshot-hash';
import { RULES_VERSION } from '../../../src/domain/order/rules/rules-version';
import type { CloseSnapshot } from '../../../src/domain/period/close-snapshot';
import { periodStreamId } from '../../../src/domain/shared/streams';
import type { ScayleOrderSnapshot } from '../../../src/domain/order/scayle-order.snapshot';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { orderSnapshot } from '../../support/order-fixtures';
import { addInvoice, addOrder, fakeClock, invoiceFor, mayOrder, storeOf } from '../../support/period-fixtures';

interface QueueItem {
  exceptionId: string;
  code: string;
  orderId?: string;
  status: string;
  assignee?: string;
}

const MISBILLED = { item1: { gross: '109.00', net: '91.60', tax: '17.40' } };
const path = (id: string, action?: string) => `/v1/exceptions/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

describe('periods: the close snapshot folds exception decisions (HTTP)', function () {
  this.timeout(60_000);
  let api: ApiTestService;
  const clock = fakeClock('2024-06-03T08:00:00.000Z');
  let lastPosition = 0n;

  /** The live queue (active exceptions) of a period, once the projections have reached every write so far. */
  const liveQueue = async (period: string): Promise<QueueItem[]> => {
    const res = await request(api.server).get(`/v1/exceptions?period=${period}&limit=500&minPosition=${String(lastPosition)}`).set(auth('admin'));
    expect(res.status, res.text).to.equal(200);
    return res.body.items as QueueItem[];
  };
  /** One decision, on the current ETag; answers the exception after it. */
  const decide = async (id: string, action: string, body: object = {}): Promise<QueueItem> => {
    const etag = (await request(api.server).get(path(id)).set(auth('finance'))).headers.etag as string;
    const res = await request(api.server).post(path(id, action)).set(auth('finance')).set('If-Match', etag).send(body);
    expect(res.status, res.text).to.equal(200);
    lastPosition = BigInt(res.body.position as string);
    return res.body.exception as QueueItem;
  };
  const invoice = async (order: ScayleOrderSnapshot, doc: ReturnType<typeof invoiceFor>, recordedAt?: string) => {
    lastPosition = await addInvoice(api.service, order, doc, recordedAt);
  };
  const blockingOf = async (period: string, orderId: string) => (await liveQueue(period)).filter((e) => e.orderId === orderId);
  const view = (e: QueueItem) => [e.exceptionId, e.status, e.assignee ?? null];
  const byId = (a: QueueItem, b: QueueItem) => (a.exceptionId < b.exceptionId ? -1 : 1);

  before(async () => {
    api = await startApiService({}, { clock });
  });
  after(() => api.dispose());

  it('acknowledge → assign → resolve → reopen → write off a blocking exception: the close needs no override, the snapshot does not list it, the replay matches', async () => {
    const matched = mayOrder('2101');
    await addOrder(api.service, matched);
    await invoice(matched, invoiceFor(matched, '2024-05-02'));
    const order = mayOrder('2102');
    await addOrder(api.service, order);
    await invoice(order, invoiceFor(order, '2024-05-02', MISBILLED));
    const open = await blockingOf('2024-05', '2102');
    const mismatch = open.find((e) => e.code === 'AMOUNT_MISMATCH')!;
    expect(mismatch, JSON.stringify(open)).to.not.equal(undefined);

    await decide(mismatch.exceptionId, 'acknowledge');
    await decide(mismatch.exceptionId, 'assign', { assignee: 'anna@shop.example' });
    await decide(mismatch.exceptionId, 'resolve', { resolution: 'corrected_in_erp', note: 'credit memo CM-1' });
    await decide(mismatch.exceptionId, 'reopen', { reason: 'CM-1 was booked on the wrong order' });
    for (const e of open) {
      const after = await decide(e.exceptionId, 'resolve', { resolution: 'written_off', note: '10.00 EUR, approved by the controller' });
      expect(after.status).to.equal('written_off');
    }
    expect(await blockingOf('2024-05', '2102'), 'the live queue has nothing open for the order').to.deep.equal([]);

    const closed = await request(api.server).post('/v1/periods/2024-05/close').set(auth('finance'));
    expectResponseMatchesSpec(closed, 'post', '/v1/periods/{period}/close');
    expect(closed.status, closed.text).to.equal(201);
    const snapshot = closed.body.snapshot as CloseSnapshot;
    expect(snapshot.openExceptions).to.deep.equal([]);
    expect(snapshot.close).to.not.have.property('override');
    expect(snapshot.rulesVersion).to.equal(RULES_VERSION);
    expect(snapshot.counts.byFindingCode.AMOUNT_MISMATCH, 'the finding is still counted: it was written off, not corrected').to.equal(1);
    expect(snapshot.counts.byStatus).to.include({ matched: 1, drift: 1 });

    const replay = await request(api.server).post('/v1/periods/2024-05/replay').set(auth('auditor')).send({});
    expectResponseMatchesSpec(replay, 'post', '/v1/periods/{period}/replay');
    expect(replay.body).to.include({ match: true, replayedHash: closed.body.hash });
    expect(replay.body.differences).to.deep.equal([]);
    const again = await request(api.server).post('/v1/periods/2024-05/replay').set(auth('auditor')).send({});
    expect(again.body.replayedHash, 'replaying twice gives the same hash').to.equal(replay.body.replayedHash);
  });

  it('after a sequence of decisions the live queue and the replay at the same position list the same open exceptions, statuses and assignees', async () => {
    clock.set('2024-06-20T08:00:00.000Z');
    const june = (id: string) => orderSnapshot(id, { confirmedAt: '2024-06-10T10:00:00Z', invoicedAt: '2024-06-10T12:00:00Z', updatedAt: '2024-06-10T12:00:00Z' });
    const [untouched, acknowledged, assigned, resolved, comesBack] = ['2201', '2202', '2203', '2204', '2205'].map(june) as [ScayleOrderSnapshot, ScayleOrderSnapshot, ScayleOrderSnapshot, ScayleOrderSnapshot, ScayleOrderSnapshot];
    for (const o of [untouched, acknowledged, assigned, resolved, comesBack]) {
      await addOrder(api.service, o);
      await invoice(o, invoiceFor(o, '2024-06-10', MISBILLED));
    }
    const mismatchOf = async (o: ScayleOrderSnapshot) => (await liveQueue('2024-06')).find((e) => e.orderId === o.orderId && e.code === 'AMOUNT_MISMATCH')!.exceptionId;
    await decide(await mismatchOf(acknowledged), 'acknowledge', { note: 'asking the ERP team' });
    await decide(await mismatchOf(assigned), 'acknowledge');
    await decide(await mismatchOf(assigned), 'assign', { assignee: 'ben@shop.example' });
    await decide(await mismatchOf(resolved), 'resolve', { resolution: 'corrected_in_erp', note: 'CM-2' });
    const back = await mismatchOf(comesBack);
    await decide(back, 'assign', { assignee: 'anna@shop.example' });
    await decide(back, 'resolve', { resolution: 'written_off', note: 'below the limit' });
    // The ERP corrects the invoice (the finding disappears), then books the wrong price again (it comes back).
    clock.set('2024-06-21T08:00:00.000Z');
    await invoice(comesBack, { ...invoiceFor(comesBack, '2024-06-10'), revision: 1 }, '2024-06-21T08:00:00.000Z');
    await liveQueue('2024-06');
    await invoice(comesBack, { ...invoiceFor(comesBack, '2024-06-10', MISBILLED), revision: 2 }, '2024-06-22T08:00:00.000Z');

    const live = (await liveQueue('2024-06')).filter((e) => e.orderId?.startsWith('22'));
    expect(live.find((e) => e.exceptionId === back), 'the write-off covered the occurrence that went away').to.deep.include({ status: 'open' });
    expect(live.find((e) => e.exceptionId === back)).to.not.have.property('assignee');
    expect(live.filter((e) => e.code === 'AMOUNT_MISMATCH').map((e) => e.orderId).sort()).to.deep.equal(['2201', '2202', '2203', '2205']);

    const asOf = await request(api.server).get(`/v1/exceptions?asOf=${String(lastPosition)}&period=2024-06`).set(auth('auditor'));
    expect(asOf.status, asOf.text).to.equal(200);
    const replayed = (asOf.body.exceptions as QueueItem[]).filter((e) => e.orderId?.startsWith('22'));
    expect(replayed.sort(byId).map(view)).to.deep.equal(live.sort(byId).map(view));
    expect(replayed.find((e) => e.exceptionId === back)).to.include({ openedAt: '2024-06-22T08:00:00.000Z' });

    clock.set('2024-07-02T08:00:00.000Z');
    const closed = await request(api.server).post('/v1/periods/2024-06/close').set(auth('finance')).send({ override: { reason: 'three price errors under review' } });
    expect(closed.status, closed.text).to.equal(201);
    const snapshot = closed.body.snapshot as CloseSnapshot;
    expect(snapshot.openExceptions.map((e) => [e.exceptionId, e.status, e.assignee ?? null])).to.deep.equal(live.sort(byId).map(view));
    expect(snapshot.close.override!.exceptions.map((e) => e.orderId)).to.include.members(['2201', '2202', '2203', '2205']);
    expect(snapshot.close.override!.exceptions.map((e) => e.orderId)).to.not.include('2204');
    const replay = await request(api.server).post('/v1/periods/2024-06/replay').set(auth('auditor')).send({});
    expect(replay.body.match, JSON.stringify(replay.body.differences)).to.equal(true);
  });

  it('a snapshot sealed under the previous rules version replays as a mismatch that names both versions', async () => {
    // Make May's close look as if it had been sealed under reconcile/2025.4, consistently (body,
    // PeriodClosed.rulesVersion and hash), before this release folded the write-off.
    const events = await storeOf(api.service).readStream(periodStreamId('2024-05'));
    const recorded = events.find((e) => e.type === 'PeriodCloseSnapshotRecorded')!;
    const closedEvent = events.find((e) => e.type === 'PeriodClosed')!;
    const data = JSON.parse(JSON.stringify(recorded.data)) as { snapshot: CloseSnapshot };
    data.snapshot.rulesVersion = 'reconcile/2025.4';
    const closedData = { ...(closedEvent.data as object), rulesVersion: 'reconcile/2025.4', hash: snapshotHash(data.snapshot) };
    const db = new Database(join(api.dataDir, 'events.db'));
    try {
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), Number(recorded.position));
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(closedData), Number(closedEvent.position));
    } finally {
      db.close();
    }
    const res = await request(api.server).post('/v1/periods/2024-05/replay').set(auth('auditor')).send({});
    expectResponseMatchesSpec(res, 'post', '/v1/periods/{period}/replay');
    expect(res.body.match).to.equal(false);
    expect(res.body.storedHash, 'the stored body is intact').to.equal(res.body.snapshotHash);
    expect(res.body.rulesVersion).to.deep.equal({ snapshot: 'reconcile/2025.4', replay: RULES_VERSION });
    expect(res.body.differences).to.deep.include({ path: '$.rulesVersion', expected: 'reconcile/2025.4', actual: RULES_VERSION });
  });
});
