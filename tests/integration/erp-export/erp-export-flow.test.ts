import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { ErpExportIndexer } from '../../../src/application/erp-export/erp-export.indexer';
import { ErpExportPlanner } from '../../../src/application/erp-export/erp-export.planner';
import { ErpExportScheduler } from '../../../src/application/erp-export/erp-export.scheduler';
import { ErpExportSender } from '../../../src/application/erp-export/erp-export.sender';
import { AuditedExportMappings } from '../../../src/application/erp-export/export-mappings';
import { KeyedMutex } from '../../../src/application/ingest/keyed-mutex';
import type { MappingsService } from '../../../src/application/mapping/mappings.service';
import type { Clock } from '../../../src/application/ports/clock.port';
import type { ErpGateway } from '../../../src/application/ports/erp-gateway.port';
import type { ErpDocument } from '../../../src/domain/erp/erp-document';
import type { Config } from '../../../src/infrastructure/config/config';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { SqliteErpExportStore } from '../../../src/infrastructure/erp-export/sqlite-erp-export-store';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { BusinessCentralStub } from '../../support/business-central-stub';
import { appendScayleFact, bcEnv, exportStoreOf, FAST_EXPORT_ENV, ofType, putMappings, schedulerOf, storeOf } from '../../support/erp-export';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';
import { fakeClock } from '../../support/period-fixtures';
import { tempDir } from '../../support/temp-dir';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const MAPPED = (...orderIds: string[]) => Object.fromEntries(orderIds.flatMap((o) => [[`var-${o}1`, `I-${o}1`], [`var-${o}2`, `I-${o}2`]]));

/** A second scheduler over the same log and ERP, with its own connection to the export index: another process. */
function secondScheduler(api: ApiTestService): ErpExportScheduler {
  const c = api.service.container;
  const config = c.get<Config>(TOKENS.Config);
  const e = config.erpExport;
  const events = storeOf(api);
  const clock = c.get<Clock>(TOKENS.Clock);
  const store = new SqliteErpExportStore(join(api.dataDir, 'erp-export.db'), 'NORMAL');
  const mappings = new AuditedExportMappings(c.get<MappingsService>(TOKENS.Mappings), { feeAccounts: e.feeAccounts, ...(e.discountAccount ? { discountAccount: e.discountAccount } : {}) });
  const sender = new ErpExportSender(events, store, c.get<ErpGateway>(TOKENS.ErpGateway), mappings, clock, quiet, { ...e, profile: config.reconciliation.erpProfile });
  const planner = new ErpExportPlanner(events, store, clock, { trigger: e.trigger, saleDocumentKind: e.saleDocumentKind, timezone: config.timezone }, new KeyedMutex());
  return new ErpExportScheduler(events, store, new ErpExportIndexer(events, store, clock, quiet), planner, sender, c.get<ErpGateway>(TOKENS.ErpGateway), clock, quiet, { intervalMs: 3_600_000, batchSize: 10, indexWaitMs: 5000 });
}

async function invoicedOrder(api: ApiTestService, orderId: string, at = '2024-05-02T12:00:00Z'): Promise<string> {
  const snapshot = orderSnapshot(orderId);
  const stream = await seedKnownOrder(api.service.container, snapshot);
  await appendScayleFact(storeOf(api), snapshot, 'ScayleOrderInvoiced', `inv-${orderId}`, at);
  return stream;
}

