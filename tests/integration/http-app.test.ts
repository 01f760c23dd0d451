import { expect } from 'chai';
import request from 'supertest';
import { LedgerService } from '../../src/infrastructure/service';
import { tempDir } from '../support/temp-dir';
import { testConfig } from '../support/test-config';

const ADMIN_KEY = 'http-app-admin-key-0123456789';

describe('HTTP app foundation', () => {
  const dir = tempDir();
  let service: LedgerService;

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, { LEDGER_BODY_LIMIT: '1kb', LEDGER_API_KEYS: `admin:${ADMIN_KEY}` }), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  it('GET /v1/health reports liveness, readiness and the active event-store adapter', async () => {
    const res = await request(service.server).get('/v1/health').expect(200);
    expect(res.body).to.include({ status: 'ok', live: true, ready: true });
    expect(res.body.checks).to.have.length.greaterThan(0);
    expect(res.body.checks[0]).to.include({ name: 'event-store', kind: 'sqlite', ok: true });
  });

  it('answers unknown routes with a 404 problem naming the route', async () => {
    const res = await request(service.server).get('/v1/nowhere').expect(404);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.body).to.include({ status: 404, title: 'Not found', instance: '/v1/nowhere' });
    expect(res.body.detail).to.equal('No route for GET /v1/nowhere.');
  });

  it('answers malformed JSON with 400 and bodies over the limit with 413, both as problems (for a caller with an API key: others get 401 before the body is read)', async () => {
    await request(service.server).post('/v1/anything').set('content-type', 'application/json').send('{"a":').expect(401);
    const bad = await request(service.server).post('/v1/anything').set('authorization', `Bearer ${ADMIN_KEY}`).set('content-type', 'application/json').send('{"a":').expect(400);
    expect(bad.body.type).to.equal('/problems/malformed-json');
    expect(bad.body.errors).to.deep.equal([{ field: 'body', message: 'not valid JSON' }]);
    const big = await request(service.server)
      .post('/v1/anything')
      .set('authorization', `Bearer ${ADMIN_KEY}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(2048) }))
      .expect(413);
    expect(big.body).to.include({ status: 413, type: '/problems/payload-too-large' });
  });

  it('echoes a sane X-Correlation-Id and replaces an unsafe one', async () => {
    const given = await request(service.server).get('/v1/health').set('X-Correlation-Id', 'abc-123');
    expect(given.headers['x-correlation-id']).to.equal('abc-123');
    const unsafe = await request(service.server).get('/v1/health').set('X-Correlation-Id', 'bad id\twith spaces');
    expect(unsafe.headers['x-correlation-id']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    const res = await request(service.server).get('/v1/health');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers).to.not.have.property('x-powered-by');
  });
});
