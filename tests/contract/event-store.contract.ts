import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  ConcurrencyConflictError,
  EventData,
  EventIdInOtherStreamError,
  EventStore,
  RecordedEvent,
  StreamNotFoundError,
  SubscriptionMessage,
} from '../../src/application/ports/event-store.port';

/** Creates a store for one test; `dispose` closes it and removes what it created. */
export interface EventStoreFixture {
  store: EventStore;
  dispose(): Promise<void>;
}

const event = (type = 'Something', data: unknown = { n: 1 }): EventData => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    source: 'ledger',
    occurredAt: '2024-05-31T22:30:00.000Z',
    recordedAt: '2024-05-31T22:30:01.000Z',
    schemaVersion: 1,
  },
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Reads `$all` after `from`, keeping only the given streams (a shared server holds others too). */
async function readAllOf(store: EventStore, streams: string[], from: bigint | 'start', direction: 'forwards' | 'backwards' = 'forwards') {
  const all = await collect(store.readAll({ fromPosition: direction === 'forwards' ? from : 'end', direction }));
  return all.filter((e) => streams.includes(e.streamId) && (direction === 'backwards' || from === 'start' || e.position > from));
}

async function expectConflict(p: Promise<unknown>): Promise<ConcurrencyConflictError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ConcurrencyConflictError);
    return err as ConcurrencyConflictError;
  }
  expect.fail('expected a ConcurrencyConflictError');
}

/** Pulls messages from a subscription until `until` says stop (bounded by the mocha timeout). */
async function take(iterator: AsyncIterator<SubscriptionMessage>, until: (seen: SubscriptionMessage[]) => boolean) {
  const seen: SubscriptionMessage[] = [];
  while (!until(seen)) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
  }
  return seen;
}

/**
 * The one contract every EventStore adapter honours (DESIGN §3). Run against SQLite always and
 * against EventStoreDB when it is reachable.
 */
