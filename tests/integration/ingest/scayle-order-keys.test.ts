import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import type { IngestUseCases } from '../../../src/infrastructure/di/modules/ingest.module';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { ConfigError, loadConfig } from '../../../src/infrastructure/config/config';
import { mapScayleOrder } from '../../../src/application/ingest/scayle/scayle-order.mapper';
import { directoryUpdateOf } from '../../../src/application/ingest/order-directory.indexer';
import type { OrderDirectory } from '../../../src/application/ports/order-directory.port';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, head, INGEST_ENV, localeEnvelope, metaEnvelope, scayleFixture, storeOf, streamEvents } from '../../support/ingest';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const ROUTE = '/v1/ingest/scayle/webhooks';

/** Every stream the log holds (the test log is small). */
async function streamIds(service: LedgerService): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const e of storeOf(service).readAll()) ids.add(e.streamId);
  return ids;
}

describe('ingest: order id, shop key and country code are checked where Scayle payloads are mapped', () => {
  const dir = tempDir();
  let service: LedgerService;
  const post = (body: unknown) => request(service.server).post(ROUTE).set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(body));
  const order = (overrides: Record<string, unknown> = {}) => ({ ...scayleFixture('OrderGetResponse.json'), ...overrides });
  const shopCountry = (patch: Record<string, unknown>) => ({ ...(scayleFixture<{ shopCountry: Record<string, unknown> }>('OrderGetResponse.json').shopCountry), ...patch });

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, INGEST_ENV), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  const cases: { name: string; body: () => Record<string, unknown>; reason: string; path: string }[] = [
    { name: 'a shop key with a slash', body: () => localeEnvelope('keys-shop-slash', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ shopKey: 'ms/de' }) })), reason: 'invalid_shop_key', path: 'payload.shopCountry.shopKey' },
    { name: 'a shop key in upper case', body: () => localeEnvelope('keys-shop-upper', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ shopKey: 'MSDE' }) })), reason: 'invalid_shop_key', path: 'payload.shopCountry.shopKey' },
    { name: 'a country code with an accent', body: () => localeEnvelope('keys-country-accent', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ countryCode: 'Dé' }) })), reason: 'invalid_country_code', path: 'payload.shopCountry.countryCode' },
    { name: 'a country code in lower case', body: () => localeEnvelope('keys-country-lower', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ countryCode: 'de' }) })), reason: 'invalid_country_code', path: 'payload.shopCountry.countryCode' },
    { name: 'an alpha-3 country code', body: () => localeEnvelope('keys-country-alpha3', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ countryCode: 'DEU' }) })), reason: 'invalid_country_code', path: 'payload.shopCountry.countryCode' },
    { name: 'an unassigned country code (XX)', body: () => localeEnvelope('keys-country-xx', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ countryCode: 'XX' }) })), reason: 'invalid_country_code', path: 'payload.shopCountry.countryCode' },
    { name: 'a user-assigned country code (QZ)', body: () => localeEnvelope('keys-country-qz', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ countryCode: 'QZ' }) })), reason: 'invalid_country_code', path: 'payload.shopCountry.countryCode' },
    { name: 'an exceptionally reserved country code (EU)', body: () => localeEnvelope('keys-country-eu', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ countryCode: 'EU' }) })), reason: 'invalid_country_code', path: 'payload.shopCountry.countryCode' },
    { name: 'an exceptionally reserved country code (UK)', body: () => localeEnvelope('keys-country-uk', 'order-confirmed', order({ id: 3901, shopCountry: shopCountry({ countryCode: 'UK' }) })), reason: 'invalid_country_code', path: 'payload.shopCountry.countryCode' },
    { name: 'an order id with a slash', body: () => localeEnvelope('keys-id-slash', 'order-confirmed', order({ id: '9/../1' })), reason: 'invalid_order_id', path: 'payload.id' },
    { name: 'a negative order id', body: () => localeEnvelope('keys-id-negative', 'order-confirmed', order({ id: -901 })), reason: 'invalid_order_id', path: 'payload.id' },
    { name: 'an order id with a leading zero', body: () => localeEnvelope('keys-id-zero', 'order-confirmed', order({ id: '0901' })), reason: 'invalid_order_id', path: 'payload.id' },
    { name: 'order id 0', body: () => localeEnvelope('keys-id-nought', 'order-confirmed', order({ id: 0 })), reason: 'invalid_order_id', path: 'payload.id' },
    {
      name: 'a shop key from meta (no shopCountry in the payload)',
      body: () => ({ ...metaEnvelope('keys-meta-shop', 'order-confirmed', order({ id: 3901, shopCountry: undefined })), meta: { shopKey: 'ms.de', countryCode: 'DE' } }),
      reason: 'invalid_shop_key',
      path: 'meta.shopKey',
    },
    {
      name: 'an unassigned country code from meta (ZZ)',
      body: () => ({ ...metaEnvelope('keys-meta-country', 'order-confirmed', order({ id: 3901, shopCountry: undefined })), meta: { shopKey: 'msde', countryCode: 'ZZ' } }),
      reason: 'invalid_country_code',
      path: 'meta.countryCode',
    },
    {
      name: 'a payment naming an unassigned country code',
      body: () => localeEnvelope('keys-payment-country', 'payment-capture', order({ id: 3901, shopCountry: shopCountry({ countryCode: 'XX' }), transaction: { transactionId: 'tx-keys-3', operationStatus: 'successful', amount: 1390 } })),
      reason: 'invalid_country_code',
      path: 'payload.shopCountry.countryCode',
    },
    {
      name: 'a payment naming a bad shop key',
      body: () => localeEnvelope('keys-payment-shop', 'payment-capture', order({ id: 3901, shopCountry: shopCountry({ shopKey: 'ms de' }), transaction: { transactionId: 'tx-keys-1', operationStatus: 'successful', amount: 1390 } })),
      reason: 'invalid_shop_key',
      path: 'payload.shopCountry.shopKey',
    },
    {
      name: 'a payment naming a negative order id',
      body: () => localeEnvelope('keys-payment-id', 'payment-refund', order({ id: -3901, transaction: { transactionId: 'tx-keys-2', operationStatus: 'successful', amount: 100 } })),
      reason: 'invalid_order_id',
      path: 'payload.id',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → 202 failed (${c.reason}, naming ${c.path}), kept as IngestionFailed; no order stream`, async () => {
      const before = await streamIds(service);
      const body = c.body();
      const res = await post(body).expect(202);
      expect(res.body).to.include({ status: 'failed', reason: c.reason });
      expect(res.body.message.startsWith(`${c.path}: `), res.body.message).to.equal(true);
      const [failure, ...rest] = await streamEvents(service, `ingest-failure-${res.body.failureId}`);
      expect(rest).to.deep.equal([]);
      expect(failure!.type).to.equal('IngestionFailed');
      expect(failure!.data).to.deep.include({ reason: c.reason, raw: JSON.parse(JSON.stringify(body)) });
      const added = [...(await streamIds(service))].filter((s) => !before.has(s));
      expect(added).to.deep.equal([`ingest-failure-${res.body.failureId}`]);
    });
  }

  it('an unknown webhook type naming a bad shop key is stored under its delivery key, not in an order stream', async () => {
    const res = await post(localeEnvelope('keys-unknown-type', 'order-whatever', order({ id: 3902, shopCountry: shopCountry({ shopKey: 'ms/de' }) }))).expect(202);
    expect(res.body.status).to.equal('accepted');
    const [event] = await streamEvents(service, 'scayle-webhook-keys-unknown-type');
    expect(event!.type).to.equal('ScayleWebhookReceived');
    expect([...(await streamIds(service))].filter((s) => s.includes('3902'))).to.deep.equal([]);
  });

  it('the Admin API sync path refuses the same values (kept as a failed scayle_order_sync record); the real samples pass', async () => {
    const samples = [scayleFixture('OrderGetResponse.json'), ...scayleFixture<{ entities: Record<string, unknown>[] }>('OrderAllResponse.json').entities];
    expect(samples.map((o) => mapScayleOrder(o)).map((s) => [s.shopKey, s.countryCode, s.orderId])).to.deep.equal([
      ['msde', 'DE', '901'],
      ['ay', 'DE', '123'],
      ['msde', 'DE', '124'],
    ]);
    const { sync } = service.container.get<IngestUseCases>(TOKENS.IngestUseCases);
    const before = await head(service);
    const outcome = await sync.ingestOrder(order({ id: 3903, shopCountry: shopCountry({ countryCode: 'Dé' }) }), 'msde', 'DE', { actor: 'scayle-sync' });
    expect(outcome).to.include({ status: 'failed', reason: 'invalid_country_code' });
    expect(outcome.status === 'failed' && outcome.message).to.match(/^order\.shopCountry\.countryCode: /);
    expect(await head(service)).to.equal(before + 1n); // the IngestionFailed record only
    expect(await streamEvents(service, 'order-msde-Dé-3903')).to.deep.equal([]);
    const negative = await sync.ingestOrder(order({ id: -3903 }), 'msde', 'DE', { actor: 'scayle-sync' });
    expect(negative).to.include({ status: 'failed', reason: 'invalid_order_id' });
    const unassigned = await sync.ingestOrder(order({ id: 3903, shopCountry: shopCountry({ countryCode: 'XX' }) }), 'msde', 'DE', { actor: 'scayle-sync' });
    expect(unassigned).to.include({ status: 'failed', reason: 'invalid_country_code' });
    expect(await streamEvents(service, 'order-msde-XX-3903')).to.deep.equal([]);
  });

  it('XK (Kosovo, the user-assigned code shops use) opens the order stream like an assigned code', async () => {
    const res = await post(localeEnvelope('keys-country-xk', 'order-confirmed', order({ id: 3904, shopCountry: shopCountry({ shopKey: 'msxk', countryCode: 'XK' }) }))).expect(202);
    expect(res.body.status).to.equal('accepted');
    expect((await streamEvents(service, 'order-msxk-XK-3904')).map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed']);
  });

  it('an order stream already in the log with an unassigned country (XX) still reads, and new facts still link to it', async () => {
    await post(localeEnvelope('keys-legacy-source', 'order-confirmed', order({ id: 3905 }))).expect(202);
    const [like] = await streamEvents(service, 'order-msde-DE-3905');
    // written straight through the event store, as releases before the assigned-code check wrote it
    const data = like!.data as { order: Record<string, unknown> };
    const legacy = { ...data, order: { ...data.order, orderId: '3906', countryCode: 'XX' }, webhookKey: 'keys-legacy-3906' };
    await storeOf(service).appendToStream('order-msde-XX-3906', [{ id: randomUUID(), type: like!.type, data: legacy, metadata: like!.metadata }], { expectedRevision: 'no_stream' });
    const { entry } = directoryUpdateOf({ streamId: 'order-msde-XX-3906', type: like!.type, data: legacy, metadata: like!.metadata });
    await service.container.get<OrderDirectory>(TOKENS.OrderDirectory).record(entry!);

    const events = await request(service.server).get('/v1/orders/3906/events').set('Authorization', bearer('finance'));
    expect(events.status, JSON.stringify(events.body)).to.equal(200);
    expect(events.body.streamId).to.equal('order-msde-XX-3906');
    const reconciliation = await request(service.server).get('/v1/orders/3906/reconciliation').set('Authorization', bearer('finance'));
    expect(reconciliation.status, JSON.stringify(reconciliation.body)).to.equal(200);
    expect(reconciliation.body.orderId).to.equal('3906');
    const erp = await request(service.server)
      .post('/v1/ingest/erp/documents')
      .set('Authorization', bearer('integrator'))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ documentType: 'invoice', documentNumber: 'SI-3906', revision: 1, status: 'posted', orderReference: '3906', postingDate: '2024-06-03', documentDate: '2024-06-03', currency: 'EUR', pricesIncludeTax: false, totals: { net: '10.00', tax: '1.90', gross: '11.90' }, lines: [] }))
      .expect(202);
    expect(erp.body.status).to.equal('accepted');
    expect((await streamEvents(service, 'order-msde-XX-3906')).map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed', 'ErpInvoicePosted']);
  });

  it('SCAYLE_SYNC_SHOPS takes only shop keys and country codes of the same forms', () => {
    expect(loadConfig({ SCAYLE_SYNC_SHOPS: 'msde:DE,ay:CH,my_shop-2:AT', SCAYLE_ADMIN_API_BASE_URL: 'http://127.0.0.1:1/api/admin/v1', SCAYLE_ADMIN_API_TOKEN: 't' }).ingest.syncShops).to.deep.equal([
      { shopKey: 'msde', countryCode: 'DE' },
      { shopKey: 'ay', countryCode: 'CH' },
      { shopKey: 'my_shop-2', countryCode: 'AT' },
    ]);
    expect(loadConfig({ SCAYLE_SYNC_SHOPS: 'msxk:XK', SCAYLE_ADMIN_API_BASE_URL: 'http://127.0.0.1:1/api/admin/v1', SCAYLE_ADMIN_API_TOKEN: 't' }).ingest.syncShops).to.deep.equal([{ shopKey: 'msxk', countryCode: 'XK' }]);
    for (const value of ['ms/de:DE', 'MSDE:DE', 'msde:de', 'msde:DEU', 'msde:DE:x', 'msde:XX', 'msde:DE,msuk:UK', 'mseu:EU', 'msde:ZZ']) {
      expect(() => loadConfig({ SCAYLE_SYNC_SHOPS: value, SCAYLE_ADMIN_API_BASE_URL: 'http://127.0.0.1:1/api/admin/v1', SCAYLE_ADMIN_API_TOKEN: 't' }), value).to.throw(ConfigError, /SCAYLE_SYNC_SHOPS/);
    }
  });

});
