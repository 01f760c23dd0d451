/**
 * Dismissing a failed record (`POST /v1/ingest/failures/{failureId}/dismiss`, issue 4): operations
 * find failed records in the exception queue (`SYNC_FAILURE` with `failure.failureId`), dismiss one
 * with a reason, and its exception is resolved as accepted; a record that no longer waits is refused.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { Role } from '../../../src/infrastructure/http/auth/api-keys';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { head, streamEvents } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { postWebhook, scayleOrder, WEBHOOK_ENV } from '../../support/ops';

const TEMPLATE = '/v1/ingest/failures/{failureId}/dismiss';

interface QueueItem {
  exceptionId: string;
  status: string;
  resolution?: string;
  etag: string;
  failure?: { failureId: string; reason: string };
  history: { what: string; by?: string; note?: string; resolution?: string }[];
}

describe('ingest: dismissing a failed record', function () {
  this.timeout(30_000);
  let api: ApiTestService;
  let n = 0;

  const fail = async (): Promise<{ failureId: string; position: string }> => {
    n++;
    const res = await postWebhook(api, `dismiss-${n}`, 'order-confirmed', { ...scayleOrder(9300 + n), items: [] }).expect(202);
    expect(res.body.status).to.equal('failed');
    return { failureId: res.body.failureId as string, position: res.body.position as string };
  };
  const dismiss = (failureId: string, body: unknown, role: Role = 'operations') =>
    request(api.server).post(`/v1/ingest/failures/${failureId}/dismiss`).set(auth(role)).set('Content-Type', 'application/json').send(JSON.stringify(body));
  const exceptionOf = async (failureId: string, minPosition: string): Promise<QueueItem> => {
    const res = await request(api.server).get(`/v1/exceptions?owner=operations&code=SYNC_FAILURE&minPosition=${minPosition}`).set(auth('operations'));
    expect(res.status, res.text).to.equal(200);
    const active = (res.body.items as QueueItem[]).find((e) => e.failure?.failureId === failureId);
    if (active) return active;
    for (const status of ['resolved', 'written_off', 'auto_resolved']) {
      const closed = await request(api.server).get(`/v1/exceptions?owner=operations&code=SYNC_FAILURE&status=${status}&minPosition=${minPosition}`).set(auth('operations'));
      const hit = (closed.body.items as QueueItem[]).find((e) => e.failure?.failureId === failureId);
      if (hit) return hit;
    }
    throw new Error(`no SYNC_FAILURE exception for ${failureId}`);
  };
  const refused = async (send: () => Promise<request.Response>, status: number) => {
    const before = await head(api.service);
    const res = await send();
    expect(res.status, res.text).to.equal(status);
    expectResponseMatchesSpec(res, 'post', TEMPLATE);
    expect(await head(api.service), 'nothing appended').to.equal(before);
    return res;
  };

  before(async () => {
    api = await startApiService(WEBHOOK_ENV);
  });
  after(() => api?.dispose());

  it('the failed record is in the operations queue; dismissing it records who and why and resolves its exception as accepted', async () => {
    const { failureId, position } = await fail();
    const open = await exceptionOf(failureId, position);
    expect(open).to.include({ status: 'open' });
    expect(open.failure!.reason).to.equal('order_without_items');

    const res = await dismiss(failureId, { reason: 'test webhook sent from the Scayle panel' });
    expectResponseMatchesSpec(res, 'post', TEMPLATE);
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ failureId, status: 'dismissed', reason: 'test webhook sent from the Scayle panel' });
    expect(res.body.dismissedBy).to.match(/^operations:/);
    const stored = await streamEvents(api.service, `ingest-failure-${failureId}`);
    expect(stored.map((e) => e.type)).to.deep.equal(['IngestionFailed', 'IngestionFailureDismissed']);
    expect(stored[1]!.position).to.equal(BigInt(res.body.position as string));
    expect(stored[1]!.metadata).to.include({ source: 'ledger', causationId: stored[0]!.id });

    const resolved = await exceptionOf(failureId, res.body.position as string);
    expect(resolved).to.include({ status: 'resolved', resolution: 'accepted' });
    expect(resolved.history.at(-1)).to.deep.include({ what: 'resolved', resolution: 'accepted', note: 'dismissed: test webhook sent from the Scayle panel' });
  });

  it('a record that no longer waits is refused (422 failure_not_open): dismissed, or resolved through the exception workflow until reopened', async () => {
    const first = await fail();
    const ok = await dismiss(first.failureId, { reason: 'duplicate test' });
    expect(ok.status).to.equal(200);
    const twice = await refused(() => dismiss(first.failureId, { reason: 'again' }), 422);
    expect(twice.body).to.include({ code: 'failure_not_open', closedBy: 'dismissed' });
    const retried = await refused(() => request(api.server).post(`/v1/ingest/failures/${first.failureId}/retry`).set(auth('operations')), 422);
    expect(retried.body).to.include({ code: 'failure_not_open', closedBy: 'dismissed' });

    const second = await fail();
    const exception = await exceptionOf(second.failureId, second.position);
    const url = `/v1/exceptions/${encodeURIComponent(exception.exceptionId)}`;
    const resolve = await request(api.server).post(`${url}/resolve`).set(auth('operations')).set('If-Match', exception.etag).send({ resolution: 'accepted', note: 'handled by hand' });
    expect(resolve.status, resolve.text).to.equal(200);
    const closed = await refused(() => dismiss(second.failureId, { reason: 'not needed' }), 422);
    expect(closed.body.closedBy).to.equal('resolved');
    const reopen = await request(api.server).post(`${url}/reopen`).set(auth('operations')).set('If-Match', resolve.body.exception.etag as string).send({ reason: 'wrongly resolved' });
    expect(reopen.status, reopen.text).to.equal(200);
    const dismissed = await dismiss(second.failureId, { reason: 'not needed after all' }, 'admin');
    expect(dismissed.status, dismissed.text).to.equal(200);
    expect(dismissed.body.dismissedBy).to.match(/^admin:/);
  });

  it('takes the failure id in upper case too (a UUID is case-insensitive; the spec says format: uuid)', async () => {
    const { failureId } = await fail();
    const res = await dismiss(failureId.toUpperCase(), { reason: 'sent by hand from the panel' });
    expect(res.status, res.text).to.equal(200);
    expectResponseMatchesSpec(res, 'post', TEMPLATE);
    expect(res.body).to.include({ failureId, status: 'dismissed' });
    expect((await streamEvents(api.service, `ingest-failure-${failureId}`)).map((e) => e.type)).to.deep.equal(['IngestionFailed', 'IngestionFailureDismissed']);
  });

  it('validation, roles and unknown records: 400 / 415 / 403 / 404, nothing appended', async () => {
    const { failureId } = await fail();
    const fields = (res: request.Response) => [...new Set((res.body.errors as { field: string }[]).map((e) => e.field))];
    expect(fields(await refused(() => dismiss(failureId, {}), 400))).to.deep.equal(['reason']);
    expect(fields(await refused(() => dismiss(failureId, { reason: '  ' }), 400))).to.deep.equal(['reason']);
    expect(fields(await refused(() => dismiss(failureId, { reason: 'x', force: true }), 400))).to.deep.equal(['force']);
    expect(fields(await refused(() => dismiss(failureId, { reason: 7 }), 400))).to.deep.equal(['reason']);
    expect(fields(await refused(() => dismiss('not-a-uuid', { reason: 'x' }), 400))).to.deep.equal(['failureId']);
    await refused(() => request(api.server).post(`/v1/ingest/failures/${failureId}/dismiss`).set(auth('operations')).set('Content-Type', 'text/plain').send('not needed'), 415);
    await refused(() => dismiss('00000000-0000-4000-8000-000000000000', { reason: 'x' }), 404);
    for (const role of ['finance', 'cx', 'auditor', 'integrator'] as const) await refused(() => dismiss(failureId, { reason: 'x' }, role), 403);
  });
});