export function eventStoreContract(name: string, create: () => Promise<EventStoreFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    let stream: string;

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
      stream = `order-test-${randomUUID()}`;
    });
    afterEach(async () => fixture.dispose());

    describe('expected revision', () => {
      it('no_stream accepts a new stream and refuses an existing one', async () => {
        const first = await store.appendToStream(stream, [event(), event()], { expectedRevision: 'no_stream' });
        expect(first.nextExpectedRevision).to.equal(1n);
        const err = await expectConflict(store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' }));
        expect(err.expected).to.equal('no_stream');
        expect(err.actual).to.equal(1n);
        expect(err.streamId).to.equal(stream);
      });

      it('an exact revision accepts when it holds and refuses with expected and actual otherwise', async () => {
        await store.appendToStream(stream, [event(), event(), event()], { expectedRevision: 'no_stream' });
        const ok = await store.appendToStream(stream, [event()], { expectedRevision: 2n });
        expect(ok.nextExpectedRevision).to.equal(3n);
        const err = await expectConflict(store.appendToStream(stream, [event()], { expectedRevision: 1n }));
        expect(err.expected).to.equal(1n);
        expect(err.actual).to.equal(3n);
        const missing = await expectConflict(
          store.appendToStream(`${stream}-none`, [event()], { expectedRevision: 0n }),
        );
        expect(missing.actual).to.equal('no_stream');
      });

      it('stream_exists refuses a new stream and accepts an existing one', async () => {
        const err = await expectConflict(store.appendToStream(stream, [event()], { expectedRevision: 'stream_exists' }));
        expect(err.actual).to.equal('no_stream');
        await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        const ok = await store.appendToStream(stream, [event()], { expectedRevision: 'stream_exists' });
        expect(ok.nextExpectedRevision).to.equal(1n);
      });

      it('any accepts a new and an existing stream', async () => {
        expect((await store.appendToStream(stream, [event()], { expectedRevision: 'any' })).nextExpectedRevision).to.equal(0n);
        expect((await store.appendToStream(stream, [event()], { expectedRevision: 'any' })).nextExpectedRevision).to.equal(1n);
      });

      it('a refused append writes nothing', async () => {
        await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        await expectConflict(store.appendToStream(stream, [event(), event()], { expectedRevision: 5n }));
        expect(await store.headPosition()).to.equal(head);
        expect(await store.readStream(stream)).to.have.length(1);
      });
    });

    describe('idempotent append', () => {
      it('re-appending the same event ids at the same expected revision writes nothing twice', async () => {
        const batch = [event('A'), event('B')];
        const first = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        const retry = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        expect(retry.nextExpectedRevision).to.equal(first.nextExpectedRevision);
        const events = await store.readStream(stream);
        expect(events.map((e) => e.id)).to.deep.equal(batch.map((e) => e.id));
      });

      it('a retry at an exact revision after more events were added still succeeds without duplicating', async () => {
        await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        const batch = [event('X')];
        await store.appendToStream(stream, batch, { expectedRevision: 0n });
        await store.appendToStream(stream, [event('Y')], { expectedRevision: 1n });
        await store.appendToStream(stream, batch, { expectedRevision: 0n });
        expect((await store.readStream(stream)).map((e) => e.type)).to.deep.equal(['Something', 'X', 'Y']);
      });
    });

    it('two writers racing on one stream: exactly one wins', async () => {
      await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.appendToStream(stream, [event(`W${i}`)], { expectedRevision: 0n })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).to.have.length(1);
      expect(lost).to.have.length(7);
      for (const r of lost) expect((r as PromiseRejectedResult).reason).to.be.instanceOf(ConcurrencyConflictError);
      expect(await store.readStream(stream)).to.have.length(2);
    });

    describe('reading a stream', () => {
      beforeEach(async () => {
        await store.appendToStream(stream, ['E0', 'E1', 'E2', 'E3'].map((t) => event(t)), { expectedRevision: 'no_stream' });
      });

      it('forwards from a revision with a max count', async () => {
        const events = await store.readStream(stream, { fromRevision: 1n, maxCount: 2 });
        expect(events.map((e) => [e.type, e.revision])).to.deep.equal([
          ['E1', 1n],
          ['E2', 2n],
        ]);
      });

      it('backwards from the end and from a revision', async () => {
        expect((await store.readStream(stream, { direction: 'backwards' })).map((e) => e.type)).to.deep.equal([
          'E3',
          'E2',
          'E1',
          'E0',
        ]);
        expect(
          (await store.readStream(stream, { direction: 'backwards', fromRevision: 1n })).map((e) => e.type),
        ).to.deep.equal(['E1', 'E0']);
      });

      it('reports the revision and throws StreamNotFoundError for an unknown stream', async () => {
        expect(await store.streamRevision(stream)).to.equal(3n);
        expect(await store.streamRevision(`${stream}-none`)).to.equal('no_stream');
        try {
          await store.readStream(`${stream}-none`);
          expect.fail('expected StreamNotFoundError');
        } catch (err) {
          expect(err).to.be.instanceOf(StreamNotFoundError);
        }
      });
    });

    describe('findInStream (optional fast path of exactly-once appends)', () => {
      it('answers the revision and which ids the stream holds, like reading the stream would', async function () {
        if (!store.findInStream) this.skip();
        const [a, b] = [event(), event()];
        const other = event();
        expect(await store.findInStream!(stream, [a.id])).to.deep.equal({ revision: 'no_stream', found: [] });
        const first = await store.appendToStream(stream, [a, b], { expectedRevision: 'no_stream' });
        await store.appendToStream(`${stream}-other`, [other], { expectedRevision: 'no_stream' });
        const lookup = await store.findInStream!(stream, [b.id, randomUUID(), other.id, a.id]);
        const read = await store.readStream(stream);
        expect(lookup.revision).to.equal(1n);
        expect(lookup.found).to.deep.equal([
          { id: b.id, revision: 1n, position: first.position },
          { id: a.id, revision: 0n, position: read[0]!.position },
        ]);
      });
    });

    describe('appendIfAbsent (optional fast path of exactly-once appends)', () => {
      it('appends a new fact at the stream end, whatever the stream holds, and says it wrote it', async function () {
        if (!store.appendIfAbsent) this.skip();
        await store.appendToStream(stream, [event(), event()], { expectedRevision: 'no_stream' });
        const fact = event('Fact', { n: 3 });
        const result = await store.appendIfAbsent!(stream, fact);
        const read = await store.readStream(stream);
        expect(result).to.deep.equal({ written: true, nextExpectedRevision: 2n, position: read[2]!.position });
        expect(read.map((e) => [e.id, e.revision, e.data])).to.deep.equal([...read.slice(0, 2).map((e) => [e.id, e.revision, e.data]), [fact.id, 2n, { n: 3 }]]);
      });

      it('writes nothing for an id already in the stream, however much came after it, and answers where it is', async function () {
        if (!store.appendIfAbsent) this.skip();
        const fact = event('Fact');
        const first = await store.appendIfAbsent!(stream, fact);
        await store.appendToStream(stream, [event(), event()], { expectedRevision: 0n });
        const again = await store.appendIfAbsent!(stream, { ...fact, data: { n: 2 } });
        expect(again).to.deep.equal({ written: false, nextExpectedRevision: 0n, position: first.position });
        const read = await store.readStream(stream);
        expect(read.map((e) => e.id).filter((id) => id === fact.id)).to.have.length(1);
        expect(read[0]!.data).to.deep.equal({ n: 1 });
      });

      it('refuses an id stored in another stream and writes nothing', async function () {
        if (!store.appendIfAbsent) this.skip();
        const fact = event('Fact');
        const stored = await store.appendToStream(`${stream}-other`, [fact], { expectedRevision: 'no_stream' });
        const err = await store.appendIfAbsent!(stream, fact).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(EventIdInOtherStreamError);
        expect((err as EventIdInOtherStreamError).stored).to.deep.equal({ streamId: `${stream}-other`, revision: 0n, position: stored.position });
        expect(await store.streamRevision(stream)).to.equal('no_stream');
      });

      it('writes a fact delivered 20 times at once exactly once', async function () {
        if (!store.appendIfAbsent) this.skip();
        const fact = event('Fact');
        const results = await Promise.all(Array.from({ length: 20 }, () => store.appendIfAbsent!(stream, fact)));
        expect(results.filter((r) => r.written)).to.have.length(1);
        expect(new Set(results.map((r) => r.position)).size).to.equal(1);
        expect((await store.readStream(stream)).map((e) => e.id)).to.deep.equal([fact.id]);
      });
    });

    describe('$all', () => {
      it('orders events across streams by commit and reads forwards, backwards and from a mid-log position', async () => {
        const start = await store.headPosition();
        const a = `${stream}-a`;
        const b = `${stream}-b`;
        await store.appendToStream(a, [event('A1')], { expectedRevision: 'no_stream' });
        await store.appendToStream(b, [event('B1'), event('B2')], { expectedRevision: 'no_stream' });
        await store.appendToStream(a, [event('A2')], { expectedRevision: 0n });
        const forwards = await readAllOf(store, [a, b], start);
        expect(forwards.map((e) => e.type)).to.deep.equal(['A1', 'B1', 'B2', 'A2']);
        const positions = forwards.map((e) => e.position);
        for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).to.equal(true);
        expect(await store.headPosition()).to.equal(positions[positions.length - 1]);

        const backwards = await readAllOf(store, [a, b], 'start', 'backwards');
        expect(backwards.map((e) => e.type)).to.deep.equal(['A2', 'B2', 'B1', 'A1']);

        const fromMid = await readAllOf(store, [a, b], positions[1]!);
        expect(fromMid.map((e) => e.type)).to.deep.equal(['B2', 'A2']);

        const limited = await collect(store.readAll({ fromPosition: positions[0]!, maxCount: 2 }));
        expect(limited.map((e) => e.type)).to.deep.equal(['B1', 'B2']);
        const backLimited = await collect(store.readAll({ direction: 'backwards', fromPosition: positions[3]!, maxCount: 2 }));
        expect(backLimited.map((e) => e.type)).to.deep.equal(['B2', 'B1']);
      });

      it('round-trips data and metadata exactly', async () => {
        const e: EventData = {
          id: randomUUID(),
          type: 'ErpInvoicePosted',
          data: { amount: '1245.885', lines: [{ net: '54.90', note: 'Grüße — 🧾', nested: { empty: [], t: true } }] },
          metadata: {
            source: 'erp',
            sourceEventId: 'INV-1:2',
            occurredAt: '2024-06-01T00:00:00.000Z',
            recordedAt: '2024-06-01T00:00:05.000Z',
            correlationId: 'corr-1',
            causationId: 'cause-1',
            actor: 'erp-ingest',
            schemaVersion: 2,
            custom: { a: 1 },
          },
        };
        const written = await store.appendToStream(stream, [e], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(stream);
        expect(read!.id).to.equal(e.id);
        expect(read!.type).to.equal(e.type);
        expect(read!.data).to.deep.equal(e.data);
        expect(read!.metadata).to.deep.equal(e.metadata);
        expect(read!.revision).to.equal(0n);
        expect(typeof read!.created).to.equal('string');
        const [fromAll] = (await collect(store.readAll({ direction: 'backwards', maxCount: 10 }))).filter((x) => x.id === e.id);
        expect(fromAll!.position).to.equal(written.position);
        expect(fromAll!.metadata).to.deep.equal(e.metadata);
      });
    });

    describe('catch-up subscription to $all', () => {
      it('delivers stored events, signals caught up, then delivers live events', async () => {
        const start = await store.headPosition();
        await store.appendToStream(stream, [event('S1'), event('S2')], { expectedRevision: 'no_stream' });
        const subscription = store.subscribeToAll({ fromPosition: start === 0n ? 'start' : start });
        const iterator = subscription[Symbol.asyncIterator]();
        const mine = (m: SubscriptionMessage) => m.kind === 'event' && m.event.streamId === stream;
        const before = await take(iterator, (seen) => seen.some((m) => m.kind === 'caughtUp'));
        expect(before.filter(mine).map((m) => (m as { event: RecordedEvent }).event.type)).to.deep.equal(['S1', 'S2']);
        const caughtUp = before.find((m) => m.kind === 'caughtUp') as { position: bigint };
        expect(caughtUp.position).to.equal(await store.headPosition());

        await store.appendToStream(stream, [event('L1')], { expectedRevision: 1n });
        await store.appendToStream(stream, [event('L2')], { expectedRevision: 2n });
        const live = await take(iterator, (seen) => seen.filter(mine).length >= 2);
        expect(live.filter(mine).map((m) => (m as { event: RecordedEvent }).event.type)).to.deep.equal(['L1', 'L2']);
        await subscription.close();
        const after = await iterator.next();
        expect(after.done).to.equal(true);
      });

      it('resumes after a checkpoint without redelivering it', async () => {
        await store.appendToStream(stream, [event('C1'), event('C2'), event('C3')], { expectedRevision: 'no_stream' });
        const events = await store.readStream(stream);
        const checkpoint = (await readAllOf(store, [stream], 'start')).find((e) => e.id === events[0]!.id)!.position;
        const subscription = store.subscribeToAll({ fromPosition: checkpoint });
        const seen = await take(subscription[Symbol.asyncIterator](), (s) => s.some((m) => m.kind === 'caughtUp'));
        await subscription.close();
        expect(
          seen.filter((m) => m.kind === 'event' && m.event.streamId === stream).map((m) => (m as { event: RecordedEvent }).event.type),
        ).to.deep.equal(['C2', 'C3']);
      });
    });
  });
}
