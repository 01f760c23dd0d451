import { expect } from 'chai';
import request from 'supertest';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { NOT_HANDED_OUT_MESSAGE } from '../../../src/infrastructure/http/pagination';

describe('read-model queries: a bad query parameter is named with what it expects', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  it('GET /v1/exceptions: limit, status, owner, code, period, cursor and repeated parameters; an unknown one is named on its own', async () => {
    const res = await request(api.server)
      .get('/v1/exceptions?limit=0&status=bogus&owner=finance&owner=cx&code=NOPE&period=2024-13&cursor=%2F')
      .set(auth('finance'))
      .expect(400);
    expectResponseMatchesSpec(res, 'get', '/v1/exceptions');
    expect(res.body.errors).to.deep.equal([
      { field: 'limit', message: 'must be a whole number from 1 to 500' },
      { field: 'status', message: 'must be one of open, acknowledged, assigned, resolved, written_off, auto_resolved' },
      { field: 'owner', message: 'must be given once' },
      { field: 'code', message: 'must be a finding code such as AMOUNT_MISMATCH' },
      { field: 'period', message: 'must be YYYY-MM' },
      { field: 'cursor', message: NOT_HANDED_OUT_MESSAGE },
    ]);
    // An unknown name is answered before the values are judged: a misspelled filter is the question to settle first.
    const unknown = await request(api.server).get('/v1/exceptions?limit=0&colour=red').set(auth('finance')).expect(400);
    expectResponseMatchesSpec(unknown, 'get', '/v1/exceptions');
    expect(unknown.body.errors).to.deep.equal([{ field: 'colour', message: 'is not a parameter of this operation; it takes asOf, period, limit, owner, code, status, cursor, minPosition' }]);
  });

  it('GET /v1/exceptions?asOf=…: the same checks as the live queue (owner, code, status, period, cursor, repeated and unknown parameters)', async () => {
    const res = await request(api.server)
      .get('/v1/exceptions?asOf=0&limit=0&status=bogus&owner=finance&owner=cx&code=NOPE&period=2024-13&cursor=%2F')
      .set(auth('finance'))
      .expect(400);
    expectResponseMatchesSpec(res, 'get', '/v1/exceptions');
    const notPaged = 'is not a cursor of this list: answers with asOf are not paged (they hand out no nextCursor); leave cursor out, and raise limit (up to 1000) when truncated is true';
    expect(res.body.errors).to.deep.equal([
      { field: 'limit', message: 'must be a whole number from 1 to 1000' },
      { field: 'status', message: 'must be one of open, acknowledged, assigned, resolved, written_off, auto_resolved' },
      { field: 'owner', message: 'must be given once' },
      { field: 'code', message: 'must be a finding code such as AMOUNT_MISMATCH' },
      { field: 'period', message: 'must be YYYY-MM' },
      { field: 'cursor', message: notPaged },
    ]);
    // An unknown name is answered before the values are judged: a misspelled filter is the question to settle first.
    const unknown = await request(api.server).get('/v1/exceptions?asOf=0&limit=0&colour=red').set(auth('finance')).expect(400);
    expectResponseMatchesSpec(unknown, 'get', '/v1/exceptions');
    expect(unknown.body.errors).to.deep.equal([{ field: 'colour', message: 'is not a parameter of this operation; it takes asOf, period, limit, owner, code, status, cursor, minPosition' }]);
    for (const bad of [{ owner: 'bogus' }, { owner: '' }, { code: 'nope' }, { status: 'closed' }, { period: '0000-01' }, { asOf: ['1', '2'] }]) {
      const one = await request(api.server).get('/v1/exceptions').query({ asOf: '0', ...bad }).set(auth('finance'));
      expect(one.status, `${JSON.stringify(bad)}: ${one.text}`).to.equal(400);
      expectResponseMatchesSpec(one, 'get', '/v1/exceptions');
      expect(one.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(Object.keys(bad));
    }
    // No cursor is one of an asOf answer's (it hands out none): a well-formed one, even a live one, is refused alike.
    const forged = Buffer.from(JSON.stringify(['2024-05-01T00:00:00.000Z', 'x']), 'utf8').toString('base64url');
    for (const cursor of [forged, 'abc', '']) {
      const one = await request(api.server).get('/v1/exceptions').query({ asOf: '0', cursor }).set(auth('finance'));
      expect(one.status, `cursor=${cursor}: ${one.text}`).to.equal(400);
      expect(one.body.errors).to.deep.equal([{ field: 'cursor', message: notPaged }]);
    }
    const beyond = await request(api.server).get('/v1/exceptions').query({ asOf: '0', minPosition: '1' }).set(auth('finance'));
    expect(beyond.status, beyond.text).to.equal(400);
    expect(beyond.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['minPosition']);
    // Good values pass (owner, code and status filter the live queue only, as documented).
    const ok = await request(api.server).get('/v1/exceptions').query({ asOf: '0', owner: 'finance', code: 'AMOUNT_MISMATCH', status: 'open', period: '2024-05', limit: '1000', minPosition: '0' }).set(auth('finance'));
    expect(ok.status, ok.text).to.equal(200);
    expectResponseMatchesSpec(ok, 'get', '/v1/exceptions');
    expect(ok.body).to.deep.include({ exceptions: [], truncated: false, period: '2024-05' });
  });

  it('period of year 0000 is refused by the live queue and the reconciliations as by the asOf form (the spec pattern)', async () => {
    for (const path of ['/v1/exceptions', '/v1/reconciliations']) {
      const res = await request(api.server).get(path).query({ period: '0000-01' }).set(auth('finance'));
      expect(res.status, `${path}: ${res.text}`).to.equal(400);
      expect(res.body.errors).to.deep.equal([{ field: 'period', message: 'must be YYYY-MM' }]);
    }
    const exports = await request(api.server).get('/v1/erp/exports').query({ period: '0000-01' }).set(auth('finance'));
    expect(exports.status, exports.text).to.equal(400);
    expect(exports.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['period']);
    expect((await request(api.server).get('/v1/periods/0000-01/adjustments').set(auth('finance'))).status).to.equal(400);
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
