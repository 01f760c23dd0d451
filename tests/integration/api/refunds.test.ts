import { expect } from 'chai';
import request from 'supertest';
import type { EventStore, RecordedEvent } from '../../../src/application/ports/event-store.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';

const PATH = '/v1/orders/{orderId}/refunds';
const url = (orderId: string) => `/v1/orders/${orderId}/refunds`;
const body = (over: Record<string, unknown> = {}) => ({ amount: '19.99', currency: 'EUR', refund_items: [{ order_item_id: '9011', amount: '19.99' }], reason: 'damaged', ...over });

describe('POST /v1/orders/{orderId}/refunds', () => {
  let api: ApiTestService;
  const store = () => api.service.container.get<EventStore>(TOKENS.EventStore);
  const refundsIn = async (stream: string): Promise<RecordedEvent[]> => (await store().readStream(stream)).filter((e) => e.type === 'RefundRequested');
  const post = (orderId: string, key: string | undefined, payload: unknown, role: Parameters<typeof auth>[0] = 'integrator') => {
    const req = request(api.server).post(url(orderId)).set(auth(role)).set('X-Correlation-Id', 'corr-refund');
    return key === undefined ? req.send(payload as object) : req.set('Idempotency-Key', key).send(payload as object);
  };

  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  describe('happy path and idempotency', () => {
    let stream: string;
    before(async () => {
      stream = await seedKnownOrder(api.service.container, orderSnapshot('901'));
    });

    it('201 with refundId, status requested, amount, currency, position and Location; the event carries actor, correlation and the key', async () => {
      const res = await post('901', 'key-1', body()).expect(201);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body).to.include({ status: 'requested', amount: '19.99', currency: 'EUR' });
      expect(res.headers.location).to.equal(`/v1/orders/901/refunds/${res.body.refundId}`);
      expect(res.headers['idempotent-replayed']).to.equal('false');
      const [event] = await refundsIn(stream);
      expect(String(event!.position)).to.equal(res.body.position);
      expect(event!.data).to.deep.include({ refundId: res.body.refundId, amount: '19.99', currency: 'EUR', items: [{ orderItemId: '9011', amount: '19.99' }], reason: 'damaged' });
      expect(event!.metadata).to.include({ source: 'ledger', correlationId: 'corr-refund', idempotencyKey: 'key-1', orderId: '901' });
      expect(event!.metadata.actor).to.match(/^integrator:[0-9a-f]{12}$/);
      expect((event!.data as { requestedBy: string }).requestedBy).to.equal(event!.metadata.actor);

      const got = await request(api.server).get(res.headers.location!).set(auth('cx')).expect(200);
      expectResponseMatchesSpec(got, 'get', '/v1/orders/{orderId}/refunds/{refundId}');
      expect(got.body).to.include({ refundId: res.body.refundId, status: 'requested', orderId: '901' });
    });

    it('same key + same body (keys in another order) → the same 201 replayed, nothing appended', async () => {
      const first = await post('901', 'key-2', body({ amount: '5.00', refund_items: [{ order_item_id: '9012', amount: '5.00' }] })).expect(201);
      const again = await post('901', 'key-2', { reason: 'damaged', refund_items: [{ amount: '5.00', order_item_id: '9012' }], currency: 'EUR', amount: '5.00' }).expect(201);
      expectResponseMatchesSpec(again, 'post', PATH);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(again.headers.location).to.equal(first.headers.location);
      expect((await refundsIn(stream)).filter((e) => (e.data as { refundId: string }).refundId === first.body.refundId)).to.have.length(1);
    });

    it('same key + different body → 422 idempotency_key_reused, nothing appended', async () => {
      const before = (await refundsIn(stream)).length;
      const res = await post('901', 'key-2', body({ amount: '6.00', refund_items: [{ order_item_id: '9012', amount: '6.00' }] })).expect(422);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body).to.include({ code: 'idempotency_key_reused', status: 422 });
      expect(res.body.errors).to.deep.equal([{ field: 'Idempotency-Key', message: res.body.detail }]);
      expect(await refundsIn(stream)).to.have.length(before);
    });

    it('same key + the same amounts written differently ("1.0" for a recorded "1.00") → the first 201 replayed, not 422 (re-trial)', async () => {
      const first = await post('901', 'key-spelling', body({ amount: '1.00', refund_items: [{ order_item_id: '9012', amount: '1.00' }] })).expect(201);
      const before = (await refundsIn(stream)).length;
      const again = await post('901', 'key-spelling', body({ amount: '1.0', refund_items: [{ order_item_id: '9012', amount: '1' }] }));
      expect(again.status, again.text).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(await refundsIn(stream)).to.have.length(before);
      // Another value under the same key is still refused.
      const other = await post('901', 'key-spelling', body({ amount: '1.01', refund_items: [{ order_item_id: '9012', amount: '1.01' }] })).expect(422);
      expect(other.body.code).to.equal('idempotency_key_reused');
    });

    it('ten identical requests in parallel → ten identical 201s and one refund', async () => {
      const payload = body({ amount: '1.00', refund_items: [{ order_item_id: '9012', amount: '1.00' }] });
      const answers = await Promise.all(Array.from({ length: 10 }, () => post('901', 'key-parallel', payload)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(10).fill(201));
      expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).to.equal(1);
      const refundId = answers[0]!.body.refundId as string;
      expect((await refundsIn(stream)).filter((e) => (e.data as { refundId: string }).refundId === refundId)).to.have.length(1);
    });

    it('a key is scoped to its order: the same key on another order is a new refund', async () => {
      await seedKnownOrder(api.service.container, orderSnapshot('911'));
      const res = await post('911', 'key-1', body({ refund_items: [{ order_item_id: '9111', amount: '19.99' }] })).expect(201);
      const first = (await refundsIn(stream))[0]!;
      expect(res.body.refundId).to.not.equal((first.data as { refundId: string }).refundId);
    });
  });

  describe('races', () => {
    it('two refunds of the same item that together exceed it: exactly one 201, the other 422', async () => {
      const stream = await seedKnownOrder(api.service.container, orderSnapshot('902'));
      const [a, b] = await Promise.all([
        post('902', 'race-a', body({ amount: '100.00', refund_items: [{ order_item_id: '9021', amount: '100.00' }] })),
        post('902', 'race-b', body({ amount: '100.00', refund_items: [{ order_item_id: '9021', amount: '100.00' }] })),
      ]);
      expect([a.status, b.status].sort()).to.deep.equal([201, 422]);
      const loser = a.status === 422 ? a : b;
      expectResponseMatchesSpec(loser, 'post', PATH);
      expect(loser.body).to.include({ code: 'refund_exceeds_item' });
      expect(loser.body.errors[0].field).to.equal('refund_items[0].amount');
      expect(await refundsIn(stream)).to.have.length(1);
    });

    it('two refunds of different items that together exceed what was captured: exactly one 201', async () => {
      const snapshot = orderSnapshot('903', { cost: { gross: '183.45', net: '154.16', tax: '29.29', capture: '150.00' } });
      const stream = await seedKnownOrder(api.service.container, snapshot);
      const answers = await Promise.all([
        post('903', 'cap-a', body({ amount: '119.00', refund_items: [{ order_item_id: '9031', amount: '119.00' }] })),
        post('903', 'cap-b', body({ amount: '59.50', refund_items: [{ order_item_id: '9032', amount: '59.50' }] })),
      ]);
      expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 422]);
      expect(answers.find((a) => a.status === 422)!.body).to.include({ code: 'refund_exceeds_captured' });
      expect(await refundsIn(stream)).to.have.length(1);
    });
  });

  describe('validation (400) and business rules (422); nothing appended on either', () => {
    let stream: string;
    let count: number;
    before(async () => {
      stream = await seedKnownOrder(api.service.container, orderSnapshot('904'));
      count = (await store().readStream(stream)).length;
    });
    afterEach(async () => {
      expect(await store().readStream(stream), 'nothing appended').to.have.length(count);
    });

    const expect400 = async (res: request.Response, fields: string[]) => {
      expect(res.status, res.text).to.equal(400);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body.errors.map((e: { field: string }) => e.field)).to.include.members(fields);
    };

    it('missing Idempotency-Key → 400 naming the header', async () => {
      const res = await post('904', undefined, body());
      await expect400(res, ['Idempotency-Key']);
      expect(res.body.errors[0].message).to.match(/Idempotency-Key header is required/);
    });

    it('a reason with control or bidi-override characters → 400 naming reason (it would travel on to Scayle)', async () => {
      await expect400(await post('904', 'ctl-reason', body({ reason: 'bad\u0007reason' })), ['reason']);
    });

    it('an Idempotency-Key with spaces → 400', async () => {
      await expect400(await post('904', 'has space', body()), ['Idempotency-Key']);
    });

    it('money as a JSON number → 400 with a clear message per field', async () => {
      const res = await post('904', 'v-num', { amount: 19.99, currency: 'EUR', refund_items: [{ order_item_id: '9041', amount: 19.99 }], reason: 'x' });
      await expect400(res, ['amount', 'refund_items[0].amount']);
      for (const e of res.body.errors) expect(e.message).to.equal('must be a decimal string such as "19.99", not a JSON number');
    });

    it('more decimals than the currency allows → 400 too_many_decimals (EUR 2, JPY 0)', async () => {
      const eur = await post('904', 'v-dec', body({ amount: '19.999', refund_items: [{ order_item_id: '9041', amount: '19.999' }] }));
      await expect400(eur, ['amount']);
      expect(eur.body.code).to.equal('too_many_decimals');
      const jpy = await post('904', 'v-jpy', body({ currency: 'JPY', amount: '100', refund_items: [{ order_item_id: '9041', amount: '10.5' }] }));
      await expect400(jpy, ['refund_items[0].amount']);
    });

    it('zeros beyond the scale ("19.990" EUR, "5.000" CHF) → 400 too_many_decimals naming each amount (user trial: they were taken)', async () => {
      const eur = await post('904', 'v-zeros', body({ amount: '19.990', refund_items: [{ order_item_id: '9041', amount: '19.990' }] }));
      await expect400(eur, ['amount', 'refund_items[0].amount']);
      expect(eur.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(eur.body.code).to.equal('too_many_decimals');
      expect(eur.body.errors).to.deep.equal([
        { field: 'amount', message: '19.990 has more decimals than EUR allows (2): write it as 19.99' },
        { field: 'refund_items[0].amount', message: '19.990 has more decimals than EUR allows (2): write it as 19.99' },
      ]);
      const item = await post('904', 'v-zeros-item', body({ amount: '19.99', refund_items: [{ order_item_id: '9041', amount: '19.9900' }] }));
      await expect400(item, ['refund_items[0].amount']);
      expect(item.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['refund_items[0].amount']);
      const chf = await post('904', 'v-zeros-chf', body({ currency: 'CHF', amount: '5.000', refund_items: [{ order_item_id: '9041', amount: '5.00' }] }));
      await expect400(chf, ['amount']);
      expect(chf.body.errors[0].message).to.match(/more decimals than CHF allows/);
    });

    it('every invalid field at once: the amounts off the scale with each other and with the fields the DTO refuses', async () => {
      const both = await post('904', 'v-dec2', body({ amount: '19.999', refund_items: [{ order_item_id: '9041', amount: '19.999' }] }));
      await expect400(both, []);
      expect(both.body.code).to.equal('too_many_decimals');
      expect(both.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['amount', 'refund_items[0].amount']);
      const { reason: _reason, ...noReason } = body({ amount: '1.001', refund_items: [{ order_item_id: '9041', amount: '1.001' }] });
      const mixed = await post('904', 'v-mixed', noReason);
      await expect400(mixed, []);
      expect(mixed.body.type).to.equal('/problems/validation-error');
      expect(mixed.body).to.not.have.property('code');
      expect(mixed.body.errors).to.deep.equal([
        { field: 'reason', message: 'is required' },
        { field: 'amount', message: both.body.errors[0].message.replace('19.999', '1.001'), code: 'too_many_decimals' },
        { field: 'refund_items[0].amount', message: both.body.errors[1].message.replace('19.999', '1.001'), code: 'too_many_decimals' },
      ]);
      expect(mixed.body.errors[1].message).to.match(/1\.001/);
    });

    it('missing, empty and unknown fields → 400 listing each', async () => {
      await expect400(await post('904', 'v-miss', { amount: '1.00', refund_items: [], extra: true }), ['currency', 'reason', 'refund_items', 'extra']);
      await expect400(await post('904', 'v-item', body({ refund_items: [{ amount: '1.00', sku: 'x' }] })), ['refund_items[0].order_item_id', 'refund_items[0].sku']);
      await expect400(await post('904', 'v-cur', body({ currency: 'euro' })), ['currency']);
      await expect400(await post('904', 'v-arr', [body()]), ['body']);
    });

    const expect422 = async (res: request.Response, code: string, field?: string) => {
      expect(res.status, res.text).to.equal(422);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body.code).to.equal(code);
      if (field) expect(res.body.errors[0].field).to.equal(field);
    };

    it('amount ≠ Σ refund_items → 422', async () => {
      await expect422(await post('904', 'r-sum', body({ amount: '20.00', refund_items: [{ order_item_id: '9041', amount: '19.99' }] })), 'amount_not_sum_of_items', 'amount');
    });
    it('an item of another order → 422 naming order_item_id', async () => {
      await expect422(await post('904', 'r-item', body({ refund_items: [{ order_item_id: '9011', amount: '19.99' }] })), 'item_not_in_order', 'refund_items[0].order_item_id');
    });
    it('another currency than the order → 422', async () => {
      await expect422(await post('904', 'r-cur', body({ currency: 'CHF', refund_items: [{ order_item_id: '9041', amount: '19.99' }] })), 'currency_mismatch', 'currency');
    });
    it('more than was paid for the item → 422', async () => {
      await expect422(await post('904', 'r-max', body({ amount: '119.01', refund_items: [{ order_item_id: '9041', amount: '119.01' }] })), 'refund_exceeds_item', 'refund_items[0].amount');
    });
    it('an unknown order → 404', async () => {
      const res = await post('nope', 'r-404', body()).expect(404);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body.code).to.equal('order_not_found');
    });
    it('a non-JSON body → 415', async () => {
      const res = await request(api.server).post(url('904')).set(auth('cx')).set('Idempotency-Key', 'x').set('Content-Type', 'text/plain').send('amount=1').expect(415);
      expectResponseMatchesSpec(res, 'post', PATH);
    });
  });

  it('replays survive a restart (keys live in the event log)', async () => {
    const stream = await seedKnownOrder(api.service.container, orderSnapshot('905'));
    const first = await post('905', 'durable', body({ refund_items: [{ order_item_id: '9051', amount: '19.99' }] })).expect(201);
    const dataDir = api.dataDir;
    await api.stop();
    const again = await startApiService({}, {}, dataDir);
    try {
      const replay = await request(again.server).post(url('905')).set(auth('integrator')).set('Idempotency-Key', 'durable').send(body({ refund_items: [{ order_item_id: '9051', amount: '19.99' }] })).expect(201);
      expect(replay.body).to.deep.equal(first.body);
      expect(replay.headers['idempotent-replayed']).to.equal('true');
      const refunds = (await again.service.container.get<EventStore>(TOKENS.EventStore).readStream(stream)).filter((e) => e.type === 'RefundRequested');
      expect(refunds).to.have.length(1);
    } finally {
      await again.stop();
      api = await startApiService({}, {}, dataDir);
    }
  });
});
