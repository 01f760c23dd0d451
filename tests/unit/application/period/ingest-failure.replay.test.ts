import { expect } from 'chai';
import type { RecordedEvent } from '../../../../src/application/ports/event-store.port';
import { foldIngestFailure } from '../../../../src/application/period/ingest-failure.replay';

const FAILURE = '11111111-1111-4111-8111-111111111111';
const STREAM = `ingest-failure-${FAILURE}`;
const EXCEPTION = `${STREAM}/SYNC_FAILURE/order/ingest`;

let position = 0n;
const event = (type: string, data: Record<string, unknown>, at: string): RecordedEvent => {
  position++;
  return { id: `e${String(position)}`, type, data, metadata: { source: 'ledger', occurredAt: at, recordedAt: at, schemaVersion: 1 }, streamId: STREAM, revision: position - 1n, position, created: at };
};
const failed = (at = '2024-06-01T10:00:00.000Z') =>
  event('IngestionFailed', { failureId: FAILURE, source: 'scayle', recordKind: 'scayle_webhook', subject: '9402', reason: 'order_without_items', message: 'order 9402 has no items', raw: {}, failedAt: at }, at);
const decision = (type: string, at: string, extra: Record<string, unknown> = {}) => event(type, { exceptionId: EXCEPTION, decidedAt: at, decidedBy: 'operations:k1', ...extra }, at);
const fold = (events: RecordedEvent[]) => foldIngestFailure(STREAM, events, (e) => e.metadata.recordedAt as string);

describe('foldIngestFailure: a failed record’s SYNC_FAILURE as it stood at a point of the log', () => {
  it('open from IngestionFailed on, with the live row’s id, owner, code, subject and failure ids', () => {
    expect(fold([failed()])).to.deep.equal({
      exceptionId: EXCEPTION,
      code: 'SYNC_FAILURE',
      owner: 'operations',
      severity: 'error',
      subject: STREAM,
      component: 'order',
      status: 'open',
      openedAt: '2024-06-01T10:00:00.000Z',
      explanation: 'order 9402 has no items',
      failure: { failureId: FAILURE, source: 'scayle', recordKind: 'scayle_webhook', reason: 'order_without_items', subject: '9402' },
    });
    expect(fold([])).to.equal(undefined);
  });

  it('a failed retry changes nothing; a successful one auto-resolves; a dismissal resolves', () => {
    const retried = (outcome: string, at: string) => event('IngestionRetried', { failureId: FAILURE, outcome, eventIds: [], retriedAt: at, retriedBy: 'operations:k1' }, at);
    expect(fold([failed(), retried('failed_again', '2024-06-01T11:00:00.000Z')])).to.include({ status: 'open', openedAt: '2024-06-01T10:00:00.000Z' });
    expect(fold([failed(), retried('succeeded', '2024-06-01T11:00:00.000Z')])).to.include({ status: 'auto_resolved' });
    const dismissed = event('IngestionFailureDismissed', { failureId: FAILURE, reason: 'test webhook', dismissedAt: '2024-06-01T12:00:00.000Z', dismissedBy: 'operations:k1' }, '2024-06-01T12:00:00.000Z');
    expect(fold([failed(), dismissed])).to.include({ status: 'resolved' });
  });

  it('decisions: assigned carries the assignee; resolved then reopened is open again, aged from the reopening', () => {
    expect(fold([failed(), decision('ExceptionAssigned', '2024-06-01T11:00:00.000Z', { assignee: 'ops-team' })])).to.include({ status: 'assigned', assignee: 'ops-team' });
    const reopened = fold([
      failed(),
      decision('ExceptionResolved', '2024-06-01T11:00:00.000Z', { resolution: 'accepted', note: 'by hand' }),
      decision('ExceptionReopened', '2024-06-02T09:00:00.000Z', { reason: 'not handled after all' }),
    ]);
    expect(reopened).to.include({ status: 'open', openedAt: '2024-06-02T09:00:00.000Z' });
  });
});
