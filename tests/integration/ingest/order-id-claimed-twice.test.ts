import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { directoryUpdateOf } from '../../../src/application/ingest/order-directory.indexer';
import type { RecordedEvent } from '../../../src/application/ports/event-store.port';
import type { OrderDirectory } from '../../../src/application/ports/order-directory.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, head, INGEST_ENV, localeEnvelope, scayleFixture, storeOf, streamEvents } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

/**
 * Logs written before the Scayle mappers checked shop keys and country codes can hold two streams
 * for one order id (`order-ms/de-DE-901` beside `order-msde-DE-901`). Such logs are immutable: the
 * claims are written here straight through the event store, as those releases wrote them, and the
 * directory is told as their ingest path told it.
 */
describe('ingest: an order id two streams claim (logs written before shop keys were checked)', () => {
  const dir = tempDir();
  let service: LedgerService;
  const webhook = (key: string, payload: object) =>
    request(service.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope(key, 'order-confirmed', payload))).expect(202);
  const erp = (documentNumber: string, orderReference: string, gross = '11.90') =>
    request(service.server)
      .post('/v1/ingest/erp/documents')
      .set('Authorization', bearer('integrator'))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ documentType: 'invoice', documentNumber, revision: 1, status: 'posted', orderReference, postingDate: '2024-06-03', documentDate: '2024-06-03', currency: 'EUR', pricesIncludeTax: false, totals: { net: '10.00', tax: '1.90', gross }, lines: [] }));
  const get = (path: string) => request(service.server).get(path).set('Authorization', bearer('finance'));

  /** Writes a copy of `like` (an order fact) into the stream of another shop key / country, as old releases did. */
  async function claim(like: RecordedEvent, shopKey: string, countryCode: string): Promise<string> {
    const data = like.data as { order: Record<string, unknown> };
    const order: Record<string, unknown> = { ...data.order, shopKey, countryCode };
    const streamId = `order-${shopKey}-${countryCode}-${String(order.orderId)}`;
    const event = { id: randomUUID(), type: like.type, data: { ...data, order, webhookKey: `old-${randomUUID()}` }, metadata: like.metadata };
    await storeOf(service).appendToStream(streamId, [event], { expectedRevision: 'no_stream' });
    const { entry } = directoryUpdateOf({ streamId, type: event.type, data: event.data, metadata: event.metadata });
    await service.container.get<OrderDirectory>(TOKENS.OrderDirectory).record(entry!);
    return streamId;
  }

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, INGEST_ENV), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  it('reads, ERP redeliveries and new ERP documents keep using the stream recorded first (not 404, not a retry-forever 409)', async () => {
    await webhook('claimed-4901', { ...scayleFixture('OrderGetResponse.json'), id: 4901 });
    const first = await erp('SI-4901', '4901').expect(202);
    expect(first.body.status).to.equal('accepted');
    const [confirmed] = await streamEvents(service, 'order-msde-DE-4901');
    const slash = await claim(confirmed!, 'ms/de', 'DE');
    const accent = await claim(confirmed!, 'msde', 'Dé');

    const reconciliation = await get('/v1/orders/4901/reconciliation');
    expect(reconciliation.status, JSON.stringify(reconciliation.body)).to.equal(200);
    expectResponseMatchesSpec(reconciliation, 'get', '/v1/orders/{orderId}/reconciliation');
    expect(reconciliation.body.orderId).to.equal('4901');
    const events = await get('/v1/orders/4901/events');
    expect(events.status).to.equal(200);
    expect(events.body.streamId).to.equal('order-msde-DE-4901');
    expect(events.body.events.map((e: { type: string }) => e.type)).to.deep.equal(['ScayleOrderConfirmed', 'ErpInvoicePosted']);

    const before = await head(service);
    const again = await erp('SI-4901', '4901');
    expect(again.status, JSON.stringify(again.body)).to.equal(202);
    expect(again.body).to.deep.equal({ status: 'duplicate', eventIds: first.body.eventIds, position: first.body.position });
    expect(await head(service)).to.equal(before);

    const next = await erp('SI-4901-2', '4901').expect(202);
    expect(next.body.status).to.equal('accepted');
    expect((await streamEvents(service, 'order-msde-DE-4901')).map((e) => e.id)).to.include(next.body.eventIds[0]);
    expect(await streamEvents(service, 'erp-unlinked-SI-4901-2')).to.deep.equal([]);
    expect((await streamEvents(service, slash)).map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed']);
    expect((await streamEvents(service, accent)).map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed']);
  });

  it('a claim with valid shop key and country wins over an earlier one without; between valid claims the earlier wins', async () => {
    const order = { ...scayleFixture('OrderGetResponse.json'), id: 4902 };
    await webhook('claimed-4902', order);
    const [confirmed] = await streamEvents(service, 'order-msde-DE-4902');
    // 4902: an invalid claim after the order; 4903: an invalid claim before the order, a valid one after it
    const invalid = await claim(confirmed!, 'ms/de', 'DE');
    const later = await claim({ ...confirmed!, data: { ...(confirmed!.data as object), order: { ...(confirmed!.data as { order: object }).order, orderId: '4903' } } }, 'ms/de', 'DE');
    await webhook('claimed-4903', { ...order, id: 4903 });
    await claim((await streamEvents(service, 'order-msde-DE-4903'))[0]!, 'ay', 'DE'); // valid, but recorded after order-msde-DE-4903
    expect(invalid).to.equal('order-ms/de-DE-4902');
    expect(later).to.equal('order-ms/de-DE-4903');

    expect((await get('/v1/orders/4903/events').expect(200)).body.streamId).to.equal('order-msde-DE-4903');
    expect((await get('/v1/orders/4902/events').expect(200)).body.streamId).to.equal('order-msde-DE-4902');
    const doc = await erp('SI-4903', '4903').expect(202);
    expect((await streamEvents(service, 'order-msde-DE-4903')).map((e) => e.id)).to.include(doc.body.eventIds[0]);
  });
});