describe('ERP export to Business Central (stub of API v2.0)', () => {
  const stub = new BusinessCentralStub();
  let api: ApiTestService;

  before(async () => {
    await stub.start();
    api = await startApiService(bcEnv(stub));
    await putMappings(api, MAPPED('901', '903', '904'));
    // The scheduler's first run starts with the service; let it finish so that only the tests' runs go.
    await schedulerOf(api).run();
  });
  after(async () => {
    await api.dispose();
    await stub.stop();
  });
  beforeEach(() => stub.reset());

  it('exports an invoiced order once, though two schedulers and a manual run go at the same time and the first create times out', async () => {
    stub.faults = [{ match: (r) => r.method === 'POST', delayMs: 500 }];
    const stream = await invoicedOrder(api, '901');
    const second = secondScheduler(api);
    await second.start();
    try {
      const [a, b, manual] = await Promise.all([schedulerOf(api).run(), second.run(), request(api.server).post('/v1/erp/exports/run').set(auth('operations')).send({})]);
      expectResponseMatchesSpec(manual, 'post', '/v1/erp/exports/run');
      expect(manual.body).to.include({ target: 'business-central', sending: true });
      // Whichever run planned it (the second scheduler's own loop starts with a run too), it was requested once.
      expect(a.requested + b.requested + manual.body.requested).to.be.at.most(1);
      await Promise.all([schedulerOf(api).drain(), second.drain()]);
    } finally {
      await second.stop();
    }

    const posts = stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/salesInvoices'));
    expect(posts, 'one create call: the retry read back instead').to.have.length(1);
    expect(stub.documents).to.have.length(1);
    const readBacks = stub.requests.filter((r) => r.method === 'GET');
    expect(readBacks.length).to.be.at.least(1);
    expect(readBacks[0]!.query.get('$filter')).to.equal("externalDocumentNumber eq '901'");
    expect(posts[0]!.body).to.deep.include({ externalDocumentNumber: '901', customerNumber: '10000', postingDate: '2024-05-02', invoiceDate: '2024-05-02' });

    const events = await storeOf(api).readStream(stream);
    expect(ofType(events, 'OrderExportRequested')).to.have.length(1);
    const done = ofType(events, 'OrderExportedToErp');
    expect(done).to.have.length(1);
    expect(done[0]!.data).to.deep.include({ documentNumber: '901-INV1', erpDocumentNumber: stub.documents[0]!.number, erpDocumentId: stub.documents[0]!.id, target: 'business-central', readBack: true, gross: '183.45', currency: 'EUR' });
    expect((done[0]!.data as { payloadHash: string }).payloadHash).to.match(/^[0-9a-f]{64}$/);
    expect((done[0]!.data as { attempt: number }).attempt).to.be.at.least(2);
    expect(done[0]!.metadata).to.include({ source: 'ledger', actor: 'system:erp-export', causationId: ofType(events, 'OrderExportRequested')[0]!.id });
    expect(ofType(events, 'ErpExportFailed'), 'a retried timeout is no failure').to.have.length(0);

    const list = await request(api.server).get('/v1/erp/exports?orderId=901').set(auth('finance')).expect(200);
    expectResponseMatchesSpec(list, 'get', '/v1/erp/exports');
    expect(list.body.items).to.have.length(1);
    expect(list.body.items[0]).to.include({ documentKind: 'invoice', documentNumber: '901-INV1', status: 'exported', erpDocumentNumber: stub.documents[0]!.number, period: '2024-05' });

    const rec = await request(api.server).get('/v1/orders/901/reconciliation').set(auth('finance')).expect(200);
    expectResponseMatchesSpec(rec, 'get', '/v1/orders/{orderId}/reconciliation');
    expect(rec.body.erpExport.status).to.equal('exported');
    expect(rec.body.erpExport.exports[0]).to.include({ documentNumber: '901-INV1', erpDocumentNumber: stub.documents[0]!.number });
  });

  it('a return after export produces a credit memo for the returned unit, applied to the exported invoice', async () => {
    const stream = await invoicedOrder(api, '903');
    await schedulerOf(api).drain();
    const invoiceNumber = stub.documents[0]!.number;
    await appendScayleFact(storeOf(api), { ...orderSnapshot('903'), updatedAt: '2024-05-10T09:00:00Z' }, 'ScayleOrderItemReturned', 'ret-903', '2024-05-10T09:00:00Z', ['9032']);
    const summary = await schedulerOf(api).run();
    expect(summary).to.include({ requested: 1, exported: 1 });

    const credit = stub.documents[1]!;
    expect(credit.entity).to.equal('salesCreditMemos');
    expect(credit.body).to.deep.include({ externalDocumentNumber: '903', invoiceNumber, creditMemoDate: '2024-05-10', postingDate: '2024-05-10' });
    expect(credit.body.salesCreditMemoLines).to.deep.equal([{ sequence: 10000, lineType: 'Item', lineObjectNumber: 'I-9032', description: 'Variant var-9032', quantity: 1, unitPrice: 50, taxCode: 'DE19' }]);

    const events = await storeOf(api).readStream(stream);
    expect(ofType(events, 'OrderExportRequested').map((e) => (e.data as { documentNumber: string }).documentNumber)).to.deep.equal(['903-INV1', '903-CR1']);
    expect(ofType(events, 'OrderExportedToErp').map((e) => (e.data as { erpDocumentNumber: string }).erpDocumentNumber)).to.deep.equal([invoiceNumber, credit.number]);
    const list = await request(api.server).get('/v1/erp/exports?orderId=903').set(auth('auditor')).expect(200);
    expectResponseMatchesSpec(list, 'get', '/v1/erp/exports');
    expect(list.body.items.map((i: { documentKind: string; status: string }) => `${i.documentKind}:${i.status}`)).to.deep.equal(['invoice:exported', 'credit_memo:exported']);
  });

  it('a return that came before the export: the invoice, then its credit memo, in one run', async () => {
    await invoicedOrder(api, '904');
    await appendScayleFact(storeOf(api), orderSnapshot('904'), 'ScayleOrderItemReturned', 'ret-904', '2024-05-03T09:00:00Z', ['9041']);
    const summary = await schedulerOf(api).run();
    expect(summary).to.include({ requested: 2, exported: 2 });
    expect(stub.documents.map((d) => d.entity)).to.deep.equal(['salesInvoices', 'salesCreditMemos']);
  });
});

