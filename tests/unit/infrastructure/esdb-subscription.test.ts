import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import type { EventStoreDBClient } from '@eventstore/db-client';
import type { SubscriptionMessage } from '../../../src/application/ports/event-store.port';
import { EsdbEventStore, SUBSCRIPTION_HIGH_WATER } from '../../../src/infrastructure/event-store/esdb/esdb-event-store';
import { encodePosition } from '../../../src/infrastructure/event-store/esdb/esdb-position';

/**
 * The adapter's subscription without a server: the client's subscription is a Node object-mode
 * readable that emits 'caughtUp' from its transform (db-client 6.x `Subscription`), so a PassThrough
 * with an `unsubscribe` stands in for it. A producer that waits for 'drain' behaves like gRPC flow control.
 */
function fakeClient(): { client: EventStoreDBClient; stream: PassThrough & { unsubscribe(): Promise<void> } } {
  const stream = Object.assign(new PassThrough({ objectMode: true }), { unsubscribe: async () => undefined });
  const client = { subscribeToAll: () => stream } as unknown as EventStoreDBClient;
  return { client, stream };
}

function resolved(n: number) {
  return {
    event: {
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      type: 'TestEvent',
      streamId: `test-${n % 7}`,
      revision: BigInt(Math.floor(n / 7)),
      position: { commit: BigInt(n * 100), prepare: BigInt(n * 100) },
      isJson: true,
      data: { n },
      metadata: {},
      created: new Date(0),
    },
  };
}

/** Writes events from..to-1 honouring 'drain'; gives up after `stallMs` without a drain (answers how many it wrote). */
async function write(stream: PassThrough, from: number, to: number, stallMs = Infinity): Promise<number> {
  for (let n = from; n < to; n++) {
    if (!stream.write(resolved(n))) {
      const drained = new Promise<boolean>((resolve) => stream.once('drain', () => resolve(true)));
      const stalled = Number.isFinite(stallMs) ? new Promise<boolean>((resolve) => setTimeout(() => resolve(false), stallMs)) : drained;
      if (!(await Promise.race([drained, stalled]))) return n + 1;
    }
  }
  return to;
}

describe('EventStoreDB subscription (no server: the client stream faked)', () => {
  it('pauses the server stream for a slow consumer and delivers everything in order once it reads', async () => {
    const { client, stream } = fakeClient();
    const subscription = new EsdbEventStore(client).subscribeToAll({ fromPosition: 'start' });
    const total = 20_000;
    const iterator = subscription[Symbol.asyncIterator]();
    const written = await write(stream, 0, total, 200);
    expect(written, 'the producer is held back while nobody reads').to.be.below(SUBSCRIPTION_HIGH_WATER + 200);
    const producing = write(stream, written, total);
    const seen: number[] = [];
    while (seen.length < total) {
      const message = (await iterator.next()).value as SubscriptionMessage;
      if (message.kind === 'event') seen.push((message.event.data as { n: number }).n);
    }
    expect(await producing).to.equal(total);
    expect(seen).to.deep.equal(Array.from({ length: total }, (_, i) => i));
    await subscription.close();
  });

  it('signals caught up only after the events decoded before it, even while paused', async () => {
    const { client, stream } = fakeClient();
    const subscription = new EsdbEventStore(client).subscribeToAll({ fromPosition: 'start' });
    const iterator = subscription[Symbol.asyncIterator]();
    const written = await write(stream, 0, SUBSCRIPTION_HIGH_WATER + 100, 200);
    expect(stream.readableLength, 'events wait in the client stream').to.be.above(0);
    stream.emit('caughtUp');
    const kinds: string[] = [];
    let last = -1;
    for (;;) {
      const message = (await iterator.next()).value as SubscriptionMessage;
      kinds.push(message.kind);
      if (message.kind === 'event') last = (message.event.data as { n: number }).n;
      if (message.kind === 'caughtUp') {
        expect(message.position).to.equal(encodePosition({ commit: BigInt(last * 100), prepare: BigInt(last * 100) }));
        break;
      }
    }
    expect(kinds.filter((k) => k === 'event')).to.have.length(written);
    await subscription.close();
  });
});
