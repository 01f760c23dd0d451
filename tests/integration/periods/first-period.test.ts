import { expect } from 'chai';
import request from 'supertest';
import { previousPeriod } from '../../../src/application/period/period-stream';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';

describe('the first accounting period, 0001-01', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  it('has no month before it', () => {
    expect(previousPeriod('0001-01')).to.equal(undefined);
    expect(previousPeriod('0001-02')).to.equal('0001-01');
    expect(previousPeriod('1000-01')).to.equal('0999-12');
  });

  it('is read, closed and chained like any other (it looked up 0000-12 and answered 400)', async () => {
    const summary = await request(api.server).get('/v1/periods/0001-01').set(auth('finance'));
    expect(summary.status, summary.text).to.equal(200);
    const closed = await request(api.server).post('/v1/periods/0001-01/close').set(auth('finance'));
    expect(closed.status, closed.text).to.equal(201);
    const snapshots = await request(api.server).get('/v1/periods/0001-01/snapshots').set(auth('finance'));
    expect(snapshots.status, snapshots.text).to.equal(200);
    expect(snapshots.body.chain).to.include({ intact: true });
    const adjustments = await request(api.server).get('/v1/periods/0001-01/adjustments').set(auth('finance'));
    expect(adjustments.status, adjustments.text).to.equal(200);
  });
});
