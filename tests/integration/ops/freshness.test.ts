import { expect } from 'chai';
import request from 'supertest';
import { canonicalFreshnessJson, rebuildFreshnessState } from '../../../src/application/freshness/freshness.tracker';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import type { OutboxDispatcher } from '../../../src/application/outbox/outbox-dispatcher';
import type { FreshnessProjection } from '../../../src/infrastructure/freshness/freshness.projection';
import type { StaleSyncMonitor } from '../../../src/infrastructure/freshness/stale-sync.monitor';
import type { ReadModelStore } from '../../../src/application/ports/read-model-store.port';
import { EXCEPTIONS } from '../../../src/projections/exception-queue';
import { staleSyncExceptionId } from '../../../src/projections/reconciliation.projection';
import type { ProjectionRunner } from '../../../src/projections/runner';
import { startApiService, type ApiTestService } from '../../support/api-service';
import { storeOf, streamEvents } from '../../support/ingest';
import { auth, erpInvoice, ManualClock, postErp, postPsp, postWebhook, pspBatch, scayleOrder, WEBHOOK_ENV } from '../../support/ops';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';

const HOUR = 3_600_000;

describe('GET /v1/freshness and STALE_SYNC', function () {
  this.timeout(30_000);
  const clock = new ManualClock(new Date('2024-06-03T08:00:00Z'));
  const env = { ...WEBHOOK_ENV, LEDGER_STALE_ERP_LAG: '6h', LEDGER_FRESHNESS_CHECK_INTERVAL: '1h' };
  let api: ApiTestService;
  const freshness = (position?: string, role: 'operations' | 'finance' | 'auditor' = 'operations') =>
    request(api.server).get(`/v1/freshness${position ? `?minPosition=${position}` : ''}`).set(auth(role));
  const monitor = () => api.service.container.get<StaleSyncMonitor>(TOKENS.StaleSyncMonitor);

  before(async () => {
    api = await startApiService(env, { clock });
  });
  after(() => api.dispose());

  it('answers with every source empty on an empty log', async () => {
    const res = await freshness().expect(200);
    expectResponseMatchesSpec(res, 'get', '/v1/freshness');
    expect(res.body.sources.map((s: { source: string; totalEvents: number }) => [s.source, s.totalEvents])).to.deep.equal([
      ['scayle_webhook', 0],
      ['scayle_sync', 0],
      ['erp', 0],
      ['psp', 0],
    ]);
    expect(res.body.openFindings).to.deep.equal([]);
    expect(res.body.thresholds).to.deep.equal({ erpLagSeconds: 21600, webhookSilenceSeconds: 1800, projectionLagSeconds: 300 });
  });

  it('reports per source the newest source time, ingest time and events per window', async () => {
    await postWebhook(api, 'fr-confirm-901', 'order-confirmed', scayleOrder(901), '2024-06-03T07:55:00Z').expect(202);
    clock.advance(60_000);
    await postWebhook(api, 'fr-invoice-901', 'order-invoiced', scayleOrder(901), '2024-06-03T07:58:00Z').expect(202);
    await postErp(api, erpInvoice('SI-901', '901')).expect(202);
    clock.set('2024-06-03T09:30:00Z');
    const psp = await postPsp(api, pspBatch('B-1', '901')).expect(202);
    const res = await freshness(psp.body.position, 'finance').expect(200);
    expectResponseMatchesSpec(res, 'get', '/v1/freshness');
    const by = Object.fromEntries(res.body.sources.map((s: { source: string }) => [s.source, s]));
    expect(by.scayle_webhook).to.deep.include({ lastOccurredAt: '2024-06-03T07:58:00Z', lastRecordedAt: '2024-06-03T08:01:00.000Z', lastEventType: 'ScayleOrderInvoiced', totalEvents: 2, eventsPerWindow: { '1h': 0, '24h': 2 }, secondsSinceLastIngest: 5340 });
    expect(by.erp).to.deep.include({ lastOccurredAt: '2024-06-03T00:00:00.000Z', lastEventType: 'ErpInvoicePosted', totalEvents: 1 });
    expect(by.psp).to.deep.include({ lastRecordedAt: '2024-06-03T09:30:00.000Z', totalEvents: 2, eventsPerWindow: { '1h': 2, '24h': 2 } });
    expect(by.scayle_sync.totalEvents).to.equal(0);
    expect(res.body.headPosition).to.equal(psp.body.position);
    expect(res.body.projections.find((p: { name: string }) => p.name === 'freshness')).to.deep.equal({ name: 'freshness', position: psp.body.position, lagEvents: 0, lagSeconds: 0, caughtUp: true });
    expect(res.body.failingChecks).to.deep.equal([]);
  });

  it('opens STALE_SYNC when Scayle invoices and no ERP document follows beyond the threshold, and clears it when one arrives', async () => {
    const inv = await postWebhook(api, 'fr-invoice-902', 'order-invoiced', scayleOrder(902), '2024-06-03T09:35:00Z').expect(202);
    await freshness(inv.body.position).expect(200);
    await monitor().runOnce();
    expect(await streamEvents(api.service, 'freshness'), 'nothing stale yet').to.deep.equal([]);

    clock.advance(7 * HOUR);
    await monitor().runOnce();
    await monitor().runOnce(); // a second run while it stays stale appends nothing more
    const detected = await streamEvents(api.service, 'freshness');
    expect(detected.map((e) => [e.type, (e.data as { checkId: string }).checkId])).to.deep.equal([['StaleSyncDetected', 'erp_behind_scayle']]);
    expect(detected[0]!.data).to.deep.include({ code: 'STALE_SYNC', owner: 'operations', kind: 'erp_behind_scayle', detectedAt: '2024-06-03T16:30:00.000Z' });
    expect(detected[0]!.metadata).to.include({ source: 'ledger', actor: 'freshness-monitor' });

    const res = await freshness(String(detected[0]!.position)).expect(200);
    expectResponseMatchesSpec(res, 'get', '/v1/freshness');
    expect(res.body.failingChecks.map((c: { checkId: string }) => c.checkId)).to.deep.equal(['erp_behind_scayle']);
    expect(res.body.openFindings).to.have.length(1);
    expect(res.body.openFindings[0]).to.deep.include({ checkId: 'erp_behind_scayle', detectedAt: '2024-06-03T16:30:00.000Z' });

    // The exception projection turns the finding into an operations exception.
    const runner = api.service.container.get<ProjectionRunner>(TOKENS.ProjectionRunner);
    const readModels = api.service.container.get<ReadModelStore>(TOKENS.ReadModelStore);
    expect(await runner.waitForPosition(detected[0]!.position, 10_000)).to.equal(true);
    const exception = await readModels.get(EXCEPTIONS, staleSyncExceptionId('erp_behind_scayle'));
    expect(exception!.doc).to.deep.include({ code: 'STALE_SYNC', owner: 'operations', status: 'open', findingPresent: true, subject: 'erp_behind_scayle', explanation: (detected[0]!.data as { message: string }).message });

    await postErp(api, erpInvoice('SI-902', '902')).expect(202);
    await monitor().runOnce();
    const after = await streamEvents(api.service, 'freshness');
    expect(after.map((e) => e.type)).to.deep.equal(['StaleSyncDetected', 'StaleSyncCleared']);
    expect(await runner.waitForPosition(after[1]!.position, 10_000)).to.equal(true);
    const clearedDoc = (await readModels.get(EXCEPTIONS, staleSyncExceptionId('erp_behind_scayle')))!.doc;
    expect(clearedDoc.findingPresent).to.equal(false);
    const cleared = await freshness(String(after[1]!.position)).expect(200);
    expect(cleared.body.openFindings).to.deep.equal([]);
  });

  it('is right straight after a restart, and equals a clean rebuild from the log', async () => {
    const before = (await freshness().expect(200)).body;
    await api.stop();
    api = await startApiService(env, { clock }, api.dataDir);
    const after = (await freshness().expect(200)).body;
    expect(after.sources).to.deep.equal(before.sources);
    expect(after.openFindings).to.deep.equal(before.openFindings);
    const projection = api.service.container.get<FreshnessProjection>(TOKENS.FreshnessProjection);
    const rebuilt = await rebuildFreshnessState(storeOf(api.service).readAll(), 24 * 60);
    expect(canonicalFreshnessJson(projection.state())).to.equal(canonicalFreshnessJson(rebuilt));
  });

  it('counts the outbox as caught up once its dispatcher has read events it has nothing to send for', async () => {
    // Webhooks are no refunds or corrections: the dispatcher reads past them without writing its
    // checkpoint for each; the view must not look stuck (and raise a false projection_lag STALE_SYNC).
    await postWebhook(api, 'fr-outbox-903-a', 'order-confirmed', scayleOrder(903), '2024-06-03T09:40:00Z').expect(202);
    const last = await postWebhook(api, 'fr-outbox-903-b', 'order-invoiced', scayleOrder(903), '2024-06-03T09:41:00Z').expect(202);
    await api.service.container.get<OutboxDispatcher>(TOKENS.OutboxDispatcher).drain();
    const res = await freshness(last.body.position).expect(200);
    expect(res.body.projections.find((p: { name: string }) => p.name === 'outbox')).to.deep.equal({ name: 'outbox', position: last.body.position, lagEvents: 0, lagSeconds: 0, caughtUp: true });
  });

  it('rejects a malformed minPosition with a 400 problem', async () => {
    const res = await request(api.server).get('/v1/freshness?minPosition=-1').set(auth('operations')).expect(400);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.body.errors).to.deep.equal([{ field: 'minPosition', message: 'must be a log position (a decimal string)' }]);
  });
});
