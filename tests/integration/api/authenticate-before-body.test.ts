/**
 * A request with a body is authenticated before the body is read: without a valid API key (or, on
 * the webhook route, valid webhook credentials) nobody gets JSON parsed, whatever it sends.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { ApiKeyRegistry } from '../../../src/infrastructure/http/auth/api-keys';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { basicAuth, head, WEBHOOK_PASSWORD, WEBHOOK_USER } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';

describe('authentication before the body is read', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService({ SCAYLE_WEBHOOK_USERNAME: WEBHOOK_USER, SCAYLE_WEBHOOK_PASSWORD: WEBHOOK_PASSWORD });
  });
  after(() => api.dispose());

  const bigBody = `{"x":"${'a'.repeat(1_200_000)}"}`;

  it('a body without credentials is a 401, not a 400 for bad JSON or a 413 for its size: it is never parsed', async () => {
    const before = await head(api.service);
    for (const [path, body] of [
      ['/v1/ingest/erp/documents', '{'],
      ['/v1/ingest/erp/documents', bigBody],
      ['/v1/orders/901/refunds', '{"amount": 1e999'],
      ['/V1/Ingest/ERP/Documents/', '{'],
      ['/v1/ingest/scayle/webhooks', '{'],
      ['/v1/ingest/scayle/webhooks', bigBody],
    ] as const) {
      const res = await request(api.server).post(path).set('Content-Type', 'application/json').send(body);
      expect(res.status, `${path}: ${res.text.slice(0, 200)}`).to.equal(401);
      expect(res.type).to.equal('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['Authorization']);
      expect(res.headers['www-authenticate'], path).to.match(/^(Basic|Bearer) realm=/);
    }
    const wrong = await request(api.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth('scayle', 'wrong')).set('Content-Type', 'application/json').send('{');
    expect(wrong.status).to.equal(401);
    expectResponseMatchesSpec(wrong, 'post', '/v1/ingest/scayle/webhooks');
    const unknownKey = await request(api.server).post('/v1/ingest/erp/documents').set('Authorization', 'Bearer not-a-key-of-this-ledger').set('Content-Type', 'application/json').send('{');
    expect(unknownKey.status).to.equal(401);
    expect(await head(api.service), 'nothing appended').to.equal(before);
  });

  it('with credentials the body is parsed and judged as before (400 bad JSON, 413 too large); the route still checks the role', async () => {
    const bad = await request(api.server).post('/v1/ingest/erp/documents').set(auth('integrator')).set('Content-Type', 'application/json').send('{');
    expect(bad.status, bad.text).to.equal(400);
    const big = await request(api.server).post('/v1/ingest/erp/documents').set(auth('integrator')).set('Content-Type', 'application/json').send(bigBody);
    expect(big.status).to.equal(413);
    const webhook = await request(api.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('Content-Type', 'application/json').send('{');
    expect(webhook.status, webhook.text).to.equal(400);
    const forbidden = await request(api.server).post('/v1/ingest/erp/documents').set(auth('cx')).set('Content-Type', 'application/json').send('{"documentNumber":"X"}');
    expect(forbidden.status, forbidden.text).to.equal(403);
  });

  it('a valid key of a role the route does not admit is a 403 before the body is read: a 1.2 MB or malformed body is never parsed', async () => {
    const before = await head(api.service);
    for (const [role, path, body] of [
      ['auditor', '/v1/ingest/erp/documents', bigBody],
      ['auditor', '/v1/ingest/erp/documents', '{'],
      ['cx', '/V1/Ingest/ERP/Documents/', bigBody],
      ['integrator', '/v1/periods/2024-05/close', bigBody],
      ['auditor', '/v1/orders/901/refunds', '{"amount": 1e999'],
      ['auditor', '/v1/exceptions/x%2FAMOUNT_MISMATCH/resolve', bigBody],
    ] as const) {
      const res = await request(api.server).post(path).set(auth(role)).set('Content-Type', 'application/json').send(body);
      expect(res.status, `${role} ${path}: ${res.text.slice(0, 200)}`).to.equal(403);
      expect(res.type).to.equal('application/problem+json');
      expect(res.body.type).to.equal('/problems/forbidden');
      expect(res.body.requiredRoles, path).to.be.an('array').that.includes('admin').and.not.includes(role);
    }
    const res = await request(api.server).post('/v1/ingest/erp/documents').set(auth('auditor')).set('Content-Type', 'application/json').send(bigBody);
    expectResponseMatchesSpec(res, 'post', '/v1/ingest/erp/documents');
    expect(res.body.detail).to.equal('Role auditor may not POST this resource; allowed: admin, integrator.');
    expect(await head(api.service), 'nothing appended').to.equal(before);
  });

  it('an admitted request is checked once: one key lookup per request, whether or not it has a body', async () => {
    const registry = api.service.container.get<ApiKeyRegistry>(TOKENS.ApiKeys);
    const original = registry.authenticate.bind(registry);
    let lookups = 0;
    registry.authenticate = (presented: string) => {
      lookups += 1;
      return original(presented);
    };
    try {
      const withBody = await request(api.server).put('/v1/mappings/tax-codes').set(auth('finance')).set('Content-Type', 'application/json').send('{');
      expect(withBody.status, withBody.text).to.equal(400);
      expect(lookups, 'PUT with a body').to.equal(1);
      lookups = 0;
      const withoutBody = await request(api.server).get('/v1/reconciliations').set(auth('finance'));
      expect(withoutBody.status, withoutBody.text).to.equal(200);
      expect(lookups, 'GET').to.equal(1);
    } finally {
      registry.authenticate = original;
    }
  });

  it('requests without a body are left to their routes (GETs, health)', async () => {
    expect((await request(api.server).get('/v1/health')).status).to.equal(200);
    expect((await request(api.server).get('/v1/reconciliations')).status).to.equal(401);
    expect((await request(api.server).get('/v1/reconciliations').set(auth('finance'))).status).to.equal(200);
  });
});
