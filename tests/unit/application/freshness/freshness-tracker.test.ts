import { expect } from 'chai';
import type { RecordedEvent } from '../../../../src/application/ports/event-store.port';
import { emptyFreshnessState, foldFreshness } from '../../../../src/application/freshness/freshness.tracker';

const webhook = (position: bigint, occurredAt: string, recordedAt: string): RecordedEvent =>
  ({ id: `e${position}`, streamId: 'order-msde-DE-901', revision: position - 1n, position, type: 'ScayleOrderConfirmed', data: {}, metadata: { source: 'scayle', occurredAt, recordedAt }, created: recordedAt }) as unknown as RecordedEvent;

describe('freshness tracker: the newest source time', () => {
  it('takes a source time up to its recording, and caps one after it (a clock ahead, a date in 2999) at the recording', () => {
    const state = emptyFreshnessState();
    foldFreshness(state, webhook(1n, '2024-06-01T09:59:58Z', '2024-06-01T10:00:00.000Z'), 60);
    expect(state.sources.scayle_webhook.lastOccurredAt).to.equal('2024-06-01T09:59:58Z');
    foldFreshness(state, webhook(2n, '2999-01-01T00:00:00Z', '2024-06-01T10:05:00.000Z'), 60);
    expect(state.sources.scayle_webhook.lastOccurredAt).to.equal('2024-06-01T10:05:00.000Z');
    foldFreshness(state, webhook(3n, '2024-06-01T10:09:00Z', '2024-06-01T10:10:00.000Z'), 60);
    expect(state.sources.scayle_webhook.lastOccurredAt).to.equal('2024-06-01T10:09:00Z');
  });
});
