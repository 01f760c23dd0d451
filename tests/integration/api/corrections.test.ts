import { expect } from 'chai';
import request from 'supertest';
import type { OutboxDispatcher } from '../../../src/application/outbox/outbox-dispatcher';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';

const PATH = '/v1/orders/{orderId}/line-item-corrections';
const url = (orderId: string) => `/v1/orders/${orderId}/line-item-corrections`;
const item = (over: Record<string, unknown> = {}) => ({ order_item_id: '9201', gross_amount: '100.00', net_amount: '84.03', tax_amount: '15.97', tax_rate: '0.19', tax_code: 'DE19', ...over });

describe('POST /v1/orders/{orderId}/line-item-corrections', () => {
  let api: ApiTestService;
  let stream: string;
  const store = () => api.service.container.get<EventStore>(TOKENS.EventStore);
  const corrections = async () => (await store().readStream(stream)).filter((e) => e.type === 'LineItemsCorrected');

  before(async () => {
    api = await startApiService();
    stream = await seedKnownOrder(api.service.container, orderSnapshot('920'));
  });
  after(() => api.dispose());

  it('201 with correctionId, items and position; LineItemsCorrected in the order stream; the outbox holds it pending', async () => {
    const res = await request(api.server)
      .post(url('920'))
      .set(auth('finance'))
      .send({ reason: 'partial cancellation recomputed', items: [item(), item({ order_item_id: '9202', gross_amount: '50.00', net_amount: '42.02', tax_amount: '7.98', tax_code: undefined })] })
      .expect(201);
    expectResponseMatchesSpec(res, 'post', PATH);
    expect(res.body).to.include({ status: 'recorded' });
    expect(res.body.itemIds).to.deep.equal(['9201', '9202']);
    const [event] = await corrections();
    expect(String(event!.position)).to.equal(res.body.position);
    expect(event!.data).to.deep.include({
      correctionId: res.body.correctionId,
      reason: 'partial cancellation recomputed',
      items: [
        { orderItemId: '9201', gross: '100.00', net: '84.03', tax: '15.97', taxRate: '0.19', taxCode: 'DE19' },
        { orderItemId: '9202', gross: '50.00', net: '42.02', tax: '7.98', taxRate: '0.19' },
      ],
    });
    expect(event!.metadata.actor).to.match(/^finance:/);
    await api.service.container.get<OutboxDispatcher>(TOKENS.OutboxDispatcher).drain();
    const outbox = await request(api.server).get('/v1/outbox?orderId=920').set(auth('operations')).expect(200);
    expect(outbox.body.items[0]).to.include({ commandId: res.body.correctionId, commandType: 'LineItemsCorrected', status: 'pending' });
  });

  it('an optional Idempotency-Key replays the first answer', async () => {
    const payload = { reason: 'r', items: [item({ gross_amount: '90.00', net_amount: '75.63', tax_amount: '14.37' })] };
    const first = await request(api.server).post(url('920')).set(auth('integrator')).set('Idempotency-Key', 'corr-1').send(payload).expect(201);
    const again = await request(api.server).post(url('920')).set(auth('integrator')).set('Idempotency-Key', 'corr-1').send(payload).expect(201);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    const other = await request(api.server).post(url('920')).set(auth('integrator')).set('Idempotency-Key', 'corr-1').send({ ...payload, reason: 'other' }).expect(422);
    expect(other.body.code).to.equal('idempotency_key_reused');
  });

  describe('rejections append nothing', () => {
    let count: number;
    beforeEach(async () => {
      count = (await store().readStream(stream)).length;
    });
    afterEach(async () => {
      expect(await store().readStream(stream)).to.have.length(count);
    });
    const send = (payload: unknown) => request(api.server).post(url('920')).set(auth('finance')).send(payload as object);

    it('gross ≠ net + tax → 422 naming items[0].gross_amount', async () => {
      const res = await send({ reason: 'r', items: [item({ tax_amount: '15.96' })] }).expect(422);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body).to.include({ code: 'gross_not_net_plus_tax' });
      expect(res.body.errors[0].field).to.equal('items[0].gross_amount');
    });
    it('a tax that is not net × rate up to rounding → 422 naming items[0].tax_amount', async () => {
      const res = await send({ reason: 'r', items: [item({ gross_amount: '1000.00', net_amount: '1.00', tax_amount: '999.00' })] }).expect(422);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body).to.include({ code: 'tax_inconsistent_with_rate' });
      expect(res.body.errors[0].field).to.equal('items[0].tax_amount');
    });
    it('an item not in the order → 422', async () => {
      const res = await send({ reason: 'r', items: [item({ order_item_id: '1' })] }).expect(422);
      expect(res.body.errors[0].field).to.equal('items[0].order_item_id');
    });
    it('numbers, sub-cent amounts, percent rates, missing fields → 400 per field', async () => {
      const numbers = await send({ reason: 'r', items: [item({ tax_rate: 0.19, net_amount: 84.03 })] }).expect(400);
      expectResponseMatchesSpec(numbers, 'post', PATH);
      expect(numbers.body.errors.map((e: { field: string }) => e.field)).to.have.members(['items[0].tax_rate', 'items[0].net_amount']);
      expect(numbers.body.errors[0].message).to.match(/not a JSON number$/);
      const subCent = await send({ reason: 'r', items: [item({ gross_amount: '100.001', net_amount: '84.031' })] }).expect(400);
      expect(subCent.body.code).to.equal('too_many_decimals');
      expect(subCent.body.errors[0].field).to.equal('items[0].gross_amount');
      const percent = await send({ reason: 'r', items: [item({ tax_rate: '19' })] }).expect(400);
      expect(percent.body.errors[0].field).to.equal('items[0].tax_rate');
      const missing = await send({ items: [] }).expect(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field)).to.include.members(['reason', 'items']);
    });
    it('zeros beyond the order currency\'s scale ("100.000" EUR) → 400 too_many_decimals naming items[0].gross_amount (user trial: they were taken)', async () => {
      const res = await send({ reason: 'r', items: [item({ gross_amount: '100.000' })] }).expect(400);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(res.body.code).to.equal('too_many_decimals');
      expect(res.body.errors).to.deep.equal([{ field: 'items[0].gross_amount', message: '100.000 has more decimals than EUR allows (2): write it as 100.00' }]);
      const tax = await send({ reason: 'r', items: [item(), item({ order_item_id: '9202', gross_amount: '50.00', net_amount: '42.02', tax_amount: '7.980' })] }).expect(400);
      expect(tax.body.errors[0].field).to.equal('items[1].tax_amount');
    });
    it('every amount off the scale is named in one 400, across items (user trial: only items[0].gross_amount was named)', async () => {
      const res = await send({
        reason: 'r',
        items: [item({ gross_amount: '10.700', net_amount: '10.000', tax_amount: '0.700' }), item({ order_item_id: '9202', gross_amount: '19.990', net_amount: '16.80', tax_amount: '3.19' })],
      }).expect(400);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body).to.include({ type: '/problems/too-many-decimals', code: 'too_many_decimals' });
      expect(res.body.errors).to.deep.equal([
        { field: 'items[0].gross_amount', message: '10.700 has more decimals than EUR allows (2): write it as 10.70' },
        { field: 'items[0].net_amount', message: '10.000 has more decimals than EUR allows (2): write it as 10.00' },
        { field: 'items[0].tax_amount', message: '0.700 has more decimals than EUR allows (2): write it as 0.70' },
        { field: 'items[1].gross_amount', message: '19.990 has more decimals than EUR allows (2): write it as 19.99' },
      ]);
    });
    it('amounts off the scale with another invalid field (an item twice) → one validation-error listing all, each entry with its code', async () => {
      const res = await send({ reason: 'r', items: [item({ gross_amount: '100.000' }), item({ net_amount: '84.030' })] }).expect(400);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body.type).to.equal('/problems/validation-error');
      expect(res.body).to.not.have.property('code');
      expect(res.body.errors.map((e: { field: string; code?: string }) => [e.field, e.code])).to.deep.equal([
        ['items[0].gross_amount', 'too_many_decimals'],
        ['items[1].order_item_id', 'duplicate_item'],
        ['items[1].net_amount', 'too_many_decimals'],
      ]);
    });
    it('null for an optional field (tax_code) → 400 naming it; the spec does not declare it nullable', async () => {
      const res = await send({ reason: 'r', items: [item({ tax_code: null })] }).expect(400);
      expectResponseMatchesSpec(res, 'post', PATH);
      expect(res.body.errors).to.deep.equal([{ field: 'items[0].tax_code', message: 'must not be null: leave the field out instead' }]);
    });
  });
});
