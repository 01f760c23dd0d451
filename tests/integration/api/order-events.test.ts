import { expect } from 'chai';
import request from 'supertest';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { cursorList, type ListCursors } from '../../../src/infrastructure/http/pagination';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';

const PATH = '/v1/orders/{orderId}/events';

describe('GET /v1/orders/{orderId}/events', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
    await seedKnownOrder(api.service.container, orderSnapshot('930'));
    for (const key of ['h-1', 'h-2', 'h-3']) {
      await request(api.server)
        .post('/v1/orders/930/refunds')
        .set(auth('cx'))
        .set('Idempotency-Key', key)
        .send({ amount: '1.00', currency: 'EUR', refund_items: [{ order_item_id: '9301', amount: '1.00' }], reason: key })
        .expect(201);
    }
  });
  after(() => api.dispose());

  it('lists the stream in order with actor and times, without raw payloads', async () => {
    const res = await request(api.server).get('/v1/orders/930/events').set(auth('auditor')).expect(200);
    expectResponseMatchesSpec(res, 'get', PATH);
    expect(res.body.streamId).to.equal('order-msde-DE-930');
    expect(res.body.events.map((e: { type: string }) => e.type)).to.deep.equal(['ScayleOrderConfirmed', 'ScaylePaymentCaptured', 'RefundRequested', 'RefundRequested', 'RefundRequested']);
    expect(res.body.events.map((e: { revision: string }) => e.revision)).to.deep.equal(['0', '1', '2', '3', '4']);
    expect(res.body.events[2].actor).to.match(/^cx:/);
    expect(res.body.events[2].source).to.equal('ledger');
    expect(res.body).to.not.have.property('nextCursor');
  });

  it('pages with an opaque cursor, filters by type, and answers 304 to its ETag', async () => {
    const first = await request(api.server).get('/v1/orders/930/events?type=RefundRequested&limit=2').set(auth('finance')).expect(200);
    expectResponseMatchesSpec(first, 'get', PATH);
    expect(first.body.events.map((e: { data: { reason: string } }) => e.data.reason)).to.deep.equal(['h-1', 'h-2']);
    const second = await request(api.server).get(`/v1/orders/930/events?type=RefundRequested&limit=2&cursor=${first.body.nextCursor}`).set(auth('finance')).expect(200);
    expect(second.body.events.map((e: { data: { reason: string } }) => e.data.reason)).to.deep.equal(['h-3']);
    expect(second.body).to.not.have.property('nextCursor');
    const cached = await request(api.server).get('/v1/orders/930/events?type=RefundRequested&limit=2').set(auth('finance')).set('If-None-Match', first.headers.etag!).expect(304);
    expectResponseMatchesSpec(cached, 'get', PATH);
  });

  it('400 for a foreign cursor, a bad limit or an unknown parameter; 404 for an unknown order', async () => {
    const bad = await request(api.server).get('/v1/orders/930/events?cursor=abc&limit=0').set(auth('finance')).expect(400);
    expectResponseMatchesSpec(bad, 'get', PATH);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).to.include.members(['limit']);
    const unknown = await request(api.server).get('/v1/orders/930/events?limit=0&foo=1').set(auth('finance')).expect(400);
    expectResponseMatchesSpec(unknown, 'get', PATH);
    expect(unknown.body.errors).to.deep.equal([{ field: 'foo', message: 'is not a parameter of this operation; it takes type, cursor, limit, minPosition' }]);
    const cursor = await request(api.server).get('/v1/orders/930/events?cursor=abc').set(auth('finance')).expect(400);
    expect(cursor.body.errors[0].field).to.equal('cursor');
    // A revision beyond the stores' signed 64 bits (was a 500 from the SQLite driver); the last one that fits still pages.
    // Signed by the service, so it is the revision behind a valid signature that is judged.
    const cursors = api.service.container.get<ListCursors>(TOKENS.ListCursors);
    const encode = (afterRevision: string) => cursors.encode(cursorList(`GET ${PATH}`, { orderId: '930' }, {}), { afterRevision: BigInt(afterRevision) });
    for (const r of ['9223372036854775807', '18446744073709551615', '99999999999999999999999']) {
      const huge = await request(api.server).get(`/v1/orders/930/events?cursor=${encode(r)}`).set(auth('finance')).expect(400);
      expectResponseMatchesSpec(huge, 'get', PATH);
      expect(huge.body.errors[0].field).to.equal('cursor');
    }
    const last = await request(api.server).get(`/v1/orders/930/events?cursor=${encode('9223372036854775806')}`).set(auth('finance')).expect(200);
    expect(last.body.events).to.deep.equal([]);
    const missing = await request(api.server).get('/v1/orders/nope/events').set(auth('finance')).expect(404);
    expectResponseMatchesSpec(missing, 'get', PATH);
  });
});
