import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { SyncSummary } from '../../../src/application/ingest/sync-scayle-orders.use-case';
import { TOKENS, type Lifecycle } from '../../../src/infrastructure/di/tokens';
import { ScayleAdminClient } from '../../../src/infrastructure/scayle/scayle-admin-api.client';
import { LedgerService } from '../../../src/infrastructure/service';
import { head, INGEST_ENV, scayleFixture, streamEvents } from '../../support/ingest';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

interface StubRequest {
  url: string;
  token: string | undefined;
}

/** A local Admin API: serves the real OrderAllResponse page (cursor next "2") and a second page. */
class AdminApiStub {
  readonly requests: StubRequest[] = [];
  /** Answers to give before the real ones (status + headers), consumed in order. */
  readonly interruptions: { status: number; headers: Record<string, string> }[] = [];
  pageOne = scayleFixture<{ entities: Record<string, unknown>[]; cursor: { next: string } }>('OrderAllResponse.json');
  pageTwo = { entities: [scayleFixture('OrderGetResponse.json')], cursor: { next: null } };
  rateLimitHeaders: Record<string, string> = { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '99', 'X-RateLimit-Reset': '60' };
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      this.requests.push({ url: `${url.pathname}${url.search}`, token: req.headers['x-access-token'] as string | undefined });
      const interruption = this.interruptions.shift();
      if (interruption) {
        res.writeHead(interruption.status, { 'content-type': 'application/json', ...interruption.headers });
        res.end(JSON.stringify({ errors: [{ errorKey: 'rate_limit_exceeded', message: 'Too many requests', context: {} }] }));
        return;
      }
      if (url.pathname !== '/api/admin/v1/shops/msde/countries/DE/orders') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ errorKey: 'not_found', message: 'no such route', context: {} }] }));
        return;
      }
      const body = url.searchParams.get('cursor') === '2' ? this.pageTwo : this.pageOne;
      res.writeHead(200, { 'content-type': 'application/json', ...this.rateLimitHeaders });
      res.end(JSON.stringify(body));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/admin/v1`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('ingest: Scayle Admin API sync against a local stub', () => {
  const dir = tempDir();
  const stub = new AdminApiStub();
  let service: LedgerService;
  let sync: Lifecycle & { runOnce(): Promise<SyncSummary[]> };

  before(async () => {
    const baseUrl = await stub.start();
    service = await LedgerService.start(
      testConfig(dir.path, { ...INGEST_ENV, SCAYLE_ADMIN_API_BASE_URL: baseUrl, SCAYLE_ADMIN_API_TOKEN: 'stub-token', SCAYLE_SYNC_SHOPS: 'msde:DE', SCAYLE_SYNC_INTERVAL: '1h' }),
      {},
      false,
    );
    sync = service.container.getAll<Lifecycle>(TOKENS.Lifecycle).find((l) => l.name === 'scayle-sync') as typeof sync;
  });
  after(async () => {
    await service.stop();
    await stub.stop();
    dir.remove();
  });

  it('pages with the cursor, retries a 429 once, sends X-Access-Token, and appends ScayleOrderSynced per new order', async () => {
    stub.interruptions.push({ status: 429, headers: { 'Retry-After': '0', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '0' } });
    const [summary] = await sync.runOnce();
    expect(summary).to.deep.equal({ shopKey: 'msde', countryCode: 'DE', pages: 2, orders: 3, synced: 3, unchanged: 0, failed: 0 });
    expect(stub.requests.map((r) => r.url)).to.deep.equal([
      '/api/admin/v1/shops/msde/countries/DE/orders?limit=100',
      '/api/admin/v1/shops/msde/countries/DE/orders?limit=100',
      '/api/admin/v1/shops/msde/countries/DE/orders?limit=100&cursor=2',
    ]);
    expect(stub.requests.every((r) => r.token === 'stub-token')).to.equal(true);
    const [a] = await streamEvents(service, 'order-ay-DE-123');
    const [b] = await streamEvents(service, 'order-msde-DE-124');
    const [c] = await streamEvents(service, 'order-msde-DE-901');
    expect([a!.type, b!.type, c!.type]).to.deep.equal(['ScayleOrderSynced', 'ScayleOrderSynced', 'ScayleOrderSynced']);
    expect(c!.metadata).to.include({ source: 'scayle', occurredAt: '2018-01-20T09:30:15+00:00', actor: 'scayle-sync', syncedShop: 'msde:DE' });
    expect((c!.data as { order: { items: { gross: string }[] } }).order.items[0]!.gross).to.equal('11.90');
    // order 124 has external prices: no item VAT and no fee net in the payload; derived exactly and named
    expect(b!.metadata.derivedFields).to.deep.equal(['order.items[0].price.tax.vat', 'order.cost.appliedFees[0].amount.withoutTax']);
    const derived = (b!.data as { order: { items: { tax: string; taxRate: string }[]; fees: { net: string }[] } }).order;
    expect(derived.items[0]).to.include({ tax: '1.90', taxRate: '0.19' });
    expect(derived.fees[0]!.net).to.equal('1.68');
  });

  it('appends nothing when Scayle reports what the log already knows', async () => {
    const before = await head(service);
    const [summary] = await sync.runOnce();
    expect(summary).to.include({ orders: 3, synced: 0, unchanged: 3 });
    expect(await head(service)).to.equal(before);
  });

  it('catches a change a webhook missed: only that order gets a new ScayleOrderSynced', async () => {
    stub.pageOne = { ...stub.pageOne, entities: stub.pageOne.entities.map((e) => (e.id === 124 ? { ...e, status: 'cancellation_completed', updatedAt: '2018-01-25T09:00:00+00:00' } : e)) };
    const [summary] = await sync.runOnce();
    expect(summary).to.include({ synced: 1, unchanged: 2 });
    const events = await streamEvents(service, 'order-msde-DE-124');
    expect(events.map((e) => (e.data as { order: { status: string } }).order.status)).to.deep.equal(['payment_reserved', 'cancellation_completed']);
  });
});

describe('Scayle Admin API client (read side): rate limits and back-off', () => {
  const stub = new AdminApiStub();
  let baseUrl: string;
  before(async () => {
    baseUrl = await stub.start();
  });
  after(() => stub.stop());

  it('waits Retry-After on 429, then for the X-RateLimit-Reset window when nothing remains', async () => {
    const waits: number[] = [];
    const client = new ScayleAdminClient({ baseUrl, token: 't', timeoutMs: 5000, now: () => 1_000_000, sleep: async (ms) => void waits.push(ms) });
    stub.interruptions.push({ status: 429, headers: { 'Retry-After': '2' } });
    stub.rateLimitHeaders = { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '3' };
    const page = await client.listOrders({ shopKey: 'msde', countryCode: 'DE', limit: 2 });
    expect(page.nextCursor).to.equal('2');
    expect(page.orders).to.have.length(2);
    expect(page.rateLimit).to.deep.equal({ limit: 10, remaining: 0, resetSeconds: 3 });
    await client.listOrders({ shopKey: 'msde', countryCode: 'DE', limit: 2, cursor: '2' });
    expect(waits).to.deep.equal([2000, 3000]);
  });

  it('gives up after the configured attempts with the Scayle error key, and does not retry a 4xx', async () => {
    const waits: number[] = [];
    const client = new ScayleAdminClient({ baseUrl, token: 't', timeoutMs: 5000, readMaxAttempts: 3, readBackoffMs: 100, sleep: async (ms) => void waits.push(ms) });
    stub.rateLimitHeaders = {};
    for (let i = 0; i < 3; i++) stub.interruptions.push({ status: 429, headers: {} });
    const err = await client.listOrders({ shopKey: 'msde', countryCode: 'DE', limit: 2 }).catch((e: unknown) => e);
    expect(err).to.include({ name: 'ScayleApiError', status: 429, errorKey: 'rate_limit_exceeded' });
    expect(waits).to.deep.equal([100, 200]);
    const notFound = await client.listOrders({ shopKey: 'nope', countryCode: 'DE', limit: 2 }).catch((e: unknown) => e);
    expect(notFound).to.include({ status: 404, errorKey: 'not_found', retriable: false });
  });
});
