import { expect } from 'chai';
import request from 'supertest';
import { loadOpenApi } from '../../../src/infrastructure/http/openapi';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';

type Node = Record<string, unknown>;
const SAMPLE: Record<string, string> = { orderId: 'order-1', period: '2024-06', snapshotId: '2024-06-v1', exceptionId: 'exc-1', commandId: 'cmd-1', failureId: 'f-1', refundId: 'r-1' };
const BEYOND = '999999999999';

describe('minPosition beyond the end of the log', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  const getOperations = (): { path: string; documented: boolean }[] =>
    Object.entries(loadOpenApi().paths as Record<string, Node>)
      .filter(([, item]) => item.get !== undefined)
      .map(([path, item]) => ({
        path,
        documented: (((item.get as Node).parameters ?? []) as { $ref?: string }[]).some((p) => p.$ref === '#/components/parameters/MinPosition'),
      }));

  it('is a 400 naming minPosition on exactly the GET routes the spec documents it for', async () => {
    const refused: string[] = [];
    for (const { path } of getOperations()) {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? 'x');
      const res = await request(api.server).get(`${url}?minPosition=${BEYOND}`).set(auth('admin'));
      const errors = (res.body as { errors?: { field: string; message: string }[] }).errors ?? [];
      if (res.status === 400 && errors.some((e) => e.field === 'minPosition' && /beyond the end of the log/.test(e.message))) refused.push(path);
    }
    const documented = getOperations().filter((o) => o.documented).map((o) => o.path);
    expect(refused.sort()).to.deep.equal(documented.sort());
    for (const path of ['/v1/orders/{orderId}/events', '/v1/orders/{orderId}/reconciliation', '/v1/freshness', '/v1/periods/{period}/snapshots', '/v1/periods/{period}/snapshots/latest']) {
      expect(refused, path).to.include(path);
    }
  });

  it('answers the routes that read the log with a position up to the head as before', async () => {
    await request(api.server).get('/v1/freshness?minPosition=0').set(auth('operations')).expect(200);
    const res = await request(api.server).get('/v1/periods/2024-06/snapshots?minPosition=0').set(auth('finance')).expect(200);
    expect(res.body.period).to.equal('2024-06');
  });

  it('an empty minPosition (minPosition=) is a 400 naming it on every route that takes it, not "no minPosition"', async () => {
    const documented = getOperations().filter((o) => o.documented);
    expect(documented.length).to.be.greaterThan(5);
    for (const { path } of documented) {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? 'x');
      const res = await request(api.server).get(`${url}?minPosition=`).set(auth('admin'));
      const errors = (res.body as { errors?: { field: string }[] }).errors ?? [];
      expect(res.status, `${path}: ${res.text}`).to.equal(400);
      expect(errors.map((e) => e.field), path).to.include('minPosition');
    }
  });
});

