import { expect } from 'chai';
import type { SyncSummary } from '../../../src/application/ingest/sync-scayle-orders.use-case';
import { TOKENS, type Lifecycle } from '../../../src/infrastructure/di/tokens';
import { createLogger } from '../../../src/infrastructure/logging/logger';
import { LedgerService } from '../../../src/infrastructure/service';
import { INGEST_ENV, scayleFixture, streamEvents } from '../../support/ingest';
import { scayleErrorBody, ScayleStub } from '../../support/scayle-stub';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

type SyncLifecycle = Lifecycle & { runOnce(): Promise<SyncSummary[]> };
interface LogLine {
  level: string;
  msg: string;
  component?: string;
  err?: unknown;
  [key: string]: unknown;
}

/** Well below the old ~10 s (one Admin API timeout) and generous for a loaded CI machine. */
const STOP_BOUND_MS = 2000;

const pageOne = () => scayleFixture<{ entities: Record<string, unknown>[]; cursor: { next: string } }>('OrderAllResponse.json');
const pageTwo = () => ({ entities: [scayleFixture('OrderGetResponse.json')], cursor: { next: null } });

/**
 * SIGTERM with the Admin API sync configured and Scayle hanging: `stop()` aborts the request in
 * flight and any back-off wait, logs one info line, and leaves nothing half-done (issue: shutdown
 * waited the whole Admin API timeout, then logged the abort as an error with its stack).
 */
describe('ingest: stopping the Scayle Admin API sync while Scayle does not answer', () => {
  const dir = tempDir();
  let stub: ScayleStub;
  let baseUrl: string;
  let lines: LogLine[];
  let service: LedgerService | undefined;

  const start = async (): Promise<SyncLifecycle> => {
    const env = { ...INGEST_ENV, SCAYLE_ADMIN_API_BASE_URL: baseUrl, SCAYLE_ADMIN_API_TOKEN: 'stub-token', SCAYLE_SYNC_SHOPS: 'msde:DE', SCAYLE_SYNC_INTERVAL: '1h' };
    const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
    service = await LedgerService.start(testConfig(dir.path, env), { logger }, false);
    return service.container.getAll<Lifecycle>(TOKENS.Lifecycle).find((l) => l.name === 'scayle-sync') as SyncLifecycle;
  };
  /** Stops the service and returns how long that took, in ms. */
  const stopTimed = async (): Promise<number> => {
    const t0 = performance.now();
    await service!.stop();
    service = undefined;
    return performance.now() - t0;
  };

  beforeEach(async () => {
    stub = new ScayleStub();
    baseUrl = await stub.start();
    lines = [];
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await stub.stop();
  });
  after(() => dir.remove());

  /** Starts a poll, stops the sync once Scayle got the first request, and checks it stopped in time, quietly, with nothing synced. */
  async function stopMidPoll(): Promise<void> {
    const sync = await start();
    const run = sync.runOnce();
    await stub.receivedRequests(1);
    const elapsed = await stopTimed();
    expect(elapsed).to.be.below(STOP_BOUND_MS);
    expect(await run).to.deep.equal([]);
    expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).to.deep.equal([]);
  }

  it('aborts a request Scayle never answers: stops within the bound, one info line, no error', async () => {
    stub.fallback = { status: 200, hang: true };
    await stopMidPoll();
    const syncLines = lines.filter((l) => l.component === 'scayle-sync');
    expect(syncLines.map((l) => ({ level: l.level, msg: l.msg, shopKey: l.shopKey, countryCode: l.countryCode, err: l.err }))).to.deep.equal([
      { level: 'info', msg: 'Scayle order sync stopped mid-poll', shopKey: 'msde', countryCode: 'DE', err: undefined },
    ]);
    expect(stub.requests).to.have.length(1);
  });

  it('cuts short the back-off Scayle asked for (503 with Retry-After: 30)', async () => {
    stub.fallback = { status: 503, headers: { 'Retry-After': '30' }, body: scayleErrorBody('service_unavailable', 'maintenance') };
    await stopMidPoll();
    expect(stub.requests).to.have.length(1);
  });

  it('keeps what was appended before the stop whole, and the next run starts again from the first page', async () => {
    stub.script = [{ status: 200, body: pageOne() }];
    stub.fallback = { status: 200, hang: true };
    let sync = await start();
    const run = sync.runOnce();
    await stub.receivedRequests(2); // page one fetched and its orders appended; page two hangs
    expect(stub.requests.map((r) => r.path)).to.deep.equal(['/api/admin/v1/shops/msde/countries/DE/orders?limit=100', '/api/admin/v1/shops/msde/countries/DE/orders?limit=100&cursor=2']);
    expect(await stopTimed()).to.be.below(STOP_BOUND_MS);
    expect(await run).to.deep.equal([]);

    stub.requests.length = 0;
    stub.script = [{ status: 200, body: pageOne() }, { status: 200, body: pageTwo() }];
    stub.fallback = { status: 500, body: scayleErrorBody('unexpected', 'a third request') };
    sync = await start();
    const [summary] = await sync.runOnce();
    expect(stub.requests.map((r) => r.path)).to.deep.equal(['/api/admin/v1/shops/msde/countries/DE/orders?limit=100', '/api/admin/v1/shops/msde/countries/DE/orders?limit=100&cursor=2']);
    expect(summary).to.deep.equal({ shopKey: 'msde', countryCode: 'DE', pages: 2, orders: 3, synced: 1, unchanged: 2, failed: 0 });
    for (const stream of ['order-ay-DE-123', 'order-msde-DE-124', 'order-msde-DE-901']) {
      expect((await streamEvents(service!, stream)).map((e) => e.type), stream).to.deep.equal(['ScayleOrderSynced']);
    }
  });
});
