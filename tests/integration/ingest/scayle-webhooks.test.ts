import Database from 'better-sqlite3';
import { expect } from 'chai';
import request from 'supertest';
import type { InProcessIngestMetrics } from '../../../src/application/ports/ingest-metrics.port';
import { join } from 'node:path';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, head, INGEST_ENV, localeEnvelope, metaEnvelope, scayleFixture, streamEvents } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const ROUTE = '/v1/ingest/scayle/webhooks';

describe('ingest: Scayle webhooks', () => {
  const dir = tempDir();
  let service: LedgerService;
  const post = (body: unknown, auth = basicAuth()) => request(service.server).post(ROUTE).set('Authorization', auth).set('content-type', 'application/json').send(JSON.stringify(body));
  const metrics = () => service.container.get<InProcessIngestMetrics>(TOKENS.IngestMetrics).snapshot();

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, { ...INGEST_ENV, LEDGER_BODY_LIMIT: '64kb' }), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  it('maps order-confirmed of the real order fixture (locale envelope) into the order stream', async () => {
    const order = scayleFixture('OrderGetResponse.json');
    const res = await post(localeEnvelope('wh-confirm-901', 'order-confirmed', order)).expect(202);
    expect(res.body.status).to.equal('accepted');
    expect(res.body.eventIds).to.have.length(1);
    expect(res.body.position).to.match(/^\d+$/);
    const [event, ...rest] = await streamEvents(service, 'order-msde-DE-901');
    expect(rest).to.deep.equal([]);
    expect(event!.id).to.equal(res.body.eventIds[0]);
    expect(event!.type).to.equal('ScayleOrderConfirmed');
    expect(event!.metadata).to.include({ source: 'scayle', sourceEventId: 'wh-confirm-901', occurredAt: '2024-06-01T10:00:00Z', envelope: 'locale', actor: 'scayle-webhook', schemaVersion: 1 });
    const data = event!.data as { order: Record<string, unknown>; webhookKey: string; raw: unknown };
    expect(data.webhookKey).to.equal('wh-confirm-901');
    expect(data.order).to.deep.include({ orderId: '901', shopKey: 'msde', countryCode: 'DE', currency: 'EUR', publicKey: '666', channelType: 'marketplace', status: 'payment_reserved' });
    expect(data.order.items).to.deep.equal([
      {
        itemId: '10976510',
        itemKey: 'e3f0643cd35403f954828e745797260b',
        variantReferenceKey: '563843898',
        variantId: '1234567',
        merchantReferenceKey: 'm1',
        packageId: '45',
        status: 'delivered',
        gross: '11.90',
        net: '10.00',
        tax: '1.90',
        taxRate: '0.19',
        undiscountedGross: '11.90',
        undiscountedNet: '10.00',
        reductions: [],
      },
    ]);
    expect(data.order.fees).to.deep.equal([{ key: 'least_packages', category: 'delivery', option: 'deliveryCosts', gross: '2.00', net: '1.68', tax: '0.32', taxRate: '0.19' }]);
    expect(data.order.cost).to.deep.equal({ gross: '13.90', net: '11.68', tax: '2.22', capture: '13.90' });
    expect(data.order.payments).to.deep.equal([{ key: 'accounting', transactionKey: 'creditcard-abcde', amount: '11.90' }]);
    expect(data.order.vouchers).to.deep.equal([{ code: 'fashion2020', voucherId: '0', type: 'relative', value: '1000', appliedItemKeys: [] }]);
    expect((data.raw as { payload: { id: number } }).payload.id).to.equal(901);
  });

  it("keeps the delivery as the sender's own text (spacing, number spelling; a byte order mark dropped), read back as the parsed delivery", async () => {
    const envelope = localeEnvelope('wh-text-902', 'order-confirmed', { ...scayleFixture<Record<string, unknown>>('OrderGetResponse.json'), id: 902 });
    const text = JSON.stringify(envelope, null, 2).replace('"id": 902', '"id": 9.02e2');
    const res = await request(service.server).post(ROUTE).set('Authorization', basicAuth()).set('content-type', 'application/json').send(`\uFEFF${text}`).expect(202);
    const db = new Database(join(dir.path, 'events.db'), { readonly: true });
    try {
      expect(db.prepare<[string], { raw: string }>('SELECT raw FROM events WHERE event_id = ?').get(res.body.eventIds[0])!.raw).to.equal(text);
    } finally {
      db.close();
    }
    const [event] = await streamEvents(service, 'order-msde-DE-902');
    expect((event!.data as { raw: unknown }).raw).to.deep.equal(envelope);
  });

  it('accepts the newer meta+version envelope and takes rates exactly (rate 1 → "1")', async () => {
    const [order] = scayleFixture<{ entities: Record<string, unknown>[] }>('OrderAllResponse.json').entities;
    const res = await post(metaEnvelope('wh-invoiced-123', 'order-invoiced', order)).expect(202);
    expect(res.body.status).to.equal('accepted');
    const [event] = await streamEvents(service, 'order-ay-DE-123');
    expect(event!.type).to.equal('ScayleOrderInvoiced');
    expect(event!.metadata).to.include({ envelope: 'meta', envelopeVersion: '1' });
    const snapshot = (event!.data as { order: { items: { taxRate: string }[]; reductions: unknown[]; cost: unknown; updatedAt: string } }).order;
    expect(snapshot.items[0]!.taxRate).to.equal('1');
    expect(snapshot.reductions).to.deep.equal([{ category: 'voucher', type: 'absolute', gross: '1.00', relative: '1' }]);
    expect(snapshot.cost).to.deep.equal({ gross: '13.90', net: '11.68', tax: '0.11', capture: '13.90' });
    expect(snapshot.updatedAt).to.equal('2024-06-01T10:00:00Z');
  });

  it('C5: the same delivery twice serially and 20 times in parallel is one fact; every delivery gets 2xx', async () => {
    const order = { ...scayleFixture('OrderGetResponse.json'), id: 5001 };
    const body = localeEnvelope('wh-dup-5001', 'order-confirmed', order);
    const before = metrics().ingest_duplicate_deliveries_total.scayle_webhook ?? 0;
    const first = await post(body).expect(202);
    const second = await post(body).expect(202);
    expect(first.body.status).to.equal('accepted');
    expect(second.body).to.deep.equal({ status: 'duplicate', eventIds: first.body.eventIds, position: first.body.position });
    const parallel = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    expect(parallel.map((r) => r.status)).to.deep.equal(Array(20).fill(202));
    expect(parallel.every((r) => r.body.status === 'duplicate' && r.body.eventIds[0] === first.body.eventIds[0])).to.equal(true);
    const events = await streamEvents(service, 'order-msde-DE-5001');
    expect(events.map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed']);
    expect((metrics().ingest_duplicate_deliveries_total.scayle_webhook ?? 0) - before).to.equal(21);
  });

  it('C5: 20 concurrent first deliveries of a new key append exactly one fact', async () => {
    const order = { ...scayleFixture('OrderGetResponse.json'), id: 5002 };
    const body = metaEnvelope('wh-race-5002', 'order-confirmed', order);
    const results = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    expect(results.map((r) => r.status)).to.deep.equal(Array(20).fill(202));
    expect(results.filter((r) => r.body.status === 'accepted')).to.have.length(1);
    expect(new Set(results.map((r) => r.body.eventIds[0])).size).to.equal(1);
    expect(await streamEvents(service, 'order-msde-DE-5002')).to.have.length(1);
  });

  it('C6: a refund before its order lands in the order stream; the order joins it later', async () => {
    const order = { ...scayleFixture('OrderGetResponse.json'), id: 6001 };
    const refund = { ...order, transaction: { transactionId: 'tx-refund-1', operationStatus: 'successful', amount: 2000 } };
    const r1 = await post(localeEnvelope('wh-refund-6001', 'payment-refund', refund, '2024-06-01T10:00:00Z')).expect(202);
    expect(r1.body.status).to.equal('accepted');
    const r2 = await post(localeEnvelope('wh-confirm-6001', 'order-confirmed', order, '2024-06-01T10:00:04Z')).expect(202);
    expect(r2.body.status).to.equal('accepted');
    const events = await streamEvents(service, 'order-msde-DE-6001');
    expect(events.map((e) => e.type)).to.deep.equal(['ScaylePaymentRefunded', 'ScayleOrderConfirmed']);
    expect(events[0]!.data).to.deep.include({ orderId: '6001', shopKey: 'msde', countryCode: 'DE', transactionId: 'tx-refund-1', operationStatus: 'successful', amount: '20.00', currency: 'EUR', webhookKey: 'wh-refund-6001' });
  });

  it('a delivery key reused for another order → 409 delivery-key-reused naming key (documented), nothing appended; the first delivery stays a duplicate', async () => {
    const order = scayleFixture('OrderGetResponse.json');
    const first = await post(localeEnvelope('wh-reused-key', 'order-confirmed', { ...order, id: 88801 })).expect(202);
    expect(first.body.status).to.equal('accepted');
    const before = await head(service);
    const res = await post(localeEnvelope('wh-reused-key', 'order-confirmed', { ...order, id: 88899 }));
    expect(res.status).to.equal(409);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.body).to.include({ type: '/problems/delivery-key-reused', status: 409, code: 'delivery_key_reused', key: 'wh-reused-key', recordedIn: 'order-msde-DE-88801' });
    expect(res.body.errors).to.deep.equal([{ field: 'key', message: res.body.detail }]);
    expect(res.body.detail).to.match(/already used/).and.to.match(/order-msde-DE-88899/).and.not.to.match(/read it again and retry/);
    expectResponseMatchesSpec(res, 'post', ROUTE);
    expect(await head(service)).to.equal(before);
    expect(await streamEvents(service, 'order-msde-DE-88899')).to.deep.equal([]);
    const again = await post(localeEnvelope('wh-reused-key', 'order-confirmed', { ...order, id: 88801 })).expect(202);
    expect(again.body).to.deep.equal({ status: 'duplicate', eventIds: first.body.eventIds, position: first.body.position });
  });

  it('keeps unknown webhook types as stored facts (2xx, not an error)', async () => {
    const res = await post(localeEnvelope('wh-unknown-1', 'customer-created', { id: 77, email: 'x@example.invalid' })).expect(202);
    expect(res.body.status).to.equal('accepted');
    const [event] = await streamEvents(service, 'scayle-webhook-wh-unknown-1');
    expect(event!.type).to.equal('ScayleWebhookReceived');
    expect(event!.data).to.deep.include({ webhookKey: 'wh-unknown-1', scayleEventType: 'customer-created' });
  });

  it('keeps a delivery that cannot be mapped (order without items) as IngestionFailed, 202 failed', async () => {
    const order = { ...scayleFixture('OrderGetResponse.json'), id: 7001, items: [] };
    const body = localeEnvelope('wh-noitems-7001', 'order-confirmed', order);
    const res = await post(body).expect(202);
    expect(res.body).to.include({ status: 'failed', reason: 'order_without_items' });
    expect(res.body.failureId).to.match(/^[0-9a-f-]{36}$/);
    const [failure] = await streamEvents(service, `ingest-failure-${res.body.failureId}`);
    expect(failure!.type).to.equal('IngestionFailed');
    expect(failure!.data).to.deep.include({ failureId: res.body.failureId, source: 'scayle', recordKind: 'scayle_webhook', sourceEventId: 'wh-noitems-7001', subject: '7001', reason: 'order_without_items' });
    expect((failure!.data as { raw: unknown }).raw).to.deep.equal(body);
    expect(await streamEvents(service, 'order-msde-DE-7001')).to.deep.equal([]);
    const again = await post(body).expect(202);
    expect(again.body.failureId).to.equal(res.body.failureId);
    expect(await streamEvents(service, `ingest-failure-${res.body.failureId}`)).to.have.length(1);
  });

  describe('bad input: 4xx problem naming the field, nothing appended', () => {
    const cases: { name: string; send: () => request.Test; status: number; type: string; field?: string }[] = [
      { name: 'malformed JSON', send: () => request(service.server).post(ROUTE).set('Authorization', basicAuth()).set('content-type', 'application/json').send('{"key":'), status: 400, type: '/problems/malformed-json', field: 'body' },
      { name: 'missing key', send: () => post({ occurredAt: '2024-06-01T10:00:00Z', type: 'order-confirmed', locale: 'de_DE', payload: {} }), status: 400, type: '/problems/validation-error', field: 'key' },
      { name: 'key of the wrong type', send: () => post({ key: 42, occurredAt: '2024-06-01T10:00:00Z', type: 'order-confirmed', locale: 'de_DE', payload: {} }), status: 400, type: '/problems/validation-error', field: 'key' },
      { name: 'occurredAt not a date-time', send: () => post({ key: 'k1', occurredAt: 'yesterday', type: 'order-confirmed', locale: 'de_DE', payload: {} }), status: 400, type: '/problems/validation-error', field: 'occurredAt' },
      { name: 'payload not an object', send: () => post({ key: 'k1', occurredAt: '2024-06-01T10:00:00Z', type: 'order-confirmed', locale: 'de_DE', payload: 'x' }), status: 400, type: '/problems/validation-error', field: 'payload' },
      { name: 'neither locale nor meta', send: () => post({ key: 'k1', occurredAt: '2024-06-01T10:00:00Z', type: 'order-confirmed', payload: {} }), status: 400, type: '/problems/validation-error', field: 'meta' },
      { name: 'wrong content type', send: () => request(service.server).post(ROUTE).set('Authorization', basicAuth()).set('content-type', 'text/plain').send('hello'), status: 415, type: '/problems/unsupported-media-type', field: 'Content-Type' },
      { name: 'body over the limit', send: () => post(localeEnvelope('k-big', 'order-confirmed', { pad: 'x'.repeat(70_000) })), status: 413, type: '/problems/payload-too-large' },
      { name: 'missing credentials', send: () => request(service.server).post(ROUTE).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope('k2', 'order-confirmed', {}))), status: 401, type: '/problems/unauthorized', field: 'Authorization' },
      { name: 'wrong password', send: () => post(localeEnvelope('k3', 'order-confirmed', {}), basicAuth('scayle', 'nope')), status: 401, type: '/problems/unauthorized', field: 'Authorization' },
      { name: 'wrong user', send: () => post(localeEnvelope('k4', 'order-confirmed', {}), basicAuth('mallory')), status: 401, type: '/problems/unauthorized', field: 'Authorization' },
    ];
    for (const c of cases) {
      it(`${c.name} → ${c.status}`, async () => {
        const before = await head(service);
        const res = await c.send();
        expect(res.status).to.equal(c.status);
        expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
        expect(res.body).to.include({ status: c.status, type: c.type });
        if (c.field) expect(res.body.errors.map((e: { field: string }) => e.field)).to.include(c.field);
        expect(await head(service)).to.equal(before);
      });
    }
  });
});

describe('ingest: Scayle webhooks without configured credentials', () => {
  it('answers 503 "webhook credentials not configured" and appends nothing', async () => {
    const dir = tempDir();
    const service = await LedgerService.start(testConfig(dir.path), {}, false);
    try {
      const before = await head(service);
      const res = await request(service.server)
        .post(ROUTE)
        .set('Authorization', basicAuth())
        .set('content-type', 'application/json')
        .send(JSON.stringify(localeEnvelope('k1', 'order-confirmed', {})))
        .expect(503);
      expect(res.body).to.include({ status: 503, title: 'webhook credentials not configured' });
      expect(await head(service)).to.equal(before);
    } finally {
      await service.stop();
      dir.remove();
    }
  });
});
