/**
 * A method a served path does not have is a 405 problem with `Allow` from the registered routes;
 * a path no route serves stays a 404.
 */
import { expect } from 'chai';
import request from 'supertest';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { head } from '../../support/ingest';

describe('methods a path does not serve', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  it('answers 405 problem+json with Allow listing the methods the path serves', async () => {
    const before = await head(api.service);
    for (const [method, path, allow] of [
      ['delete', '/v1/ingest/erp/documents', 'POST'],
      ['put', '/v1/reconciliations', 'GET, HEAD'],
      ['delete', '/v1/mappings/tax-codes', 'GET, HEAD, PUT'],
      ['patch', '/v1/orders/901/refunds', 'POST'],
      ['get', '/v1/exceptions/x%2FAMOUNT_MISMATCH/resolve', 'POST'],
      ['delete', '/V1/Reconciliations/', 'GET, HEAD'],
      ['put', '/v1/health', 'GET, HEAD'],
    ] as const) {
      const res = await request(api.server)[method](path).set(auth('admin'));
      expect(res.status, `${method} ${path}: ${res.text}`).to.equal(405);
      expect(res.type).to.equal('application/problem+json');
      expect(res.headers.allow, `${method} ${path}`).to.equal(allow);
      expect(res.body).to.deep.include({ type: '/problems/method-not-allowed', title: 'Method not allowed', status: 405, allow: allow.split(', ') });
      expect(res.body.detail).to.equal(`${method.toUpperCase()} is not a method of ${path}; it serves ${allow}.`);
    }
    expect(await head(api.service), 'nothing appended').to.equal(before);
  });

  it('with a body, a method the path does not serve is still authenticated before the body is read', async () => {
    const anonymous = await request(api.server).delete('/v1/ingest/erp/documents').set('Content-Type', 'application/json').send('{');
    expect(anonymous.status, anonymous.text).to.equal(401);
    const keyed = await request(api.server).delete('/v1/ingest/erp/documents').set(auth('cx')).set('Content-Type', 'application/json').send('{}');
    expect(keyed.status, keyed.text).to.equal(405);
    expect(keyed.headers.allow).to.equal('POST');
  });

  it('unknown paths stay 404 with no Allow header', async () => {
    for (const [method, path] of [
      ['get', '/v1/nothing-here'],
      ['delete', '/v1/orders'],
      ['post', '/v2/reconciliations'],
    ] as const) {
      const res = await request(api.server)[method](path).set(auth('admin'));
      expect(res.status, `${method} ${path}: ${res.text}`).to.equal(404);
      expect(res.type).to.equal('application/problem+json');
      expect(res.headers.allow).to.equal(undefined);
      expect(res.body.type).to.equal('/problems/not-found');
    }
  });

  it('OPTIONS keeps express’s answer: 200 with Allow', async () => {
    const res = await request(api.server).options('/v1/mappings/items').set(auth('admin'));
    expect(res.status).to.equal(200);
    expect(res.headers.allow).to.equal('GET, HEAD, PUT');
  });
});
