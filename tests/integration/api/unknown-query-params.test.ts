/**
 * An unknown or misspelled query parameter is never ignored: on every operation of
 * openapi/openapi.yaml it is a 400 naming it and listing what the operation takes, before the body is
 * read (a command appends nothing, whatever its body), and every parameter the document declares is
 * still taken.
 */
import { expect } from 'chai';
import request from 'supertest';
import { ROUTE_ROLES, type GuardedRoute } from '../../../src/infrastructure/http/auth/route-roles';
import { loadOpenApi } from '../../../src/infrastructure/http/openapi';
import { declaredQueryParameters } from '../../../src/infrastructure/http/query-parameters';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { basicAuth, head, WEBHOOK_PASSWORD, WEBHOOK_USER } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const SAMPLE_PARAMS: Record<string, string> = { orderId: '901', exceptionId: 'no-such-exception', period: '2024-05', commandId: 'c-1', refundId: 'r-1', snapshotId: 's-1', failureId: 'f-1' };

/** Every operation of the document, `METHOD /path/{param}`. */
const OPERATIONS = Object.entries(loadOpenApi().paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((m) => HTTP_METHODS.includes(m))
    .map((m) => `${m.toUpperCase()} ${path}`),
);

/** A request to `route` with `query`, with the credentials of a role the route admits (none on the public health route). */
function call(api: ApiTestService, route: string, query: string, body?: string) {
  const [method, template] = route.split(' ') as [string, string];
  const path = `${template.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x')}?${query}`;
  const agent = request(api.server);
  let req = method === 'GET' ? agent.get(path) : method === 'PUT' ? agent.put(path) : agent.post(path);
  if (route === 'POST /v1/ingest/scayle/webhooks') req = req.set('Authorization', basicAuth());
  else if (route in ROUTE_ROLES) req = req.set(auth(ROUTE_ROLES[route as GuardedRoute][0]!));
  return method === 'GET' ? req : req.set('Content-Type', 'application/json').send(body ?? '{}');
}

