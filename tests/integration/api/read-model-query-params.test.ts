import { expect } from 'chai';
import request from 'supertest';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';

describe('read-model queries: a bad query parameter is named with what it expects', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  it('GET /v1/exceptions: limit, status, owner, code, period, cursor, repeated and unknown parameters', async () => {
    const res = await request(api.server)
      .get('/v1/exceptions?limit=0&status=bogus&owner=finance&owner=cx&code=NOPE&period=2024-13&cursor=%2F&colour=red')
      .set(auth('finance'))
      .expect(400);
    expectResponseMatchesSpec(res, 'get', '/v1/exceptions');
    expect(res.body.errors).to.deep.equal([
      { field: 'limit', message: 'must be a whole number from 1 to 500' },
      { field: 'status', message: 'must be one of open, acknowledged, assigned, resolved, written_off, auto_resolved' },
      { field: 'owner', message: 'must be given once' },
      { field: 'code', message: 'must be a finding code such as AMOUNT_MISMATCH' },
      { field: 'period', message: 'must be YYYY-MM' },
      { field: 'cursor', message: 'must be the nextCursor of the previous page, unchanged' },
      { field: 'colour', message: 'is not a parameter of this query' },
    ]);
  });

  it('GET /v1/reconciliations: a status outside the list names the list', async () => {
    const res = await request(api.server).get('/v1/reconciliations?status=ok&limit=501').set(auth('auditor')).expect(400);
    expect(res.body.errors).to.deep.equal([
      { field: 'status', message: 'must be one of matched, matched_with_rounding, pending, drift' },
      { field: 'limit', message: 'must be a whole number from 1 to 500' },
    ]);
  });

  it('every paged list takes limit 1–500 and refuses 0 and 501 naming limit (outbox, ERP exports, order events)', async () => {
    for (const path of ['/v1/outbox', '/v1/erp/exports', '/v1/orders/901/events']) {
      for (const bad of ['0', '501', '999']) {
        const res = await request(api.server).get(`${path}?limit=${bad}`).set(auth('finance'));
        expect(res.status, `${path} limit=${bad}: ${res.text}`).to.equal(400);
        expect(res.body.errors.map((e: { field: string }) => e.field), path).to.include('limit');
      }
      const ok = await request(api.server).get(`${path}?limit=500`).set(auth('finance'));
      expect(ok.status, `${path} limit=500: ${ok.text}`).to.not.equal(400);
    }
  });
});
