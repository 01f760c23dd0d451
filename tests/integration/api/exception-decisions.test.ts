/**
 * The exception workflow over HTTP (issue 6): `GET /v1/exceptions/{exceptionId}` and
 * `POST /v1/exceptions/{exceptionId}/acknowledge | assign | resolve | reopen` on the real service
 * (embedded stores, live projection runner): happy paths, every validation, `If-Match` (428, 412,
 * `*`), the owner-queue and write-off role rules, percent-encoded ids, concurrent decisions (issue 9
 * race: one wins, the others get 412), and nothing appended on any refused request.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import type { Role } from '../../../src/infrastructure/http/auth/api-keys';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { head } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { postWebhook, scayleOrder, WEBHOOK_ENV } from '../../support/ops';
import { appendErpInvoice, orderSnapshot, seedOrder } from '../../support/order-fixtures';

interface ExceptionItem {
  exceptionId: string;
  code: string;
  owner: string;
  status: string;
  etag: string;
  position: string;
  assignee?: string;
  resolution?: string;
  history: { what: string; by?: string; note?: string; assignee?: string; reason?: string; resolution?: string }[];
  failure?: { failureId: string };
}

const path = (id: string, action?: string) => `/v1/exceptions/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
const ACTION_TEMPLATE = (action: string) => `/v1/exceptions/{exceptionId}/${action}`;

describe('exception decisions (HTTP)', function () {
  this.timeout(60_000);
  let api: ApiTestService;
  let events: EventStore;
  /** Finance AMOUNT_MISMATCH exceptions, one per order, handed out to tests. */
  const finance: string[] = [];
  let syncFailure: ExceptionItem;

  const get = (id: string, role: Role = 'finance') => request(api.server).get(path(id)).set(auth(role));
  const decide = (id: string, action: string, role: Role, body: unknown, ifMatch: string | undefined) => {
    const req = request(api.server).post(path(id, action)).set(auth(role)).set('Content-Type', 'application/json');
    if (ifMatch !== undefined) req.set('If-Match', ifMatch);
    return body === undefined ? req : req.send(JSON.stringify(body));
  };
  const etagOf = async (id: string, role: Role = 'finance') => ((await get(id, role)).body as ExceptionItem).etag;
  /** Sends a request that must be refused, and checks it appended nothing. */
  const refused = async (send: () => Promise<request.Response>, status: number, template: string) => {
    const before = await head(api.service);
    const res = await send();
    expect(res.status, res.text).to.equal(status);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expectResponseMatchesSpec(res, 'post', template);
    expect(await head(api.service), 'nothing appended').to.equal(before);
    return res;
  };

  before(async () => {
    api = await startApiService(WEBHOOK_ENV);
    events = api.service.container.get<EventStore>(TOKENS.EventStore);
    let position = 0n;
    for (const id of ['8101', '8102', '8103', '8104', '8105', '8106']) {
      const order = orderSnapshot(id);
      const stream = await seedOrder(events, order);
      position = await appendErpInvoice(events, stream, { ...order, items: [{ ...order.items[0]!, gross: '129.00', net: '110.00', tax: '19.00' }, order.items[1]!] });
    }
    const failed = await postWebhook(api, 'decisions-902', 'order-confirmed', { ...scayleOrder(902), items: [] }).expect(202);
    position = BigInt(failed.body.position as string) > position ? BigInt(failed.body.position as string) : position;
    const queue = await request(api.server).get(`/v1/exceptions?minPosition=${String(position)}&limit=500`).set(auth('admin'));
    expect(queue.status, queue.text).to.equal(200);
    const items = queue.body.items as ExceptionItem[];
    for (const id of ['8101', '8102', '8103', '8104', '8105', '8106']) {
      const e = items.find((x) => x.code === 'AMOUNT_MISMATCH' && x.exceptionId.startsWith(`order-msde-DE-${id}/`));
      expect(e, `AMOUNT_MISMATCH of ${id}`).to.not.equal(undefined);
      finance.push(e!.exceptionId);
    }
    syncFailure = items.find((x) => x.code === 'SYNC_FAILURE' && x.failure?.failureId === failed.body.failureId)!;
    expect(syncFailure).to.include({ owner: 'operations', status: 'open' });
  });
  after(() => api?.dispose());

  it('every queue item carries its ETag; GET /v1/exceptions/{id} (percent-encoded) answers it as header and body; 304 on If-None-Match', async () => {
    const id = finance[0]!;
    expect(id).to.contain('/');
    const list = await request(api.server).get('/v1/exceptions?owner=finance').set(auth('auditor'));
    expectResponseMatchesSpec(list, 'get', '/v1/exceptions');
    const item = (list.body.items as ExceptionItem[]).find((e) => e.exceptionId === id)!;
    expect(item.etag).to.match(/^"x\d+-[A-Za-z0-9_-]{12}"$/);
    const one = await get(id, 'cx');
    expectResponseMatchesSpec(one, 'get', '/v1/exceptions/{exceptionId}');
    expect(one.status).to.equal(200);
    expect(one.headers.etag).to.equal(item.etag);
    expect(one.body).to.include({ exceptionId: id, etag: item.etag, status: 'open', owner: 'finance', code: 'AMOUNT_MISMATCH' });
    const again = await get(id).set('If-None-Match', item.etag);
    expect(again.status).to.equal(304);
    // Lower-case percent-encoding decodes the same; an unencoded slash is another path (404).
    expect((await request(api.server).get(`/v1/exceptions/${id.replace(/\//g, '%2f')}`).set(auth('finance'))).body.exceptionId).to.equal(id);
    const raw = await request(api.server).get(`/v1/exceptions/${id}`).set(auth('finance'));
    expect(raw.status).to.equal(404);
    const unknown = await get('order-msde-DE-0/AMOUNT_MISMATCH/items/gross');
    expectResponseMatchesSpec(unknown, 'get', '/v1/exceptions/{exceptionId}');
    expect(unknown.status).to.equal(404);
    expect((await get(id).query({ colour: 'red' })).status).to.equal(400);
    expect((await get(id, 'integrator')).status).to.equal(403);
  });

  it('acknowledge → assign → resolve → reopen: each answers the new state, a new ETag and its position; the queue shows it after minPosition', async () => {
    const id = finance[0]!;
    let etag = await etagOf(id);
    const ack = await decide(id, 'acknowledge', 'finance', { note: 'looking into it' }, etag);
    expectResponseMatchesSpec(ack, 'post', ACTION_TEMPLATE('acknowledge'));
    expect(ack.status, ack.text).to.equal(200);
    expect(ack.body.exception).to.include({ exceptionId: id, status: 'acknowledged' });
    expect(ack.body.exception.etag).to.not.equal(etag);
    expect(ack.headers.etag).to.equal(ack.body.exception.etag);
    expect(ack.body.position).to.match(/^\d+$/);
    expect(ack.body.exception.history.at(-1)).to.deep.include({ what: 'acknowledged', note: 'looking into it' });
    expect(ack.body.exception.history.at(-1).by).to.match(/^finance:/);
    const stored = await events.readStream(ack.body.exception.streamId as string, { direction: 'backwards', maxCount: 1 });
    expect(stored[0]).to.deep.include({ type: 'ExceptionAcknowledged', position: BigInt(ack.body.position as string) });
    expect(stored[0]!.metadata).to.include({ source: 'ledger', exceptionId: id });
    etag = ack.body.exception.etag;

    const assign = await decide(id, 'assign', 'finance', { assignee: 'anna@shop.example' }, etag);
    expectResponseMatchesSpec(assign, 'post', ACTION_TEMPLATE('assign'));
    expect(assign.body.exception).to.include({ status: 'assigned', assignee: 'anna@shop.example' });
    etag = assign.body.exception.etag;

    const resolve = await decide(id, 'resolve', 'finance', { resolution: 'corrected_in_erp', note: 'credit memo CM-77 books the difference' }, etag);
    expectResponseMatchesSpec(resolve, 'post', ACTION_TEMPLATE('resolve'));
    expect(resolve.body.exception).to.include({ status: 'resolved', resolution: 'corrected_in_erp' });
    const resolved = await request(api.server).get(`/v1/exceptions?status=resolved&minPosition=${resolve.body.position as string}`).set(auth('finance'));
    expectResponseMatchesSpec(resolved, 'get', '/v1/exceptions');
    expect((resolved.body.items as ExceptionItem[]).map((e) => [e.exceptionId, e.etag])).to.deep.include([id, resolve.body.exception.etag]);
    const active = await request(api.server).get(`/v1/exceptions?owner=finance&minPosition=${resolve.body.position as string}`).set(auth('finance'));
    expect((active.body.items as ExceptionItem[]).map((e) => e.exceptionId)).to.not.include(id);

    const reopen = await decide(id, 'reopen', 'finance', { reason: 'CM-77 was cancelled in the ERP' }, resolve.body.exception.etag);
    expectResponseMatchesSpec(reopen, 'post', ACTION_TEMPLATE('reopen'));
    expect(reopen.body.exception).to.include({ status: 'open' });
    expect(reopen.body.exception).to.not.have.property('resolution');
    expect((reopen.body.exception.history as ExceptionItem['history']).map((h) => h.what)).to.deep.equal(['opened', 'acknowledged', 'assigned', 'resolved', 'reopened']);
  });

  it('acknowledge takes no body at all; If-Match: * decides on the current state', async () => {
    const id = finance[1]!;
    const res = await request(api.server).post(path(id, 'acknowledge')).set(auth('finance')).set('If-Match', '*');
    expectResponseMatchesSpec(res, 'post', ACTION_TEMPLATE('acknowledge'));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.exception.status).to.equal('acknowledged');
    expect(res.body.exception.history.at(-1)).to.not.have.property('note');
  });

  it('If-Match: 428 when missing, 412 (with currentEtag) when stale or weak, 400 when it names no ETag', async () => {
    const id = finance[2]!;
    const etag = await etagOf(id);
    const missing = await refused(() => decide(id, 'acknowledge', 'finance', {}, undefined), 428, ACTION_TEMPLATE('acknowledge'));
    expect(missing.body.errors).to.deep.equal([{ field: 'If-Match', message: 'is required' }]);
    await refused(() => decide(id, 'acknowledge', 'finance', {}, 'not an etag'), 400, ACTION_TEMPLATE('acknowledge'));
    const weak = await refused(() => decide(id, 'acknowledge', 'finance', {}, `W/${etag}`), 412, ACTION_TEMPLATE('acknowledge'));
    expect(weak.body.currentEtag).to.equal(etag);
    const ok = await decide(id, 'acknowledge', 'finance', {}, etag);
    expect(ok.status).to.equal(200);
    const stale = await refused(() => decide(id, 'assign', 'finance', { assignee: 'ben' }, etag), 412, ACTION_TEMPLATE('assign'));
    expect(stale.body.currentEtag).to.equal(ok.body.exception.etag);
    expect(stale.body.type).to.equal('/problems/precondition-failed');
    // One of several listed tags matching is enough.
    const listed = await decide(id, 'assign', 'finance', { assignee: 'ben' }, `${etag}, ${ok.body.exception.etag as string}`);
    expect(listed.status, listed.text).to.equal(200);
  });

  it('validation: every field rule is a 400 naming the field; wrong content type 415; nothing appended', async () => {
    const id = finance[3]!;
    const etag = await etagOf(id);
    const fieldsOf = (res: request.Response) => [...new Set((res.body.errors as { field: string }[]).map((e) => e.field))];
    expect(fieldsOf(await refused(() => decide(id, 'assign', 'finance', {}, etag), 400, ACTION_TEMPLATE('assign')))).to.deep.equal(['assignee']);
    expect(fieldsOf(await refused(() => decide(id, 'assign', 'finance', { assignee: '   ' }, etag), 400, ACTION_TEMPLATE('assign')))).to.deep.equal(['assignee']);
    expect(fieldsOf(await refused(() => decide(id, 'assign', 'finance', { assignee: 'a\u0000b' }, etag), 400, ACTION_TEMPLATE('assign')))).to.deep.equal(['assignee']);
    expect(fieldsOf(await refused(() => decide(id, 'assign', 'finance', { assignee: 'x'.repeat(201) }, etag), 400, ACTION_TEMPLATE('assign')))).to.deep.equal(['assignee']);
    expect(fieldsOf(await refused(() => decide(id, 'assign', 'finance', { assignee: 'ben', team: 'x' }, etag), 400, ACTION_TEMPLATE('assign')))).to.deep.equal(['team']);
    expect(fieldsOf(await refused(() => decide(id, 'assign', 'finance', { assignee: 42 }, etag), 400, ACTION_TEMPLATE('assign')))).to.include('assignee');
    expect(fieldsOf(await refused(() => decide(id, 'resolve', 'finance', { resolution: 'fixed', note: 'n' }, etag), 400, ACTION_TEMPLATE('resolve')))).to.deep.equal(['resolution']);
    expect(fieldsOf(await refused(() => decide(id, 'resolve', 'finance', { resolution: 'accepted' }, etag), 400, ACTION_TEMPLATE('resolve')))).to.include('note');
    expect(fieldsOf(await refused(() => decide(id, 'resolve', 'finance', { resolution: 'accepted', note: '' }, etag), 400, ACTION_TEMPLATE('resolve')))).to.include('note');
    expect(fieldsOf(await refused(() => decide(id, 'reopen', 'finance', {}, etag), 400, ACTION_TEMPLATE('reopen')))).to.include('reason');
    expect(fieldsOf(await refused(() => decide(id, 'acknowledge', 'finance', { note: '' }, etag), 400, ACTION_TEMPLATE('acknowledge')))).to.deep.equal(['note']);
    expect(fieldsOf(await refused(() => decide(id, 'acknowledge', 'finance', [], etag), 400, ACTION_TEMPLATE('acknowledge')))).to.deep.equal(['body']);
    await refused(() => request(api.server).post(path(id, 'resolve')).set(auth('finance')).set('If-Match', etag).set('Content-Type', 'text/plain').send('accepted'), 415, ACTION_TEMPLATE('resolve'));
    await refused(() => request(api.server).post(path(id, 'resolve')).set(auth('finance')).set('If-Match', etag).set('Content-Type', 'application/json').send('{"resolution":'), 400, ACTION_TEMPLATE('resolve'));
  });

  it('404 for an unknown exception; 422 for a decision its status does not allow', async () => {
    await refused(() => decide('order-msde-DE-0/AMOUNT_MISMATCH/items/gross', 'acknowledge', 'admin', {}, '*'), 404, ACTION_TEMPLATE('acknowledge'));
    // An id no exception can have is unknown too, whatever else the request holds (schemathesis: it was a 400).
    const control = await refused(() => decide('order-msde-DE-0\u0001/AMOUNT_MISMATCH', 'assign', 'admin', { assignee: '' }, 'not an etag'), 404, ACTION_TEMPLATE('assign'));
    expect(control.body.code).to.equal('exception_not_found');
    const read = await request(api.server).get(`/v1/exceptions/${encodeURIComponent('x\u007fy')}`).set(auth('finance'));
    expect(read.status, read.text).to.equal(404);
    const id = finance[3]!;
    const res = await refused(() => decide(id, 'reopen', 'finance', { reason: 'why not' }, '*'), 422, ACTION_TEMPLATE('reopen'));
    expect(res.body.code).to.equal('invalid_exception_transition');
  });

  it('roles: each queue decides its own exceptions (403 not-your-queue), admin any; a write-off needs finance (403 otherwise); auditor and integrator never decide', async () => {
    const id = finance[4]!;
    const etag = await etagOf(id);
    const other = await refused(() => decide(id, 'acknowledge', 'operations', {}, etag), 403, ACTION_TEMPLATE('acknowledge'));
    expect(other.body).to.include({ type: '/problems/not-your-queue', owner: 'finance' });
    expect(other.body.requiredRoles).to.deep.equal(['admin', 'finance']);
    const cxWriteOff = await refused(() => decide(id, 'resolve', 'cx', { resolution: 'written_off', note: 'small' }, etag), 403, ACTION_TEMPLATE('resolve'));
    expect(cxWriteOff.body.type).to.equal('/problems/not-your-queue');
    for (const role of ['auditor', 'integrator'] as const) await refused(() => decide(id, 'acknowledge', role, {}, etag), 403, ACTION_TEMPLATE('acknowledge'));

    // operations on its own SYNC_FAILURE: may resolve it, may not write it off.
    const opsEtag = await etagOf(syncFailure.exceptionId, 'operations');
    const opsWriteOff = await refused(() => decide(syncFailure.exceptionId, 'resolve', 'operations', { resolution: 'written_off', note: 'test webhook' }, opsEtag), 403, ACTION_TEMPLATE('resolve'));
    expect(opsWriteOff.body).to.include({ type: '/problems/write-off-needs-finance', code: 'write_off_needs_finance' });
    const opsResolve = await decide(syncFailure.exceptionId, 'resolve', 'operations', { resolution: 'accepted', note: 'a test webhook from the Scayle panel' }, opsEtag);
    expect(opsResolve.status, opsResolve.text).to.equal(200);
    expect(opsResolve.body.exception).to.include({ status: 'resolved', resolution: 'accepted', streamId: `ingest-failure-${syncFailure.failure!.failureId}` });

    // finance writes its own exception off; admin reopens it (any queue).
    const writeOff = await decide(id, 'resolve', 'finance', { resolution: 'written_off', note: '10.00 accepted as a loss' }, etag);
    expectResponseMatchesSpec(writeOff, 'post', ACTION_TEMPLATE('resolve'));
    expect(writeOff.body.exception).to.include({ status: 'written_off', resolution: 'written_off' });
    expect(writeOff.body.exception.history.at(-1)).to.deep.include({ what: 'written_off', resolution: 'written_off', note: '10.00 accepted as a loss' });
    const reopened = await decide(id, 'reopen', 'admin', { reason: 'auditor asked for the correction' }, writeOff.body.exception.etag);
    expect(reopened.body.exception.status).to.equal('open');
  });

  it('concurrent decisions on one exception: exactly one wins, every other gets 412 and appends nothing', async () => {
    const id = finance[5]!;
    const etag = await etagOf(id);
    const stream = ((await get(id)).body as { streamId: string }).streamId;
    const before = (await events.readStream(stream)).length;
    const answers = await Promise.all([
      decide(id, 'acknowledge', 'finance', { note: 'mine' }, etag),
      decide(id, 'assign', 'finance', { assignee: 'anna' }, etag),
      decide(id, 'assign', 'finance', { assignee: 'ben' }, etag),
      decide(id, 'resolve', 'finance', { resolution: 'accepted', note: 'fine' }, etag),
      decide(id, 'acknowledge', 'admin', {}, etag),
    ]);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses, answers.map((a) => a.text).join('\n')).to.deep.equal([200, 412, 412, 412, 412]);
    const winner = answers.find((a) => a.status === 200)!;
    for (const loser of answers.filter((a) => a.status === 412)) {
      expectResponseMatchesSpec(loser, 'post', ACTION_TEMPLATE('acknowledge'));
      expect(loser.body.currentEtag).to.equal(winner.body.exception.etag);
    }
    expect((await events.readStream(stream)).length, 'one decision in the stream').to.equal(before + 1);
  });
});
