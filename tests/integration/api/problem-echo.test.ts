import { expect } from 'chai';
import request from 'supertest';
import { capEchoes } from '../../../src/infrastructure/http/problem-details';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';

describe('problem details cap the identifiers they echo', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  const capped = `${'x'.repeat(200)}…`;
  const noLongRun = (text: string) => expect(text).to.not.match(/x{201}/);

  it('a 999-character exception id: detail and errors[].message show its first 200 characters and "…", instance the first 200 of the path', async () => {
    const res = await request(api.server).get(`/v1/exceptions/${'x'.repeat(999)}`).set(auth('finance')).expect(404);
    noLongRun(res.text);
    expect(res.body.detail).to.equal(`No exception ${capped}`);
    expect(res.body.errors).to.deep.equal([{ field: 'exceptionId', message: `No exception ${capped}` }]);
    expect(res.body.instance).to.equal(`${`/v1/exceptions/${'x'.repeat(999)}`.slice(0, 200)}…`);
  });

  it('a 5,000-character id is never echoed in full, on any route', async () => {
    const long = 'x'.repeat(5000);
    const answers = await Promise.all([
      request(api.server).get(`/v1/exceptions/${long}`).set(auth('finance')),
      request(api.server).post(`/v1/exceptions/${long}/acknowledge`).set(auth('finance')).set('If-Match', '*'),
      request(api.server).get(`/v1/orders/${long}/reconciliation`).set(auth('finance')),
      request(api.server).get(`/v1/orders/${long}/events`).set(auth('finance')),
      request(api.server).post(`/v1/outbox/${long}/retry`).set(auth('operations')),
      request(api.server).get(`/v1/no-such-route/${long}`).set(auth('finance')),
    ]);
    for (const res of answers) {
      expect(res.status, res.text.slice(0, 300)).to.be.within(400, 499);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      noLongRun(res.text);
    }
  });

  it('leaves ordinary ids as they are', async () => {
    const res = await request(api.server).get('/v1/exceptions/order-1%2FAMOUNT_MISMATCH%2Fitems%2Fgross').set(auth('finance')).expect(404);
    expect(res.body.detail).to.equal('No exception order-1/AMOUNT_MISMATCH/items/gross');
  });
});

describe('capEchoes', () => {
  it('cuts every run of more than 200 non-space characters to 200 and "…", counting code points', () => {
    expect(capEchoes(`a ${'y'.repeat(200)} b`)).to.equal(`a ${'y'.repeat(200)} b`);
    expect(capEchoes(`No order ${'y'.repeat(201)} is known`)).to.equal(`No order ${'y'.repeat(200)}… is known`);
    expect(capEchoes('😀'.repeat(300))).to.equal(`${'😀'.repeat(200)}…`);
  });
});