describe('unknown query parameters: a 400 naming them on every operation', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService({ SCAYLE_WEBHOOK_USERNAME: WEBHOOK_USER, SCAYLE_WEBHOOK_PASSWORD: WEBHOOK_PASSWORD });
  });
  after(() => api.dispose());

  it('covers the whole document (no operation without a declared parameter list)', () => {
    expect(OPERATIONS.length).to.be.greaterThan(30);
    for (const route of OPERATIONS) expect(declaredQueryParameters().get(route), route).to.be.an('array');
  });

  for (const route of OPERATIONS) {
    it(`${route}?colour=red is a 400 naming colour${route.startsWith('GET ') ? '' : ', and nothing is appended'}`, async () => {
      const before = await head(api.service);
      const res = await call(api, route, 'colour=red');
      expect(res.status, `${route}: ${res.text}`).to.equal(400);
      expect(res.type).to.equal('application/problem+json');
      const takes = declaredQueryParameters().get(route)!;
      expect(res.body.errors).to.deep.equal([{ field: 'colour', message: `is not a parameter of this operation; it takes ${takes.length > 0 ? takes.join(', ') : 'none'}` }]);
      const [method, template] = route.split(' ') as [string, string];
      expectResponseMatchesSpec(res, method.toLowerCase(), template);
      expect(await head(api.service), 'nothing appended').to.equal(before);
    });
  }

  it('names every unknown parameter, in query order, and a misspelled one is not taken for the right one', async () => {
    const res = await request(api.server).get('/v1/exceptions?ownr=finance&limit=5&perod=2024-05').set(auth('finance'));
    expect(res.status).to.equal(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['ownr', 'perod']);
    expect(res.body.errors[0].message).to.equal('is not a parameter of this operation; it takes asOf, period, limit, owner, code, status, cursor, minPosition');
  });

  it('minPosition is refused where the operation does not take it (it was skipped on PSP settlements)', async () => {
    const before = await head(api.service);
    const res = await request(api.server).post('/v1/ingest/psp/settlements?minPosition=1').set(auth('integrator')).set('Content-Type', 'application/json').send('{}');
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([{ field: 'minPosition', message: 'is not a parameter of this operation; it takes provider, batchId, currency, payoutDate, payoutAmount' }]);
    expect(await head(api.service)).to.equal(before);
  });

  it('comes before the body is read: a malformed body with an unknown parameter is the parameter’s 400', async () => {
    for (const route of ['POST /v1/orders/{orderId}/refunds', 'POST /v1/ingest/erp/documents', 'POST /v1/ingest/scayle/webhooks', 'PUT /v1/mappings/items']) {
      const res = await call(api, route, 'dryRun=true', '{');
      expect(res.status, route).to.equal(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), route).to.deep.equal(['dryRun']);
    }
  });

  it('a query key or value whose percent-decoding is not UTF-8 is a 400 naming it, never stored as U+FFFD (re-trial: batchId=Q%FF1 became Q\uFFFD1 and Q%FE1 collided with it)', async () => {
    const before = await head(api.service);
    const csv = 'lineId,type,paymentReference,gross,fee,net,currency,bookedAt\nL1,capture,t1,1.00,0.03,0.97,EUR,2024-06-06T09:00:00Z';
    for (const [query, field] of [
      ['provider=adyen&batchId=Q%FF1&currency=EUR&payoutDate=2024-06-06&payoutAmount=0.97', 'batchId'],
      ['provider=adyen&batchId=Q%FE1&currency=EUR&payoutDate=2024-06-06&payoutAmount=0.97', 'batchId'],
      ['provider=adyen&batchId=Q%C3&currency=EUR&payoutDate=2024-06-06&payoutAmount=0.97', 'batchId'],
      ['provider=adyen&batchId=Q%ED%A0%801&currency=EUR&payoutDate=2024-06-06&payoutAmount=0.97', 'batchId'],
    ] as const) {
      const res = await request(api.server).post(`/v1/ingest/psp/settlements?${query}`).set(auth('integrator')).set('Content-Type', 'text/csv').send(csv);
      expect(res.status, `${query}: ${res.text}`).to.equal(400);
      expect(res.type).to.equal('application/problem+json');
      expect(res.body.errors).to.deep.equal([{ field, message: 'is not valid UTF-8 once percent-decoded' }]);
    }
    const key = await request(api.server).get('/v1/exceptions?own%FFer=finance').set(auth('finance'));
    expect(key.status).to.equal(400);
    expect(key.body.errors).to.deep.equal([{ field: 'own%FFer', message: 'is not valid UTF-8 once percent-decoded' }]);
    expect(await head(api.service), 'nothing appended').to.equal(before);
    // Valid UTF-8, a literal % not followed by two hex digits, and + stay values as before.
    const ok = await request(api.server).get('/v1/exceptions?owner=finance&code=%C3%A9').set(auth('finance'));
    expect(ok.body.errors ?? [], ok.text).to.not.deep.include({ field: 'code', message: 'is not valid UTF-8 once percent-decoded' });
    const pct = await request(api.server).get('/v1/exceptions?owner=finance&code=100%').set(auth('finance'));
    expect((pct.body.errors ?? []).map((e: { message: string }) => e.message)).to.not.include('is not valid UTF-8 once percent-decoded');
  });

  it('comes after authentication: without a key it is still a 401, with a role the route does not admit a 403', async () => {
    const anonymous = await request(api.server).get('/v1/freshness?colour=red');
    expect(anonymous.status).to.equal(401);
    const forbidden = await request(api.server).get('/metrics?colour=red').set(auth('cx'));
    expect(forbidden.status).to.equal(403);
  });

  it('GET /v1/health?probe=live still answers 200; /docs is not an API route and is left alone', async () => {
    expect((await request(api.server).get('/v1/health?probe=live')).status).to.equal(200);
    expect((await request(api.server).get('/docs/?colour=red')).status).to.equal(200);
  });

  it('query messages do not repeat the field errors[].field names, on DTO-read routes as on the others', async () => {
    const res = await request(api.server).get(`/v1/erp/exports?status=bogus&period=2024-13&orderId=${'x'.repeat(65)}`).set(auth('finance'));
    expect(res.status).to.equal(400);
    expectResponseMatchesSpec(res, 'get', '/v1/erp/exports');
    expect(res.body.errors).to.deep.equal([
      { field: 'status', message: 'must be one of pending, blocked, exported, failed' },
      { field: 'period', message: 'must be YYYY-MM' },
      { field: 'orderId', message: 'must be shorter than or equal to 64 characters' },
    ]);
    const outbox = await request(api.server).get('/v1/outbox?status=bogus').set(auth('finance'));
    expect(outbox.body.errors).to.deep.equal([{ field: 'status', message: 'must be one of pending, sent, failed' }]);
    const reconciliations = await request(api.server).get('/v1/reconciliations?status=bogus').set(auth('finance'));
    expect(reconciliations.body.errors).to.deep.equal([{ field: 'status', message: 'must be one of matched, matched_with_rounding, pending, drift' }]);
  });

  it('takes every parameter the document declares (none of them is refused as unknown)', async () => {
    for (const route of OPERATIONS) {
      for (const name of declaredQueryParameters().get(route)!) {
        const res = await call(api, route, `${name}=x`);
        const unknown = ((res.body?.errors ?? []) as { field: string; message: string }[]).filter((e) => e.field === name && /not a parameter|should not exist/.test(e.message));
        expect(unknown, `${route}?${name}=x: ${res.text}`).to.deep.equal([]);
      }
    }
  });
});