describe('ERP export: a missing mapping blocks the order, the mapping releases it (NDJSON files)', () => {
  const out = tempDir();
  let api: ApiTestService;
  before(async () => {
    api = await startApiService({ LEDGER_ERP_EXPORT_TARGET: `file:${out.path}`, ...FAST_EXPORT_ENV });
  });
  after(async () => {
    await api.dispose();
    out.remove();
  });

  it('an unmapped variant is not sent: SYNC_FAILURE naming it; once the mapping is added the order is exported', async () => {
    await putMappings(api, { 'var-9021': 'I-9021' });
    const stream = await invoicedOrder(api, '902');
    const first = await schedulerOf(api).run();
    expect(first).to.include({ requested: 1, exported: 0, blocked: 1 });
    const failed = ofType(await storeOf(api).readStream(stream), 'ErpExportFailed');
    expect(failed).to.have.length(1);
    expect(failed[0]!.data).to.deep.include({ reason: 'mapping_missing', retriable: true, attempt: 1, documentNumber: '902-INV1', missing: [{ kind: 'item', variantReferenceKey: 'var-9022', itemIds: ['9022'] }] });

    const blocked = await request(api.server).get('/v1/erp/exports?status=blocked').set(auth('operations')).expect(200);
    expectResponseMatchesSpec(blocked, 'get', '/v1/erp/exports');
    expect(blocked.body.export).to.include({ target: 'file', sending: true });
    expect(blocked.body.items).to.have.length(1);
    expect(blocked.body.items[0]).to.deep.include({ orderId: '902', status: 'blocked', reason: 'mapping_missing', missing: [{ kind: 'item', variantReferenceKey: 'var-9022', itemIds: ['9022'] }] });

    const rec = await request(api.server).get('/v1/orders/902/reconciliation').set(auth('operations')).expect(200);
    expectResponseMatchesSpec(rec, 'get', '/v1/orders/{orderId}/reconciliation');
    const sync = rec.body.findings.find((f: { code: string }) => f.code === 'SYNC_FAILURE');
    expect(sync).to.deep.include({ owner: 'operations', reason: 'mapping_missing', documentNumber: '902-INV1' });
    expect(sync.explanation).to.match(/no ERP item number for variant var-9022/);
    expect(rec.body.erpExport.status).to.equal('blocked');
    expect(() => readFileSync(join(out.path, 'erp-documents-2024-05.ndjson'), 'utf8')).to.throw();

    await putMappings(api, { 'var-9021': 'I-9021', 'var-9022': 'I-9022' });
    const second = await schedulerOf(api).run();
    expect(second).to.include({ requested: 0, exported: 1, blocked: 0 });

    const lines = readFileSync(join(out.path, 'erp-documents-2024-05.ndjson'), 'utf8').split('\n').filter(Boolean);
    expect(lines).to.have.length(1);
    const doc = JSON.parse(lines[0]!) as ErpDocument;
    expect(doc).to.deep.include({ documentType: 'invoice', documentNumber: '902-INV1', orderReference: '902', status: 'open', postingDate: '2024-05-02' });
    expect(doc.lines.map((l) => [l.kind, l.erpItemNumber, l.taxCode, l.quantity, l.gross])).to.deep.equal([
      ['item', 'I-9021', 'DE19', '1', '119.00'],
      ['item', 'I-9022', 'DE19', '1', '59.50'],
      ['shipping', '8400', 'DE19', '1', '4.95'],
    ]);
    const after = await request(api.server).get('/v1/orders/902/reconciliation').set(auth('operations')).expect(200);
    expect(after.body.findings.map((f: { code: string }) => f.code)).to.not.include('SYNC_FAILURE');
    expect(after.body.erpExport.status).to.equal('exported');
    const counts = await exportStoreOf(api).counts();
    expect(counts).to.deep.equal({ pending: 0, blocked: 0, exported: 1, failed: 0 });
  });
});

