import { expect } from 'chai';
import request from 'supertest';
import type { OutboxDispatcher } from '../../../src/application/outbox/outbox-dispatcher';
import type { EventStore, RecordedEvent } from '../../../src/application/ports/event-store.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { appendRefundRequested, orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { ScayleStub, scayleErrorBody } from '../../support/scayle-stub';
import { tempDir } from '../../support/temp-dir';

const DISPATCH_ENV = {
  SCAYLE_ADMIN_API_TOKEN: 'stub-token-123',
  SCAYLE_DISPATCH_RETRY_BASE: '10ms',
  SCAYLE_DISPATCH_RETRY_MAX: '40ms',
  SCAYLE_DISPATCH_MAX_ATTEMPTS: '4',
  SCAYLE_ADMIN_API_TIMEOUT: '150ms',
};

const storeOf = (api: ApiTestService) => api.service.container.get<EventStore>(TOKENS.EventStore);
const dispatcherOf = (api: ApiTestService) => api.service.container.get<OutboxDispatcher>(TOKENS.OutboxDispatcher);
const ofType = (events: RecordedEvent[], type: string) => events.filter((e) => e.type === type);

describe('outbox to Scayle (stub Admin API)', () => {
  const stub = new ScayleStub();
  let api: ApiTestService;

  before(async () => {
    const baseUrl = await stub.start();
    api = await startApiService({ ...DISPATCH_ENV, SCAYLE_ADMIN_API_BASE_URL: baseUrl });
  });
  after(async () => {
    await api.dispose();
    await stub.stop();
  });
  beforeEach(() => {
    stub.requests.length = 0;
    stub.script = [];
    stub.fallback = { status: 200, body: {} };
  });

  it('records a refund with PATCH billing-status after a 500 and a 429, honouring X-RateLimit-Reset', async () => {
    stub.script = [
      { status: 500, body: scayleErrorBody('internal_error', 'boom') },
      { status: 429, headers: { 'X-RateLimit-Reset': '0.2', 'X-RateLimit-Remaining': '0' }, body: scayleErrorBody('rate_limit', 'slow down') },
    ];
    const stream = await seedOrder(storeOf(api), orderSnapshot('901'));
    await appendRefundRequested(storeOf(api), stream, { refundId: 'r-901-a', amount: '119.00', items: [{ orderItemId: '9011', amount: '119.00' }], orderId: '901' });
    await dispatcherOf(api).drain();

    expect(stub.requests).to.have.length(3);
    for (const r of stub.requests) {
      expect(r.method).to.equal('PATCH');
      expect(r.path).to.equal('/api/admin/v1/shops/msde/countries/DE/orders/901/billing-status');
      expect(r.headers['x-access-token']).to.equal('stub-token-123');
      expect(r.body).to.deep.equal({
        code: 'billing_partially_refunded',
        reason: 'Ledger refund r-901-a: goodwill',
        items: [{ id: 9011, code: 'billing_refunded' }],
      });
    }
    expect(stub.requests[2]!.at - stub.requests[1]!.at, 'waited for the rate-limit window').to.be.at.least(180);

    const events = await storeOf(api).readStream(stream);
    const recorded = ofType(events, 'RefundRecordedInScayle');
    expect(recorded).to.have.length(1);
    expect(recorded[0]!.data).to.include({ refundId: 'r-901-a' });
    expect(recorded[0]!.metadata).to.include({ source: 'ledger', causationId: ofType(events, 'RefundRequested')[0]!.id });

    const res = await request(api.server).get('/v1/outbox?orderId=901').set(auth('operations')).expect(200);
    expectResponseMatchesSpec(res, 'get', '/v1/outbox');
    expect(res.body.dispatch).to.deep.equal({ sending: true });
    expect(res.body.items).to.have.length(1);
    expect(res.body.items[0]).to.include({ commandId: 'r-901-a', commandType: 'RefundRequested', status: 'sent', attempts: 3 });
  });

  it('marks the order billing_refunded once refunds cover the capture', async () => {
    const stream = await seedOrder(storeOf(api), orderSnapshot('902'));
    await appendRefundRequested(storeOf(api), stream, {
      refundId: 'r-902-all',
      amount: '183.45',
      items: [
        { orderItemId: '9021', amount: '119.00' },
        { orderItemId: '9022', amount: '64.45' },
      ],
      orderId: '902',
    });
    await dispatcherOf(api).drain();
    expect(stub.requests).to.have.length(1);
    expect((stub.requests[0]!.body as { code: string }).code).to.equal('billing_refunded');
  });

  it('gives up after the last attempt: ScayleDispatchFailed (retriable) and a failed outbox entry', async () => {
    stub.fallback = { status: 503, body: scayleErrorBody('unavailable', 'maintenance') };
    const stream = await seedOrder(storeOf(api), orderSnapshot('903'));
    await appendRefundRequested(storeOf(api), stream, { refundId: 'r-903', amount: '10.00', items: [{ orderItemId: '9031', amount: '10.00' }], orderId: '903' });
    await dispatcherOf(api).drain();
    expect(stub.requests).to.have.length(4);
    const failed = ofType(await storeOf(api).readStream(stream), 'ScayleDispatchFailed');
    expect(failed).to.have.length(1);
    expect(failed[0]!.data).to.include({ commandId: 'r-903', commandType: 'RefundRequested', errorKey: 'unavailable', retriable: true });
    expect((failed[0]!.data as { message: string }).message).to.match(/HTTP 503 maintenance \(after 4 attempts\)$/);
    const res = await request(api.server).get('/v1/outbox?status=failed').set(auth('finance')).expect(200);
    expectResponseMatchesSpec(res, 'get', '/v1/outbox');
    expect(res.body.items.map((i: { commandId: string }) => i.commandId)).to.include('r-903');
  });

  it('an operator retry puts a failed dispatch back for a new round, which can succeed', async () => {
    stub.script = [{ status: 422, body: scayleErrorBody('ORDER_LOCKED', 'Order is locked') }];
    const stream = await seedOrder(storeOf(api), orderSnapshot('908'));
    await appendRefundRequested(storeOf(api), stream, { refundId: 'r-908', amount: '10.00', items: [{ orderItemId: '9081', amount: '10.00' }], orderId: '908' });
    await dispatcherOf(api).drain();
    const early = await request(api.server).post('/v1/outbox/r-unknown/retry').set(auth('operations')).expect(404);
    expectResponseMatchesSpec(early, 'post', '/v1/outbox/{commandId}/retry');

    const retry = await request(api.server).post('/v1/outbox/r-908/retry').set(auth('operations')).expect(202);
    expectResponseMatchesSpec(retry, 'post', '/v1/outbox/{commandId}/retry');
    expect(retry.body).to.include({ commandId: 'r-908', status: 'pending', round: 2 });
    await dispatcherOf(api).drain();

    expect(stub.requests).to.have.length(2);
    const events = await storeOf(api).readStream(stream);
    expect(events.map((e) => e.type).slice(-4)).to.deep.equal(['RefundRequested', 'ScayleDispatchFailed', 'ScayleDispatchRetryRequested', 'RefundRecordedInScayle']);
    expect(ofType(events, 'ScayleDispatchRetryRequested')[0]!.metadata.actor).to.match(/^operations:/);
    const res = await request(api.server).get('/v1/outbox?orderId=908').set(auth('operations')).expect(200);
    expect(res.body.items[0]).to.include({ status: 'sent', round: 2, attempts: 1 });
    const again = await request(api.server).post('/v1/outbox/r-908/retry').set(auth('operations')).expect(409);
    expect(again.body.code).to.equal('outbox_entry_not_failed');
  });

  it('does not retry a refusal (422) and keeps Scayle\'s errorKey', async () => {
    stub.script = [{ status: 422, body: scayleErrorBody('INVALID_STATUS_TRANSITION', 'Billing status cannot change') }];
    const stream = await seedOrder(storeOf(api), orderSnapshot('904'));
    await appendRefundRequested(storeOf(api), stream, { refundId: 'r-904', amount: '10.00', items: [{ orderItemId: '9041', amount: '10.00' }], orderId: '904' });
    await dispatcherOf(api).drain();
    expect(stub.requests).to.have.length(1);
    const failed = ofType(await storeOf(api).readStream(stream), 'ScayleDispatchFailed');
    expect(failed[0]!.data).to.include({ errorKey: 'INVALID_STATUS_TRANSITION', retriable: false });
  });

  it('retries a call that timed out', async () => {
    stub.script = [{ status: 200, body: {}, delayMs: 400 }];
    const stream = await seedOrder(storeOf(api), orderSnapshot('905'));
    await appendRefundRequested(storeOf(api), stream, { refundId: 'r-905', amount: '10.00', items: [{ orderItemId: '9051', amount: '10.00' }], orderId: '905' });
    await dispatcherOf(api).drain();
    expect(stub.requests).to.have.length(2);
    expect(ofType(await storeOf(api).readStream(stream), 'RefundRecordedInScayle')).to.have.length(1);
  });

  it('writes a correction as legacy custom data on each corrected item', async () => {
    const stream = await seedOrder(storeOf(api), orderSnapshot('906'));
    const at = '2024-05-04T08:00:00.000Z';
    await storeOf(api).appendToStream(
      stream,
      [
        {
          id: '0b0e3c1e-0000-4000-8000-000000000906',
          type: 'LineItemsCorrected',
          data: {
            correctionId: 'c-906',
            reason: 'partial cancellation recomputed by the ERP',
            items: [
              { orderItemId: '9061', gross: '100.00', net: '84.03', tax: '15.97', taxRate: '0.19', taxCode: 'DE19' },
              { orderItemId: '9062', gross: '50.00', net: '42.02', tax: '7.98', taxRate: '0.19' },
            ],
            correctedAt: at,
          },
          metadata: { source: 'ledger', occurredAt: at, recordedAt: at, schemaVersion: 1, orderId: '906' },
        },
      ],
      { expectedRevision: 'any' },
    );
    await dispatcherOf(api).drain();
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
      'PUT /api/admin/v1/shops/msde/countries/DE/orders/906/items/9061/legacy-custom-data',
      'PUT /api/admin/v1/shops/msde/countries/DE/orders/906/items/9062/legacy-custom-data',
    ]);
    expect(stub.requests[0]!.body).to.deep.equal({
      ledgerCorrection: { correctionId: 'c-906', reason: 'partial cancellation recomputed by the ERP', gross: '100.00', net: '84.03', tax: '15.97', taxRate: '0.19', taxCode: 'DE19', currency: 'EUR', correctedAt: at },
    });
    const recorded = ofType(await storeOf(api).readStream(stream), 'LineItemsCorrectionRecordedInScayle');
    expect(recorded[0]!.data).to.include({ correctionId: 'c-906' });
    expect((recorded[0]!.data as { itemIds: string[] }).itemIds).to.deep.equal(['9061', '9062']);
  });
});

