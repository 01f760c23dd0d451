import { expect } from 'chai';
import request from 'supertest';
import type { ProjectionMonitor } from '../../../src/application/ports/projection-monitor.port';
import type { ReadModelStore } from '../../../src/application/ports/read-model-store.port';
import type { Lifecycle } from '../../../src/infrastructure/di/tokens';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { createLogger } from '../../../src/infrastructure/logging/logger';
import { ProjectionThread } from '../../../src/infrastructure/projections-thread/projection-thread';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, INGEST_ENV, localeEnvelope, scayleFixture, storeOf } from '../../support/ingest';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const ROUTE = '/v1/ingest/scayle/webhooks';
const order = scayleFixture('OrderGetResponse.json');

describe('projection thread (LEDGER_PROJECTION_THREAD=worker, the default)', function () {
  this.timeout(30_000);
  const dir = tempDir();
  let service: LedgerService;
  const webhook = (n: number) =>
    request(service.server)
      .post(ROUTE)
      .set('Authorization', basicAuth())
      .set('content-type', 'application/json')
      .send(JSON.stringify(localeEnvelope(`thread-${n}`, 'order-confirmed', { ...order, id: 7000 + n })))
      .expect(202);
  const thread = () => service.container.get<ProjectionThread>(TOKENS.ProjectionThread);

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, INGEST_ENV), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  it('runs the runner in a worker thread: the main thread has no runner, its monitor is the thread, and the lifecycle says so', () => {
    expect(() => service.container.get(TOKENS.ProjectionRunner)).to.throw(/projection thread/);
    expect(service.container.get<ProjectionMonitor>(TOKENS.ProjectionMonitor)).to.equal(thread());
    const names = service.container.getAll<Lifecycle>(TOKENS.Lifecycle).map((l) => l.name);
    expect(names).to.include('projection runner (worker thread)');
    expect(names).to.not.include('projection runner');
  });

  it('answers read-your-writes from the thread: a minPosition query sees the order the webhook just appended', async () => {
    const res = await webhook(1);
    const position = res.body.position as string;
    const list = await request(service.server).get(`/v1/reconciliations?minPosition=${position}`).set('Authorization', bearer('finance')).expect(200);
    expect(list.body.items.map((i: { streamId: string }) => i.streamId)).to.include('order-msde-DE-7001');
    const checkpoints = thread().checkpoints();
    expect(checkpoints.map((c) => c.name)).to.deep.equal(['reconciliation', 'order-history']);
    for (const c of checkpoints) expect(c.position >= BigInt(position)).to.equal(true);
  });

  it('reports lag from the main thread: caught up at the head once the thread has applied it', async () => {
    await webhook(2);
    const head = await storeOf(service).headPosition();
    expect(await thread().waitForPosition(head, 10_000)).to.equal(true);
    const status = await thread().status();
    expect(status.map((s) => [s.name, s.checkpoint, s.head, s.lagEvents, s.caughtUp])).to.deep.equal([
      ['reconciliation', head, head, 0, true],
      ['order-history', head, head, 0, true],
    ]);
  });

  it('starts a thread that died again and goes on from its checkpoints, nothing applied twice', async () => {
    const before = thread().checkpoints();
    await (thread() as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect((await thread().status()).every((s) => !s.caughtUp)).to.equal(true);
    const res = await webhook(3);
    // The restart waits 1 s; the wait covers it.
    expect(await thread().waitForPosition(BigInt(res.body.position as string), 15_000)).to.equal(true);
    expect(thread().checkpoints().every((c, i) => c.position > before[i]!.position)).to.equal(true);
    // The fixture order was created in January 2018.
    const period = await request(service.server).get(`/v1/periods/2018-01?minPosition=${res.body.position as string}`).set('Authorization', bearer('finance')).expect(200);
    expect(period.body.orders).to.equal(3);
  });

  it('a thread whose store does not answer fails the start with its reason (the service does not start without projections)', async () => {
    const bad = tempDir();
    try {
      const config = testConfig(bad.path, { EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false' });
      const probe = new ProjectionThread({ ...config, shutdownTimeoutMs: 2_000 }, storeOf(service), service.container.get<ReadModelStore>(TOKENS.ReadModelStore), createLogger('silent'), ['reconciliation', 'order-history']);
      let failure: unknown;
      await probe.start().catch((err: unknown) => (failure = err));
      expect(String(failure)).to.match(/does not answer/);
      await probe.stop();
    } finally {
      bad.remove();
    }
  });

  it('stops with the service: waits then resolve false at once instead of at their timeout', async () => {
    const other = tempDir();
    const s = await LedgerService.start(testConfig(other.path, INGEST_ENV), {}, false);
    const monitor = s.container.get<ProjectionMonitor>(TOKENS.ProjectionMonitor);
    const waiting = monitor.waitForPosition(1_000_000n, 60_000);
    const started = Date.now();
    await s.stop();
    expect(await waiting).to.equal(false);
    expect(Date.now() - started).to.be.lessThan(30_000);
    other.remove();
  });
});
