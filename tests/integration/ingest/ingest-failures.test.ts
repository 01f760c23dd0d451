import { expect } from 'chai';
import request from 'supertest';
import { v5 as uuidv5 } from 'uuid';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, head, INGEST_ENV, localeEnvelope, scayleFixture, storeOf, streamEvents } from '../../support/ingest';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

describe('ingest: failed records and their retry', () => {
  const dir = tempDir();
  let service: LedgerService;
  const retry = (id: string, role: 'operations' | 'finance' = 'operations') => request(service.server).post(`/v1/ingest/failures/${id}/retry`).set('Authorization', bearer(role));

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, INGEST_ENV), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  it('a record that still cannot be mapped fails again, and the attempt is recorded', async () => {
    const body = localeEnvelope('fail-1', 'order-confirmed', { ...scayleFixture('OrderGetResponse.json'), id: 9901, items: [] });
    const failed = await request(service.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(body)).expect(202);
    const res = await retry(failed.body.failureId).expect(200);
    expect(res.body).to.include({ outcome: 'failed_again', failureId: failed.body.failureId });
    expect(res.body.message).to.match(/^order_without_items/);
    const events = await streamEvents(service, `ingest-failure-${failed.body.failureId}`);
    expect(events.map((e) => e.type)).to.deep.equal(['IngestionFailed', 'IngestionRetried']);
    expect(events[1]!.data).to.deep.include({ failureId: failed.body.failureId, outcome: 'failed_again', eventIds: [] });
    expect((events[1]!.data as { retriedBy: string }).retriedBy).to.match(/^operations:/);
    expect(await streamEvents(service, 'order-msde-DE-9901')).to.deep.equal([]);
  });

  it('a record kept by an older mapping succeeds on retry: its facts are appended once; a second retry is refused (422 failure_not_open)', async () => {
    const body = localeEnvelope('fail-2', 'order-confirmed', { ...scayleFixture('OrderGetResponse.json'), id: 9902 });
    const failureId = uuidv5('older-mapper-failure', '6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    const now = '2024-06-01T10:00:00.000Z';
    await storeOf(service).appendToStream(
      `ingest-failure-${failureId}`,
      [
        {
          id: failureId,
          type: 'IngestionFailed',
          data: { failureId, source: 'scayle', recordKind: 'scayle_webhook', sourceEventId: 'fail-2', reason: 'unsupported_rate', message: 'old mapper', raw: body, failedAt: now },
          metadata: { source: 'scayle', sourceEventId: 'fail-2', occurredAt: now, recordedAt: now, schemaVersion: 1, ingestFormat: 'scayle_webhook' },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    const res = await retry(failureId).expect(200);
    expect(res.body.outcome).to.equal('succeeded');
    const [fact] = await streamEvents(service, 'order-msde-DE-9902');
    expect(res.body.eventIds).to.deep.equal([fact!.id]);
    expect(fact!.metadata.causationId).to.equal(failureId);
    const again = await retry(failureId).expect(422);
    expect(again.body).to.include({ code: 'failure_not_open', closedBy: 'retried successfully' });
    expect(await streamEvents(service, 'order-msde-DE-9902')).to.have.length(1);
    expect((await streamEvents(service, `ingest-failure-${failureId}`)).map((e) => e.type)).to.deep.equal(['IngestionFailed', 'IngestionRetried']);
  });

  it('unknown failure → 404, malformed id → 400, other roles → 403; nothing appended', async () => {
    const before = await head(service);
    const missing = await retry('00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body).to.include({ status: 404, code: 'failure_not_found' });
    const bad = await retry('not-a-uuid').expect(400);
    expect(bad.body.errors[0].field).to.equal('failureId');
    await retry('00000000-0000-4000-8000-000000000000', 'finance').expect(403);
    expect(await head(service)).to.equal(before);
  });
});
