import { expect } from 'chai';
import request from 'supertest';
import { startApiService, type ApiTestService } from '../../support/api-service';
import { basicAuth, head, localeEnvelope } from '../../support/ingest';
import { auth, erpInvoice, ManualClock, postErp, postWebhook, scayleOrder, WEBHOOK_ENV } from '../../support/ops';
import { appendErpInvoice, orderSnapshot, seedOrder } from '../../support/order-fixtures';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';

/** The value of one sample line of the text format, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const inner = /\{(.*)\}/.exec(line)?.[1] ?? '';
    const have = inner.split(',');
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics', function () {
  this.timeout(30_000);
  let api: ApiTestService;
  before(async () => {
    api = await startApiService(WEBHOOK_ENV);
  });
  after(() => api.dispose());

  it('needs an operations (or admin) key', async () => {
    expect((await request(api.server).get('/metrics')).status).to.equal(401);
    expect((await request(api.server).get('/metrics').set(auth('finance'))).status).to.equal(403);
    expect((await request(api.server).get('/metrics').set(auth('admin'))).status).to.equal(200);
  });

  it('counts ingests by source/type/outcome and duplicates, times HTTP by route template, reads freshness and the outbox', async () => {
    await postWebhook(api, 'm-1', 'order-confirmed', scayleOrder(901)).expect(202);
    await postWebhook(api, 'm-1', 'order-confirmed', scayleOrder(901)).expect(202);
    await postWebhook(api, 'm-2', 'order-confirmed', { ...scayleOrder(902), items: [] }).expect(202); // kept as IngestionFailed
    await postErp(api, erpInvoice('SI-M1', '901')).expect(202);
    await request(api.server).get('/v1/orders/901/events').set(auth('finance')).expect(200);
    await request(api.server).get('/v1/orders/902/events').set(auth('finance'));
    await request(api.server).get('/no/such/route').expect(404);
    const pos = String(await head(api.service));
    await request(api.server).get(`/v1/freshness?minPosition=${pos}`).set(auth('operations')).expect(200);

    const res = await request(api.server).get('/metrics').set(auth('operations')).expect(200);
    expectResponseMatchesSpec(res, 'get', '/metrics');
    expect(res.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(sample(text, 'ledger_ingest_deliveries_total', { source: 'scayle_webhook', type: 'ScayleOrderConfirmed', outcome: 'accepted' })).to.equal(1);
    expect(sample(text, 'ledger_ingest_deliveries_total', { source: 'scayle_webhook', type: 'ScayleOrderConfirmed', outcome: 'duplicate' })).to.equal(1);
    expect(sample(text, 'ledger_ingest_deliveries_total', { source: 'scayle_webhook', type: 'IngestionFailed', outcome: 'failed' })).to.equal(1);
    expect(sample(text, 'ledger_ingest_deliveries_total', { source: 'erp_document', type: 'ErpInvoicePosted', outcome: 'accepted' })).to.equal(1);
    expect(sample(text, 'ledger_ingest_duplicates_total', { source: 'scayle_webhook' })).to.equal(1);
    // Route templates, never ids, as labels; unknown paths pooled.
    expect(sample(text, 'ledger_http_request_duration_seconds_count', { method: 'GET', route: '/v1/orders/{orderId}/events', status: '200' })).to.equal(1);
    expect(sample(text, 'ledger_http_request_duration_seconds_count', { method: 'POST', route: '/v1/ingest/scayle/webhooks', status: '202' })).to.equal(3);
    expect(sample(text, 'ledger_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).to.equal(1);
    expect(text).to.not.contain('/v1/orders/901');
    expect(sample(text, 'ledger_source_events', { source: 'scayle_webhook', window: '1h' })).to.equal(2); // the order fact + the kept failure
    expect(sample(text, 'ledger_source_last_ingest_timestamp_seconds', { source: 'erp' })).to.be.a('number');
    expect(sample(text, 'ledger_projection_lag_events', { projection: 'freshness' })).to.equal(0);
    expect(sample(text, 'ledger_projection_lag_events', { projection: 'outbox' })).to.be.a('number');
    expect(sample(text, 'ledger_outbox_entries', { status: 'pending' })).to.equal(0);
    expect(sample(text, 'ledger_stale_sync_open', { kind: 'erp_behind_scayle' })).to.equal(0);
    expect(text).to.match(/^ledger_process_cpu_seconds_total /m);
  });
});

describe('GET /metrics: findings and exception queues (read at scrape time)', function () {
  this.timeout(30_000);
  let api: ApiTestService;
  const clock = new ManualClock(new Date('2024-05-02T20:00:00.000Z'));
  const scrape = async () => (await request(api.server).get('/metrics').set(auth('operations')).expect(200)).text;
  const openByAge = (text: string, owner: string) => Object.fromEntries(['<1d', '1-3d', '3-7d', '>7d'].map((age) => [age, sample(text, 'ledger_exceptions_open', { owner, age })]));
  let exceptionId: string;
  let position: bigint;

  before(async () => {
    api = await startApiService(WEBHOOK_ENV, { clock });
    const events = api.service.container.get<EventStore>(TOKENS.EventStore);
    for (const id of ['6101', '6102']) {
      const order = orderSnapshot(id);
      const stream = await seedOrder(events, order);
      // 6101 is billed 10.00 too high (AMOUNT_MISMATCH, opened 2024-05-02T13:00Z, due three days later); 6102 matches.
      position = await appendErpInvoice(events, stream, id === '6101' ? { ...order, items: [{ ...order.items[0]!, gross: '129.00', net: '110.00', tax: '19.00' }, order.items[1]!] } : order);
    }
    const failed = await postWebhook(api, 'metrics-fail', 'order-confirmed', { ...scayleOrder(6103), items: [] }).expect(202); // SYNC_FAILURE, opened now
    position = BigInt(failed.body.position as string);
    const queue = await request(api.server).get(`/v1/exceptions?owner=finance&code=AMOUNT_MISMATCH&minPosition=${String(position)}`).set(auth('finance')).expect(200);
    exceptionId = (queue.body.items as { exceptionId: string }[])[0]!.exceptionId;
  });
  after(() => api.dispose());

  it('ledger_findings{code}: reconciliations per current finding code, zeros included', async () => {
    const text = await scrape();
    expect(sample(text, 'ledger_findings', { code: 'AMOUNT_MISMATCH' })).to.equal(1);
    expect(sample(text, 'ledger_findings', { code: 'MISSING_IN_ERP' })).to.equal(0);
    expect(text).to.match(/^# TYPE ledger_findings gauge$/m);
  });

  it('ledger_exceptions_open{owner,age} moves through the age buckets as time passes; ledger_exceptions_overdue{owner} after dueAt', async () => {
    let text = await scrape();
    expect(openByAge(text, 'finance')).to.deep.equal({ '<1d': 1, '1-3d': 0, '3-7d': 0, '>7d': 0 });
    // operations: the failed record, and the DATA_QUALITY_WARNING of 6101's invoice (header ≠ lines).
    expect(openByAge(text, 'operations')).to.deep.equal({ '<1d': 2, '1-3d': 0, '3-7d': 0, '>7d': 0 });
    expect(openByAge(text, 'cx')).to.deep.equal({ '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 });
    expect(sample(text, 'ledger_exceptions_overdue', { owner: 'finance' })).to.equal(0);

    clock.set('2024-05-04T14:00:00.000Z');
    text = await scrape();
    expect(openByAge(text, 'finance')).to.deep.equal({ '<1d': 0, '1-3d': 1, '3-7d': 0, '>7d': 0 });
    expect(sample(text, 'ledger_exceptions_overdue', { owner: 'finance' })).to.equal(0);
    // both operations exceptions (SLA one day) are overdue by now.
    expect(sample(text, 'ledger_exceptions_overdue', { owner: 'operations' })).to.equal(2);

    clock.set('2024-05-06T14:00:00.000Z');
    text = await scrape();
    expect(openByAge(text, 'finance')).to.deep.equal({ '<1d': 0, '1-3d': 0, '3-7d': 1, '>7d': 0 });
    expect(sample(text, 'ledger_exceptions_overdue', { owner: 'finance' })).to.equal(1);

    clock.set('2024-05-20T00:00:00.000Z');
    expect(openByAge(await scrape(), 'finance')).to.deep.equal({ '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 1 });
  });

  it('an acknowledged exception still counts; a resolved one does not', async () => {
    const url = `/v1/exceptions/${encodeURIComponent(exceptionId)}`;
    const ack = await request(api.server).post(`${url}/acknowledge`).set(auth('finance')).set('If-Match', '*').expect(200);
    expect(openByAge(await scrape(), 'finance')['>7d']).to.equal(1);
    await request(api.server).post(`${url}/resolve`).set(auth('finance')).set('If-Match', ack.body.exception.etag as string).send({ resolution: 'accepted', note: 'agreed price' }).expect(200);
    const text = await scrape();
    expect(openByAge(text, 'finance')).to.deep.equal({ '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 });
    expect(sample(text, 'ledger_exceptions_overdue', { owner: 'finance' })).to.equal(0);
    // The finding itself is still there: resolving an exception does not change the books.
    expect(sample(text, 'ledger_findings', { code: 'AMOUNT_MISMATCH' })).to.equal(1);
  });
});

describe('health probes', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  it('probe=live answers without asking the stores; the default and probe=ready ask each store', async () => {
    const live = await request(api.server).get('/v1/health?probe=live').expect(200);
    expectResponseMatchesSpec(live, 'get', '/v1/health');
    expect(live.body).to.deep.include({ status: 'ok', live: true, ready: null, checks: [] });
    for (const path of ['/v1/health', '/v1/health?probe=ready']) {
      const ready = await request(api.server).get(path).expect(200);
      expectResponseMatchesSpec(ready, 'get', '/v1/health');
      expect(ready.body.ready).to.equal(true);
      expect(ready.body.checks.length).to.be.greaterThan(0);
    }
    const bad = await request(api.server).get('/v1/health?probe=deep').expect(400);
    expectResponseMatchesSpec(bad, 'get', '/v1/health');
  });

  it('sends helmet security headers on API answers', async () => {
    const res = await request(api.server).get('/v1/health');
    expect(res.headers).to.include({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'strict-transport-security': 'max-age=31536000; includeSubDomains' });
    expect(res.headers['content-security-policy']).to.contain("default-src 'self'");
    expect(res.headers).to.not.have.property('x-powered-by');
  });
});

describe('ingest rate limit (LEDGER_INGEST_RATE_LIMIT)', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService({ ...WEBHOOK_ENV, LEDGER_INGEST_RATE_LIMIT: '3', LEDGER_INGEST_RATE_WINDOW: '1m' });
  });
  after(() => api.dispose());

  it('answers 429 problem+json with Retry-After beyond the limit, per client, appending nothing', async () => {
    for (let i = 0; i < 3; i++) await postWebhook(api, `rl-${i}`, 'order-confirmed', scayleOrder(900 + i)).expect(202);
    const before = await head(api.service);
    const res = await request(api.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope('rl-3', 'order-confirmed', scayleOrder(903))));
    expect(res.status).to.equal(429);
    expectResponseMatchesSpec(res, 'post', '/v1/ingest/scayle/webhooks');
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(Number(res.headers['retry-after'])).to.be.within(1, 60);
    expect(res.body).to.include({ status: 429, type: '/problems/rate-limited' });
    expect(await head(api.service)).to.equal(before);
    // Another client (the integrator's key) has its own budget; queries are not limited.
    await postErp(api, erpInvoice('SI-RL', '900')).expect(202);
    await request(api.server).get('/v1/orders/900/events').set(auth('finance')).expect(200);
  });
});
