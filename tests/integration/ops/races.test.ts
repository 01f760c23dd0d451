/**
 * Races (issue 9 item 5): many requests at once must decide exactly like one after the other.
 */
import { expect } from 'chai';
import request from 'supertest';
import Decimal from 'decimal.js';
import { FactWriter } from '../../../src/application/ingest/fact-writer';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { storeOf, streamEvents } from '../../support/ingest';
import { appendErpInvoice, orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';
import { postWebhook, scayleOrder, WEBHOOK_ENV } from '../../support/ops';

describe('races', function () {
  this.timeout(60_000);
  let api: ApiTestService;
  before(async () => {
    api = await startApiService({ ...WEBHOOK_ENV, LEDGER_INGEST_RATE_LIMIT: '0' });
  });
  after(() => api.dispose());

  it('50 parallel deliveries of one webhook → one fact, one accepted and 49 duplicates naming it', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => postWebhook(api, 'race-key-1', 'order-confirmed', scayleOrder(7001))));
    expect(answers.map((a) => a.status)).to.deep.equal(Array(50).fill(202));
    expect(answers.filter((a) => a.body.status === 'accepted')).to.have.length(1);
    expect(answers.filter((a) => a.body.status === 'duplicate')).to.have.length(49);
    expect(new Set(answers.map((a) => a.body.eventIds[0]))).to.have.property('size', 1);
    const stored = await streamEvents(api.service, 'order-msde-DE-7001');
    expect(stored.map((e) => e.metadata.sourceEventId)).to.deep.equal(['race-key-1']);
  });

  it('50 parallel appends of one fact through 5 independent writers (as from 5 processes) → one fact', async () => {
    const writers = Array.from({ length: 5 }, () => new FactWriter(storeOf(api.service)));
    const event = { id: '6f9c2d4e-0000-5000-8000-000000000001', type: 'RaceTestFact', data: { n: 1 }, metadata: { source: 'ledger' as const, occurredAt: '2024-06-01T10:00:00Z', recordedAt: '2024-06-01T10:00:00Z', schemaVersion: 1 } };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => writers[i % 5]!.appendOnce('race-writers', [{ event }])));
    const stored = await streamEvents(api.service, 'race-writers');
    expect(stored.map((e) => e.id)).to.deep.equal([event.id]);
    expect(new Set(results.map((r) => r.eventIds[0]))).to.deep.equal(new Set([event.id]));
    // Within a writer the per-stream mutex makes the rest answer duplicate; across writers the
    // store's idempotent append (same id, same expected revision) absorbs the race, so up to one
    // "appended" per writer is reported while one fact is stored.
    expect(results.reduce((n, r) => n + r.appended, 0)).to.be.within(1, 5);
  });

  it('parallel refunds that together over-spend an item → never an over-refund; the losers get 422, never 409', async () => {
    const stream = await seedKnownOrder(api.service.container, orderSnapshot('7101'));
    // Item 71011 is 119.00: ten refunds of 30.00 at once can fit three times (90.00), never four.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(api.server)
          .post('/v1/orders/7101/refunds')
          .set(auth('cx'))
          .set('Idempotency-Key', `race-refund-${i}`)
          .send({ amount: '30.00', currency: 'EUR', refund_items: [{ order_item_id: '71011', amount: '30.00' }], reason: 'race' }),
      ),
    );
    const won = answers.filter((a) => a.status === 201);
    expect(answers.filter((a) => a.status !== 201).map((a) => a.status)).to.deep.equal(Array(7).fill(422));
    const refunds = (await streamEvents(api.service, stream)).filter((e) => e.type === 'RefundRequested');
    expect(refunds).to.have.length(won.length);
    const total = refunds.reduce((sum, e) => sum.plus((e.data as { amount: string }).amount), new Decimal(0));
    expect(total.lte('119.00'), `refunded ${total.toString()} of 119.00`).to.equal(true);
    expect(won.length).to.equal(3);
  });

  it('10 parallel refunds that all fit (different keys) → ten 201s, each recorded once (the losers of a revision race re-decide)', async () => {
    const stream = await seedKnownOrder(api.service.container, orderSnapshot('7102'));
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(api.server)
          .post('/v1/orders/7102/refunds')
          .set(auth('cx'))
          .set('Idempotency-Key', `race-small-refund-${i}`)
          .send({ amount: '0.10', currency: 'EUR', refund_items: [{ order_item_id: '71021', amount: '0.10' }], reason: 'race' }),
      ),
    );
    expect(answers.map((a) => a.status), answers.map((a) => a.text).join('\n')).to.deep.equal(Array(10).fill(201));
    const refunds = (await streamEvents(api.service, stream)).filter((e) => e.type === 'RefundRequested');
    expect(refunds.map((e) => (e.data as { amount: string }).amount)).to.deep.equal(Array(10).fill('0.10'));
  });

  it('20 parallel identical corrections without a key → twenty 201s, twenty corrections recorded', async () => {
    const stream = await seedKnownOrder(api.service.container, orderSnapshot('7103'));
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(api.server)
          .post('/v1/orders/7103/line-item-corrections')
          .set(auth('finance'))
          .send({ reason: 'race', items: [{ order_item_id: '71031', gross_amount: '11.90', net_amount: '10.00', tax_amount: '1.90', tax_rate: '0.19' }] }),
      ),
    );
    expect(answers.map((a) => a.status), answers.map((a) => a.text).join('\n')).to.deep.equal(Array(20).fill(201));
    const corrections = (await streamEvents(api.service, stream)).filter((e) => e.type === 'LineItemsCorrected');
    expect(corrections).to.have.length(20);
  });

  it('concurrent conditional writes on one ETag (If-Match) → one wins, the others get 412', async () => {
    const current = await request(api.server).get('/v1/mappings/tax-codes').set(auth('finance')).expect(200);
    const etag = String(current.headers.etag);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        request(api.server)
          .put('/v1/mappings/tax-codes')
          .set(auth('finance'))
          .set('If-Match', etag)
          .send({ entries: [{ country_code: 'DE', rate: '0.19', tax_code: `DE19-${i}` }] }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).to.have.length(1);
    expect(answers.filter((a) => a.status === 412)).to.have.length(7);
  });

  it('concurrent decisions on one exception (If-Match) → one wins, the others get 412; unrelated facts racing in do not refuse it', async () => {
    const events = storeOf(api.service);
    const order = orderSnapshot('7201');
    const stream = await seedKnownOrder(api.service.container, order);
    const position = await appendErpInvoice(events, stream, { ...order, items: [{ ...order.items[0]!, gross: '129.00', net: '110.00', tax: '19.00' }, order.items[1]!] });
    const queue = await request(api.server).get(`/v1/exceptions?owner=finance&code=AMOUNT_MISMATCH&minPosition=${String(position)}`).set(auth('finance')).expect(200);
    const exception = (queue.body.items as { exceptionId: string; etag: string; streamId: string }[]).find((e) => e.streamId === stream)!;
    const url = `/v1/exceptions/${encodeURIComponent(exception.exceptionId)}`;
    const decisions = Array.from({ length: 12 }, (_, i) =>
      request(api.server)
        .post(`${url}/${i % 2 === 0 ? 'acknowledge' : 'assign'}`)
        .set(auth(i % 3 === 0 ? 'admin' : 'finance'))
        .set('If-Match', exception.etag)
        .send(i % 2 === 0 ? { note: `seen by clerk ${i}` } : { assignee: `clerk-${i}` }),
    );
    // Facts of the same order arriving meanwhile (a PSP payout line) move the stream, not the exception.
    const unrelated = Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        events.appendToStream(stream, [{ id: `7201a0a0-0000-5000-8000-00000000000${i}`, type: 'RaceTestNote', data: { i }, metadata: { source: 'ledger', occurredAt: '2024-05-03T10:00:00Z', recordedAt: '2024-05-03T10:00:00Z', schemaVersion: 1 } }], { expectedRevision: 'any' }),
      ),
    );
    const [answers] = await Promise.all([Promise.all(decisions), unrelated]);
    expect(answers.map((a) => a.status).sort(), answers.map((a) => a.text).join('\n')).to.deep.equal([200, ...Array(11).fill(412)]);
    const decided = (await streamEvents(api.service, stream)).filter((e) => e.type.startsWith('Exception'));
    expect(decided).to.have.length(1);
  });
});
