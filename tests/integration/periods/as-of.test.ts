import { expect } from 'chai';
import request from 'supertest';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { addInvoice, addOrder, fakeClock, invoiceFor, mayOrder, storeOf } from '../../support/period-fixtures';

describe('as-of queries: the state as the ledger knew it then (HTTP)', () => {
  let api: ApiTestService;
  let beforeInvoice: bigint;
  let afterInvoice: bigint;
  let afterMismatch: bigint;
  const clock = fakeClock('2024-06-03T08:00:00.000Z');

  before(async () => {
    api = await startApiService({}, { clock });
    const order = mayOrder('701');
    await addOrder(api.service, order);
    beforeInvoice = await storeOf(api.service).headPosition();
    afterInvoice = await addInvoice(api.service, order, invoiceFor(order, '2024-05-02'), '2024-05-02T18:00:00.000Z');
    const other = mayOrder('702');
    await addOrder(api.service, other);
    afterMismatch = await addInvoice(api.service, other, invoiceFor(other, '2024-05-02', { item1: { gross: '109.00', net: '91.60', tax: '17.40' } }), '2024-05-04T18:00:00.000Z');
  });
  after(() => api.dispose());

  const reconciliation = (orderId: string, asOf?: string) =>
    request(api.server)
      .get(`/v1/orders/${orderId}/reconciliation`)
      .query(asOf ? { asOf } : {})
      .set(auth('auditor'));

  it('asOf a position before the ERP invoice: pending within the grace window, judged at that moment', async () => {
    const res = await reconciliation('701', String(beforeInvoice));
    expectResponseMatchesSpec(res, 'get', '/v1/orders/{orderId}/reconciliation');
    expect(res.status, res.text).to.equal(200);
    expect(res.body.status).to.equal('pending');
    expect(res.body.pending).to.include('invoice');
    expect(res.body.asOf).to.deep.equal({ position: String(beforeInvoice), time: '2024-05-02T10:00:00.000Z' });
    expect(res.body.evaluatedAt).to.equal('2024-05-02T10:00:00.000Z');
    expect(res.body.totals.erp).to.deep.equal({});
  });

  it('asOf the invoice position (or a later time): matched; live (no asOf) agrees', async () => {
    const at = await reconciliation('701', String(afterInvoice));
    expect(at.body.status).to.equal('matched');
    expect(at.body.position).to.equal(String(afterInvoice));
    const byTime = await reconciliation('701', '2024-05-03T00:00:00+02:00');
    expectResponseMatchesSpec(byTime, 'get', '/v1/orders/{orderId}/reconciliation');
    expect(byTime.body.status).to.equal('matched');
    expect(byTime.body.asOf.time).to.equal('2024-05-02T22:00:00.000Z');
    const live = await reconciliation('701');
    expect(live.body.status).to.equal('matched');
    expect(live.body).to.not.have.property('asOf');
  });

  it('the earlier state of a drifting order: no finding before its invoice, AMOUNT_MISMATCH after', async () => {
    const early = await reconciliation('702', '2024-05-03T00:00:00Z');
    expect(early.body.findings.map((f: { code: string }) => f.code)).to.not.include('AMOUNT_MISMATCH');
    const late = await reconciliation('702', String(afterMismatch));
    expect(late.body.findings.map((f: { code: string }) => f.code)).to.include('AMOUNT_MISMATCH');
  });

  it('asOf a position beyond the log head is a 400 naming asOf and saying the head (not clamped to it, not a 500); the head itself answers', async () => {
    const head = await storeOf(api.service).headPosition();
    const queue = (asOf: string) => request(api.server).get('/v1/exceptions').query({ asOf }).set(auth('auditor'));
    for (const beyond of [String(head + 1n), '9223372036854775808', '5965002897811871764484263']) {
      for (const [res, template] of [
        [await queue(beyond), '/v1/exceptions'],
        [await reconciliation('702', beyond), '/v1/orders/{orderId}/reconciliation'],
      ] as const) {
        expect(res.status, `${template} asOf=${beyond}: ${res.text}`).to.equal(400);
        expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
        expectResponseMatchesSpec(res, 'get', template);
        expect(res.body).to.include({ code: 'as_of_beyond_head', headPosition: String(head) });
        expect(res.body.errors).to.deep.equal([
          { field: 'asOf', message: `asOf ${beyond} is beyond the end of the log: the ledger has recorded up to position ${String(head)} so far. Ask for a position up to ${String(head)}, or for a time.` },
        ]);
      }
    }
    const atHead = await queue(String(head));
    expect(atHead.status, atHead.text).to.equal(200);
    expect(atHead.body.asOf.position).to.equal(String(head));
    const order = await reconciliation('702', String(head));
    expect(order.status, order.text).to.equal(200);
    expect(order.body.asOf.position).to.equal(String(head));
  });

  it('asOf errors: 400 for a malformed asOf, 404 for an order not known then', async () => {
    const bad = await reconciliation('701', 'yesterday');
    expectResponseMatchesSpec(bad, 'get', '/v1/orders/{orderId}/reconciliation');
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('asOf');
    const unknown = await reconciliation('702', String(beforeInvoice));
    expect(unknown.status).to.equal(404);
  });

  it('GET /v1/exceptions?asOf: open exceptions then, aged at that moment, by period and bounded', async () => {
    const then = await request(api.server).get('/v1/exceptions').query({ asOf: String(afterInvoice) }).set(auth('finance'));
    expectResponseMatchesSpec(then, 'get', '/v1/exceptions');
    expect(then.status, then.text).to.equal(200);
    expect(then.body.exceptions).to.deep.equal([]);
    const now = await request(api.server).get('/v1/exceptions').query({ asOf: String(afterMismatch), period: '2024-05' }).set(auth('finance'));
    expectResponseMatchesSpec(now, 'get', '/v1/exceptions');
    const mismatch = now.body.exceptions.find((e: { code: string }) => e.code === 'AMOUNT_MISMATCH');
    expect(mismatch).to.include({ orderId: '702', openedAt: '2024-05-04T18:00:00.000Z', ageSeconds: 0 });
    expect(now.body.eventsReplayed).to.equal(Number(afterMismatch));
    const june = await request(api.server).get('/v1/exceptions').query({ asOf: String(afterMismatch), period: '2024-06' }).set(auth('finance'));
    expect(june.body.exceptions).to.deep.equal([]);
    const limited = await request(api.server).get('/v1/exceptions').query({ asOf: String(afterMismatch), limit: '1' }).set(auth('finance'));
    expect(limited.body.exceptions).to.have.length(1);
    const badLimit = await request(api.server).get('/v1/exceptions').query({ asOf: '1', limit: '0' }).set(auth('finance'));
    expect(badLimit.status).to.equal(400);
  });

  it('GET /v1/exceptions?asOf filters by owner, code and status before the limit', async () => {
    const asOf = String(afterMismatch);
    const all = await request(api.server).get('/v1/exceptions').query({ asOf }).set(auth('finance'));
    expect(all.status, all.text).to.equal(200);
    const exceptions = all.body.exceptions as { exceptionId: string; code: string; owner: string; status: string }[];
    const mismatch = exceptions.find((e) => e.code === 'AMOUNT_MISMATCH')!;
    expect(mismatch, 'the fixture has an AMOUNT_MISMATCH').to.not.equal(undefined);
    const ids = (list: { exceptionId: string }[]) => list.map((e) => e.exceptionId);
    const get = async (query: Record<string, string>) => {
      const res = await request(api.server).get('/v1/exceptions').query({ asOf, ...query }).set(auth('finance'));
      expect(res.status, res.text).to.equal(200);
      expectResponseMatchesSpec(res, 'get', '/v1/exceptions');
      return res.body as { exceptions: { exceptionId: string; code: string; owner: string }[]; truncated: boolean };
    };
    expect(ids((await get({ code: 'AMOUNT_MISMATCH' })).exceptions)).to.deep.equal(ids(exceptions.filter((e) => e.code === 'AMOUNT_MISMATCH')));
    expect(ids((await get({ owner: mismatch.owner })).exceptions)).to.deep.equal(ids(exceptions.filter((e) => e.owner === mismatch.owner)));
    const otherOwner = ['finance', 'operations', 'cx'].find((o) => o !== mismatch.owner)!;
    expect(ids((await get({ owner: otherOwner, code: 'AMOUNT_MISMATCH' })).exceptions)).to.deep.equal([]);
    expect(ids((await get({ status: 'open' })).exceptions)).to.deep.equal(ids(exceptions.filter((e) => e.status === 'open')));
    expect((await get({ status: 'resolved' })).exceptions).to.deep.equal([]);
    // the filter applies before the limit: one matching exception comes back even when others sort first
    const one = await get({ code: 'AMOUNT_MISMATCH', limit: '1' });
    expect(ids(one.exceptions)).to.deep.equal([mismatch.exceptionId]);
  });

  it('asOf a time after the ledger clock is a 400 naming asOf (a forecast, not the ledger state); the clock time itself answers', async () => {
    for (const path of ['/v1/orders/701/reconciliation', '/v1/exceptions']) {
      const future = await request(api.server).get(path).query({ asOf: '2024-06-03T08:00:00.001Z' }).set(auth('auditor'));
      expect(future.status, `${path}: ${future.text}`).to.equal(400);
      expect(future.type).to.equal('application/problem+json');
      expect(future.body).to.include({ code: 'as_of_in_future', now: '2024-06-03T08:00:00.000Z' });
      expect(future.body.errors).to.deep.equal([{ field: 'asOf', message: future.body.errors[0].message }]);
      expectResponseMatchesSpec(future, 'get', path === '/v1/exceptions' ? '/v1/exceptions' : '/v1/orders/{orderId}/reconciliation');
      const now = await request(api.server).get(path).query({ asOf: '2024-06-03T10:00:00+02:00' }).set(auth('auditor'));
      expect(now.status, `${path}: ${now.text}`).to.equal(200);
    }
  });

  it('asOf a date or time of day that never was (2024-02-30, T24:00) is a 400 naming asOf, not rolled into the next day', async () => {
    for (const asOf of ['2024-02-30T00:00:00Z', '2024-06-01T24:00:00Z', '2023-02-29T12:00Z']) {
      for (const path of ['/v1/orders/701/reconciliation', '/v1/exceptions']) {
        const res = await request(api.server).get(path).query({ asOf }).set(auth('auditor'));
        expect(res.status, `${path} ${asOf}: ${res.text}`).to.equal(400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['asOf']);
      }
    }
    expect((await request(api.server).get('/v1/orders/701/reconciliation').query({ asOf: '2024-02-29T23:00Z' }).set(auth('auditor'))).status).to.equal(404);
  });
});