describe('outbox without a Scayle base URL', () => {
  const dir = tempDir();
  const stub = new ScayleStub();
  after(async () => {
    dir.remove();
    await stub.stop();
  });

  it('keeps commands pending and visible, never sent, and sends them after a restart with a base URL', async () => {
    const first = await startApiService({ SCAYLE_DISPATCH_RETRY_BASE: '10ms' }, {}, dir.path);
    const store = storeOf(first);
    const stream = await seedOrder(store, orderSnapshot('907'));
    await appendRefundRequested(store, stream, { refundId: 'r-907', amount: '10.00', items: [{ orderItemId: '9071', amount: '10.00' }], orderId: '907' });
    await dispatcherOf(first).drain();
    const res = await request(first.server).get('/v1/outbox').set(auth('auditor')).expect(200);
    expectResponseMatchesSpec(res, 'get', '/v1/outbox');
    expect(res.body.dispatch).to.deep.equal({ sending: false });
    expect(res.body.items).to.have.length(1);
    expect(res.body.items[0]).to.include({ commandId: 'r-907', status: 'pending', attempts: 0 });
    expect(ofType(await store.readStream(stream), 'RefundRecordedInScayle')).to.have.length(0);
    await first.stop();

    const baseUrl = await stub.start();
    const second = await startApiService({ ...DISPATCH_ENV, SCAYLE_ADMIN_API_BASE_URL: baseUrl }, {}, dir.path);
    try {
      await dispatcherOf(second).drain();
      expect(stub.requests).to.have.length(1);
      const after = await request(second.server).get('/v1/outbox').set(auth('auditor')).expect(200);
      expect(after.body.items).to.have.length(1);
      expect(after.body.items[0]).to.include({ commandId: 'r-907', status: 'sent', attempts: 1 });
    } finally {
      await second.stop();
    }
  });
});
