/**
 * The as-of exception queue lists failed records (`SYNC_FAILURE` of `ingest-failure-<failureId>`) as
 * they stood at the point asked: absent before the record failed, open (or acknowledged…) while it
 * waited, gone once it was dismissed or retried successfully — the rows and filters the live queue has.
 */
import { expect } from 'chai';
import request from 'supertest';
import { v5 as uuidv5 } from 'uuid';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { localeEnvelope, storeOf } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { postWebhook, scayleOrder, WEBHOOK_ENV } from '../../support/ops';

interface AsOfItem {
  exceptionId: string;
  code: string;
  owner: string;
  severity: string;
  subject: string;
  component: string;
  status: string;
  openedAt: string;
  ageSeconds: number;
  explanation: string;
  failure?: { failureId: string; source: string; recordKind: string; reason: string; subject?: string };
}

describe('as-of exception queue: failed records (SYNC_FAILURE of ingest-failure-…)', function () {
  this.timeout(30_000);
  let api: ApiTestService;
  let beforeFailure: string;
  let failed: { failureId: string; position: string };
  let afterGood: string;
  let dismissedAt: string;
  let second: { failureId: string; position: string };
  let acknowledgedAt: string;
  let kept: string;
  let keptAt: string;
  let retriedAt: string;

  const asOfQueue = async (asOf: string, query: Record<string, string> = {}) => {
    const res = await request(api.server).get('/v1/exceptions').query({ asOf, ...query }).set(auth('auditor'));
    expect(res.status, res.text).to.equal(200);
    expectResponseMatchesSpec(res, 'get', '/v1/exceptions');
    return res.body as { exceptions: AsOfItem[]; truncated: boolean };
  };
  const failureIds = (items: AsOfItem[]) => items.filter((e) => e.code === 'SYNC_FAILURE').map((e) => e.failure?.failureId);
  const liveQueue = async (minPosition: string, query: Record<string, string> = {}) => {
    const res = await request(api.server).get('/v1/exceptions').query({ owner: 'operations', code: 'SYNC_FAILURE', minPosition, ...query }).set(auth('operations'));
    expect(res.status, res.text).to.equal(200);
    return res.body.items as (AsOfItem & { etag: string })[];
  };

  before(async () => {
    api = await startApiService(WEBHOOK_ENV);
    const good = await postWebhook(api, 'asof-good-1', 'order-confirmed', scayleOrder(9401)).expect(202);
    beforeFailure = good.body.position as string;
    const bad = await postWebhook(api, 'asof-bad-1', 'order-confirmed', { ...scayleOrder(9402), items: [] }).expect(202);
    expect(bad.body.status).to.equal('failed');
    failed = { failureId: bad.body.failureId as string, position: bad.body.position as string };
    afterGood = (await postWebhook(api, 'asof-good-2', 'order-confirmed', scayleOrder(9403)).expect(202)).body.position as string;
  });
  after(() => api?.dispose());

  it('absent before the record failed; open from its failure on, with the live queue’s id, owner, code, subject, failure ids and openedAt', async () => {
    expect(failureIds((await asOfQueue(beforeFailure)).exceptions)).to.deep.equal([]);

    const at = await asOfQueue(failed.position);
    const live = (await liveQueue(failed.position)).find((e) => e.failure?.failureId === failed.failureId)!;
    expect(live, 'the live queue lists it').to.not.equal(undefined);
    const row = at.exceptions.find((e) => e.failure?.failureId === failed.failureId);
    expect(row, 'the as-of queue lists it').to.not.equal(undefined);
    expect(row).to.deep.equal({
      exceptionId: `ingest-failure-${failed.failureId}/SYNC_FAILURE/order/ingest`,
      code: 'SYNC_FAILURE',
      owner: 'operations',
      severity: live.severity,
      subject: `ingest-failure-${failed.failureId}`,
      component: 'order',
      status: 'open',
      openedAt: live.openedAt,
      ageSeconds: 0,
      explanation: live.explanation,
      failure: { failureId: failed.failureId, source: 'scayle', recordKind: 'scayle_webhook', reason: 'order_without_items', subject: '9402' },
    });
    expect(row!.exceptionId).to.equal(live.exceptionId);
    expect(row!.failure).to.deep.equal(live.failure);
  });

  it('owner, code, status and period filter it as they filter the live queue', async () => {
    const ids = async (query: Record<string, string>) => failureIds((await asOfQueue(afterGood, query)).exceptions);
    expect(await ids({ code: 'SYNC_FAILURE' })).to.deep.equal([failed.failureId]);
    expect(await ids({ owner: 'operations', code: 'SYNC_FAILURE' })).to.deep.equal([failed.failureId]);
    expect(await ids({ owner: 'operations', status: 'open' })).to.deep.equal([failed.failureId]);
    expect(await ids({ owner: 'finance' })).to.deep.equal([]);
    expect(await ids({ code: 'AMOUNT_MISMATCH' })).to.deep.equal([]);
    expect(await ids({ status: 'acknowledged' })).to.deep.equal([]);
    // the live queue's failure rows carry no period, so `period` leaves them out in both forms
    expect(await ids({ period: '2024-06' })).to.deep.equal([]);
    expect((await liveQueue(afterGood, { period: '2024-06' })).map((e) => e.failure?.failureId)).to.deep.equal([]);
    const one = await asOfQueue(afterGood, { code: 'SYNC_FAILURE', limit: '1' });
    expect(one).to.include({ truncated: false });
    expect(failureIds(one.exceptions)).to.deep.equal([failed.failureId]);
  });

  it('dismissed: gone from the as-of queue from the dismissal on (the live queue has it resolved), still open just before', async () => {
    const res = await request(api.server)
      .post(`/v1/ingest/failures/${failed.failureId}/dismiss`)
      .set(auth('operations'))
      .set('Content-Type', 'application/json')
      .send({ reason: 'test webhook from the Scayle panel' });
    expect(res.status, res.text).to.equal(200);
    dismissedAt = res.body.position as string;
    expect(failureIds((await asOfQueue(String(BigInt(dismissedAt) - 1n), { code: 'SYNC_FAILURE' })).exceptions)).to.deep.equal([failed.failureId]);
    expect(failureIds((await asOfQueue(dismissedAt, { code: 'SYNC_FAILURE' })).exceptions)).to.deep.equal([]);
    expect((await liveQueue(dismissedAt)).map((e) => e.failure?.failureId)).to.not.include(failed.failureId);
    const resolved = await liveQueue(dismissedAt, { status: 'resolved' });
    expect(resolved.find((e) => e.failure?.failureId === failed.failureId)).to.include({ status: 'resolved', resolution: 'accepted' });
    // the earlier points keep their answer
    expect(failureIds((await asOfQueue(afterGood, { code: 'SYNC_FAILURE' })).exceptions)).to.deep.equal([failed.failureId]);
  });

  it('a failed retry keeps it open; an acknowledgement through the exception workflow shows as its status then', async () => {
    const bad = await postWebhook(api, 'asof-bad-2', 'order-confirmed', { ...scayleOrder(9404), items: [] }).expect(202);
    second = { failureId: bad.body.failureId as string, position: bad.body.position as string };
    const retry = await request(api.server).post(`/v1/ingest/failures/${second.failureId}/retry`).set(auth('operations')).expect(200);
    expect(retry.body.outcome).to.equal('failed_again');
    expect(failureIds((await asOfQueue(retry.body.position as string, { code: 'SYNC_FAILURE' })).exceptions)).to.deep.equal([second.failureId]);

    const live = (await liveQueue(retry.body.position as string)).find((e) => e.failure?.failureId === second.failureId)!;
    const ack = await request(api.server).post(`/v1/exceptions/${encodeURIComponent(live.exceptionId)}/acknowledge`).set(auth('operations')).set('If-Match', live.etag).send({});
    expect(ack.status, ack.text).to.equal(200);
    acknowledgedAt = ack.body.position as string;
    const then = await asOfQueue(acknowledgedAt, { owner: 'operations', status: 'acknowledged' });
    expect(then.exceptions.map((e) => [e.failure?.failureId, e.status])).to.deep.equal([[second.failureId, 'acknowledged']]);
    expect((await asOfQueue(acknowledgedAt, { code: 'SYNC_FAILURE', status: 'open' })).exceptions).to.deep.equal([]);
  });

  it('retried successfully: open before the retry, gone from it on', async () => {
    const now = new Date().toISOString();
    kept = uuidv5('asof-older-mapper-failure', '6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    const raw = localeEnvelope('asof-kept-1', 'order-confirmed', scayleOrder(9405));
    keptAt = String(
      (
        await storeOf(api.service).appendToStream(
          `ingest-failure-${kept}`,
          [
            {
              id: kept,
              type: 'IngestionFailed',
              data: { failureId: kept, source: 'scayle', recordKind: 'scayle_webhook', sourceEventId: 'asof-kept-1', reason: 'unsupported_rate', message: 'old mapper', raw, failedAt: now },
              metadata: { source: 'scayle', sourceEventId: 'asof-kept-1', occurredAt: now, recordedAt: now, schemaVersion: 1, ingestFormat: 'scayle_webhook' },
            },
          ],
          { expectedRevision: 'no_stream' },
        )
      ).position,
    );
    const retry = await request(api.server).post(`/v1/ingest/failures/${kept}/retry`).set(auth('operations')).expect(200);
    expect(retry.body.outcome).to.equal('succeeded');
    retriedAt = retry.body.position as string;

    const both = [second.failureId, kept].sort((a, b) => (`ingest-failure-${a}` < `ingest-failure-${b}` ? -1 : 1));
    expect(failureIds((await asOfQueue(keptAt, { code: 'SYNC_FAILURE' })).exceptions)).to.deep.equal(both);
    // `limit` counts them like any exception: the first by id, and `truncated` says more were open
    const cut = await asOfQueue(keptAt, { code: 'SYNC_FAILURE', limit: '1' });
    expect(cut).to.include({ truncated: true });
    expect(failureIds(cut.exceptions)).to.deep.equal([both[0]]);
    expect(failureIds((await asOfQueue(retriedAt, { code: 'SYNC_FAILURE' })).exceptions)).to.deep.equal([second.failureId]);
  });

  it('at the head the as-of queue lists the failed records the live queue has active, with the same status and openedAt', async () => {
    const head = retriedAt;
    const live = await liveQueue(head);
    const asOf = await asOfQueue(head, { owner: 'operations', code: 'SYNC_FAILURE' });
    const view = (e: AsOfItem) => ({ exceptionId: e.exceptionId, status: e.status, openedAt: e.openedAt, failure: e.failure });
    expect(asOf.exceptions.map(view)).to.deep.equal(live.map(view).sort((a, b) => (a.exceptionId < b.exceptionId ? -1 : 1)));
    expect(asOf.exceptions).to.have.length(1);
  });
});