describe('ERP export: exported but not posted (fake clock)', () => {
  const out = tempDir();
  const clock = fakeClock('2024-05-02T13:00:00Z');
  let api: ApiTestService;
  before(async () => {
    api = await startApiService({ LEDGER_ERP_EXPORT_TARGET: `file:${out.path}`, ...FAST_EXPORT_ENV }, { clock });
    await putMappings(api, MAPPED('905'));
  });
  after(async () => {
    await api.dispose();
    out.remove();
  });

  it('pending until the grace window after the export has passed, then MISSING_IN_ERP "exported_not_posted"; posting the exported document matches', async () => {
    await invoicedOrder(api, '905');
    const before = await request(api.server).get('/v1/orders/905/reconciliation').set(auth('finance')).expect(200);
    expect(before.body.erpExport.status).to.equal('not_requested');
    expect(await schedulerOf(api).run()).to.include({ exported: 1 });

    clock.set('2024-05-03T12:30:00Z'); // 24½ h after the sale, 23½ h after the export
    const inside = await request(api.server).get('/v1/orders/905/reconciliation').set(auth('finance')).expect(200);
    expectResponseMatchesSpec(inside, 'get', '/v1/orders/{orderId}/reconciliation');
    expect(inside.body.findings).to.deep.equal([]);
    expect(inside.body.pending).to.deep.equal(['invoice']);

    clock.set('2024-05-03T13:00:01Z');
    const late = await request(api.server).get('/v1/orders/905/reconciliation').set(auth('finance')).expect(200);
    expectResponseMatchesSpec(late, 'get', '/v1/orders/{orderId}/reconciliation');
    expect(late.body.findings.map((f: { code: string }) => f.code)).to.deep.equal(['MISSING_IN_ERP']);
    expect(late.body.findings[0]).to.include({ reason: 'exported_not_posted', component: 'order' });
    expect(late.body.findings[0].explanation).to.match(/exported to the ERP as 905-INV1 .*post the document in the ERP/);

    // The ERP posts what it was sent: the exported NDJSON line goes back in through the ingestion as posted.
    const line = readFileSync(join(out.path, 'erp-documents-2024-05.ndjson'), 'utf8').split('\n').find((l) => l.includes('"905-INV1"'))!;
    const posted = { ...(JSON.parse(line) as ErpDocument), status: 'posted', revision: 1 };
    await request(api.server).post('/v1/ingest/erp/documents').set(auth('integrator')).send(posted).expect(202);
    const matched = await request(api.server).get('/v1/orders/905/reconciliation').set(auth('finance')).expect(200);
    expect(matched.body.findings).to.deep.equal([]);
    expect(matched.body.status).to.equal('matched');
  });
});

describe('ERP export with no target configured', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService({ ...FAST_EXPORT_ENV });
    await putMappings(api, MAPPED('906'));
  });
  after(() => api.dispose());

  it('records what is due and keeps it pending and visible, never exported', async () => {
    await invoicedOrder(api, '906');
    const run = await request(api.server).post('/v1/erp/exports/run').set(auth('admin')).expect(200);
    expectResponseMatchesSpec(run, 'post', '/v1/erp/exports/run');
    expect(run.body).to.include({ target: 'none', sending: false, requested: 1, exported: 0 });
    const list = await request(api.server).get('/v1/erp/exports').set(auth('cx')).expect(200);
    expectResponseMatchesSpec(list, 'get', '/v1/erp/exports');
    expect(list.body.export).to.include({ target: 'none', sending: false });
    expect(list.body.counts).to.deep.equal({ pending: 1, blocked: 0, exported: 0, failed: 0 });
    expect(list.body.items[0]).to.include({ orderId: '906', status: 'pending', attempts: 0 });
    const rec = await request(api.server).get('/v1/orders/906/reconciliation').set(auth('finance')).expect(200);
    expect(rec.body.erpExport.status).to.equal('pending');
    const metrics = await request(api.server).get('/metrics').set(auth('operations')).expect(200);
    expect(metrics.text).to.match(/^ledger_erp_exports\{status="pending"\} 1$/m);
    expect(metrics.text).to.match(/^ledger_erp_exports\{status="exported"\} 0$/m);
  });

  it('validates the query and the run body', async () => {
    const bad = await request(api.server).get('/v1/erp/exports?period=2024-13&status=sent').set(auth('finance')).expect(400);
    expectResponseMatchesSpec(bad, 'get', '/v1/erp/exports');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).to.deep.equal(['period', 'status']);
    const body = await request(api.server).post('/v1/erp/exports/run').set(auth('operations')).send({ retry_failed: 'yes', extra: 1 }).expect(400);
    expectResponseMatchesSpec(body, 'post', '/v1/erp/exports/run');
  });
});
