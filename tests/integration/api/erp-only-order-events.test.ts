import { expect } from 'chai';
import request from 'supertest';
import { startApiService, type ApiTestService } from '../../support/api-service';
import { streamEvents } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { auth, erpInvoice, ManualClock, postErp, postPsp, postWebhook, pspBatch, scayleOrder, WEBHOOK_ENV } from '../../support/ops';

const PATH = '/v1/orders/{orderId}/events';

interface Event {
  eventId: string;
  type: string;
  revision: string;
  position: string;
  streamId?: string;
  data: Record<string, unknown>;
}

/** A cursor as a client could forge one: base64url of any JSON. */
const forge = (payload: unknown): string => Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');

/**
 * `GET /v1/orders/{orderId}/reconciliation` answers an id only parked ERP documents name
 * (`erp-unlinked-<documentNumber>`), and links to this route with the same id: the audit history
 * must answer the same source — the parked documents' events merged in log order — not 404.
 */
describe('GET /v1/orders/{orderId}/events for an id only ERP documents name', function () {
  this.timeout(30_000);
  const clock = new ManualClock(new Date('2024-07-10T08:00:00Z'));
  let api: ApiTestService;
  const get = (path: string) => request(api.server).get(path).set(auth('finance'));

  /** Every event of the history, `limit` at a time, following nextCursor; the pages as answered. */
  async function walk(path: string, limit: number): Promise<{ events: Event[]; pages: request.Response[] }> {
    const events: Event[] = [];
    const pages: request.Response[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const res = await get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      expectResponseMatchesSpec(res, 'get', PATH);
      pages.push(res);
      events.push(...(res.body.events as Event[]));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    return { events, pages };
  }

  before(async () => {
    api = await startApiService(WEBHOOK_ENV, { clock });
  });
  after(() => api.dispose());

  it('answers the parked document\u2019s events, without raw payloads, naming its stream', async () => {
    await postErp(api, erpInvoice('SI-9201', '9201')).expect(202);
    const parked = await streamEvents(api.service, 'erp-unlinked-SI-9201');
    expect(parked).to.have.length.greaterThan(0);

    // The id the reconciliations list gives the parked document, as its OrderEvents link passes it on.
    const list = await get(`/v1/reconciliations?code=MISSING_IN_SCAYLE&minPosition=${String(parked.at(-1)!.position)}`).expect(200);
    const row = (list.body.items as { orderId: string; streamId: string }[]).find((r) => r.streamId === 'erp-unlinked-SI-9201')!;
    expect(row.orderId).to.equal('9201');

    const res = await get(`/v1/orders/${row.orderId}/events`).expect(200);
    expectResponseMatchesSpec(res, 'get', PATH);
    expect(res.body).to.include({ orderId: '9201', streamId: 'erp-unlinked-SI-9201' });
    expect(res.body.streamIds).to.deep.equal(['erp-unlinked-SI-9201']);
    expect(res.body).to.not.have.property('nextCursor');
    const events = res.body.events as Event[];
    expect(events.map((e) => e.eventId)).to.deep.equal(parked.map((e) => e.id));
    expect(events.map((e) => e.position)).to.deep.equal(parked.map((e) => String(e.position)));
    expect(events.map((e) => e.streamId)).to.deep.equal(parked.map(() => 'erp-unlinked-SI-9201'));
    expect(events[0]!.type).to.equal('ErpInvoicePosted');
    expect((events[0]!.data.document as { documentNumber: string }).documentNumber).to.equal('SI-9201');
    for (const e of events) expect(e.data, e.type).to.not.have.property('raw');
    expect((parked[0]!.data as Record<string, unknown>).raw, 'the stored event keeps its raw payload').to.not.equal(undefined);
  });

  it('merges every document naming the id in log order and pages across them by position', async () => {
    await postErp(api, erpInvoice('CM-9201', '9201', { documentType: 'credit_memo', postingDate: '2024-06-20', documentDate: '2024-06-20' })).expect(202);
    // A later revision of the first document: its stream's revision 1 comes after the credit memo's revision 0.
    await postErp(api, erpInvoice('SI-9201', '9201', { revision: 2, totals: { net: '11.68', tax: '2.22', gross: '13.90' } })).expect(202);
    const stored = [...(await streamEvents(api.service, 'erp-unlinked-SI-9201')), ...(await streamEvents(api.service, 'erp-unlinked-CM-9201'))]
      .sort((a, b) => (a.position < b.position ? -1 : 1));
    expect(stored.map((e) => e.streamId)).to.deep.equal(['erp-unlinked-SI-9201', 'erp-unlinked-CM-9201', 'erp-unlinked-SI-9201']);

    const all = await get('/v1/orders/9201/events').expect(200);
    expectResponseMatchesSpec(all, 'get', PATH);
    expect(all.body).to.include({ orderId: '9201', streamId: 'erp-unlinked-SI-9201' });
    expect(all.body.streamIds).to.deep.equal(['erp-unlinked-SI-9201', 'erp-unlinked-CM-9201']);
    const merged = all.body.events as Event[];
    expect(merged.map((e) => e.eventId)).to.deep.equal(stored.map((e) => e.id));
    expect(merged.map((e) => [e.streamId, e.revision])).to.deep.equal(stored.map((e) => [e.streamId, String(e.revision)]));

    const paged = await walk('/v1/orders/9201/events', 1);
    expect(paged.events.map((e) => e.eventId)).to.deep.equal(merged.map((e) => e.eventId));
    expect(paged.pages.map((p) => p.body.events.length)).to.deep.equal(merged.map(() => 1));
    for (const page of paged.pages) expect(page.body).to.include({ orderId: '9201', streamId: 'erp-unlinked-SI-9201' });
    expect(paged.pages.at(-1)!.body).to.not.have.property('nextCursor');

    // Filtered by type, the pages still continue by position across the documents.
    const credits = await walk('/v1/orders/9201/events?type=ErpCreditMemoPosted', 1);
    expect(credits.events.map((e) => e.streamId)).to.deep.equal(['erp-unlinked-CM-9201']);
  });

  it('refuses an order-stream cursor on parked documents, and a parked-documents cursor on an order, with a 400 naming cursor', async () => {
    await postWebhook(api, 'confirm-9202', 'order-confirmed', scayleOrder(9202), '2024-06-02T10:00:00Z').expect(202);
    await postErp(api, erpInvoice('SI-9202', '9202')).expect(202);
    const order = await get('/v1/orders/9202/events?limit=1').expect(200);
    const parked = await get('/v1/orders/9201/events?limit=1').expect(200);
    expect(order.body.nextCursor, 'the order has more than one event').to.be.a('string');
    expect(parked.body.nextCursor).to.be.a('string');

    const refused = [
      await get(`/v1/orders/9201/events?cursor=${order.body.nextCursor}`),
      await get(`/v1/orders/9202/events?cursor=${parked.body.nextCursor}`),
      await get(`/v1/orders/9201/events?cursor=${forge({ afterRevision: '0' })}`),
    ];
    for (const res of refused) {
      expect(res.status, res.text).to.equal(400);
      expectResponseMatchesSpec(res, 'get', PATH);
      expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['cursor']);
    }
    // Each one still pages its own kind.
    await get(`/v1/orders/9201/events?cursor=${parked.body.nextCursor}`).expect(200);
    await get(`/v1/orders/9202/events?cursor=${order.body.nextCursor}`).expect(200);
  });

  it('answers the order stream, with the linked documents in it, once the order appears; a parked history\u2019s cursor is refused there', async () => {
    const parked = await get('/v1/orders/9201/events?limit=1').expect(200);
    const parkedIds = (await walk('/v1/orders/9201/events', 500)).events.map((e) => e.eventId);
    await postWebhook(api, 'confirm-9201', 'order-confirmed', scayleOrder(9201), '2024-06-02T10:00:00Z').expect(202);
    const res = await get('/v1/orders/9201/events').expect(200);
    expectResponseMatchesSpec(res, 'get', PATH);
    expect(res.body).to.include({ orderId: '9201', streamId: 'order-msde-DE-9201' });
    expect(res.body).to.not.have.property('streamIds');
    const events = res.body.events as Event[];
    for (const e of events) expect(e, e.type).to.not.have.property('streamId');
    expect(events.map((e) => e.revision)).to.deep.equal(events.map((_, i) => String(i)));
    const documents = events.filter((e) => e.type.startsWith('Erp')).map((e) => (e.data.document as { documentNumber: string }).documentNumber);
    expect(documents).to.include.members(['SI-9201', 'CM-9201']);
    expect(events).to.have.length.greaterThan(parkedIds.length);

    const stale = await get(`/v1/orders/9201/events?cursor=${parked.body.nextCursor}`);
    expect(stale.status, stale.text).to.equal(400);
    expectResponseMatchesSpec(stale, 'get', PATH);
    expect(stale.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['cursor']);
  });

  it('404 for an id neither Scayle nor any ERP document names, whatever cursor comes with it; PSP lines waiting for it do not count', async () => {
    await postPsp(api, pspBatch('B-9298', '9298')).expect(202);
    for (const path of [
      '/v1/orders/9299/events',
      `/v1/orders/9299/events?cursor=${forge({ afterPosition: '1' })}`,
      `/v1/orders/9299/events?cursor=${forge({ afterRevision: '1' })}`,
      '/v1/orders/9298/events',
    ]) {
      const missing = await get(path);
      expect(missing.status, `${path}: ${missing.text}`).to.equal(404);
      expectResponseMatchesSpec(missing, 'get', PATH);
      expect(missing.body).to.include({ status: 404 });
      expect(missing.body.detail).to.match(/929[89]/);
    }
  });
});
