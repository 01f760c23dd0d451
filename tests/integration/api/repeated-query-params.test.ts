/**
 * A query parameter given twice is a 400 naming it (`must be given once`) on every route that takes
 * query parameters, as on `/v1/exceptions` and `/v1/reconciliations`: no route guesses which value
 * was meant, and none reports it as a malformed value.
 */
import { expect } from 'chai';
import request from 'supertest';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';

describe('a query parameter given twice is named as such on every route', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  const cases: [path: string, spec: string, query: string, field: string][] = [
    ['/v1/reconciliations', '/v1/reconciliations', 'period=2025-01&period=2025-02', 'period'],
    ['/v1/exceptions', '/v1/exceptions', 'limit=1&limit=2', 'limit'],
    ['/v1/erp/exports', '/v1/erp/exports', 'period=2025-01&period=2025-02', 'period'],
    ['/v1/erp/exports', '/v1/erp/exports', 'limit=1&limit=2', 'limit'],
    ['/v1/outbox', '/v1/outbox', 'limit=1&limit=2', 'limit'],
    ['/v1/outbox', '/v1/outbox', 'status=pending&status=sent', 'status'],
    ['/v1/orders/901/events', '/v1/orders/{orderId}/events', 'limit=1&limit=2', 'limit'],
    ['/v1/orders/901/events', '/v1/orders/{orderId}/events', 'type=RefundRequested&type=OrderInvoiced', 'type'],
    ['/v1/orders/901/reconciliation', '/v1/orders/{orderId}/reconciliation', 'asOf=0&asOf=1', 'asOf'],
    ['/v1/orders/901/reconciliation', '/v1/orders/{orderId}/reconciliation', 'minPosition=0&minPosition=0', 'minPosition'],
    ['/v1/periods/2024-05', '/v1/periods/{period}', 'minPosition=0&minPosition=0', 'minPosition'],
    ['/v1/periods/2024-05/snapshots', '/v1/periods/{period}/snapshots', 'minPosition=0&minPosition=0', 'minPosition'],
    ['/v1/periods/2024-05/adjustments', '/v1/periods/{period}/adjustments', 'snapshotId=a&snapshotId=b', 'snapshotId'],
    ['/v1/periods/2024-05/snapshots/s-1/export', '/v1/periods/{period}/snapshots/{snapshotId}/export', 'format=csv&format=xlsx', 'format'],
    ['/v1/exceptions/x%2FAMOUNT_MISMATCH', '/v1/exceptions/{exceptionId}', 'minPosition=0&minPosition=0', 'minPosition'],
    ['/v1/health', '/v1/health', 'probe=live&probe=ready', 'probe'],
  ];

  for (const [path, spec, query, field] of cases) {
    it(`${path}?${query} → 400 naming ${field}: must be given once`, async () => {
      const res = await request(api.server).get(`${path}?${query}`).set(auth('admin'));
      expect(res.status, res.text).to.equal(400);
      expect(res.type).to.equal('application/problem+json');
      expect(res.body.errors).to.deep.equal([{ field, message: 'must be given once' }]);
      expectResponseMatchesSpec(res, 'get', spec);
    });
  }

  it('lists a repeated parameter with the other invalid ones in one 400; an unknown one stays unknown however often it is given', async () => {
    const res = await request(api.server).get('/v1/outbox?limit=1&limit=2&status=bogus').set(auth('admin'));
    expect(res.status, res.text).to.equal(400);
    expect(res.body.errors).to.deep.equal([
      { field: 'limit', message: 'must be given once' },
      { field: 'status', message: 'must be one of pending, sent, failed' },
    ]);
    const unknown = await request(api.server).get('/v1/outbox?limit=1&limit=2&colour=red&colour=blue').set(auth('admin'));
    expect(unknown.status, unknown.text).to.equal(400);
    expect(unknown.body.errors).to.deep.equal([{ field: 'colour', message: 'is not a parameter of this operation; it takes status, orderId, cursor, limit' }]);
  });

  it('a parameter given once still works', async () => {
    for (const path of ['/v1/outbox?limit=2', '/v1/erp/exports?period=2025-01', '/v1/orders/901/reconciliation?minPosition=0', '/v1/health?probe=live']) {
      const res = await request(api.server).get(path).set(auth('admin'));
      expect(res.status, `${path}: ${res.text}`).to.be.oneOf([200, 404]);
    }
  });
});
