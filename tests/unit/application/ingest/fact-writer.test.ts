import { expect } from 'chai';
import { FactWriter } from '../../../../src/application/ingest/fact-writer';
import type { EventData, EventStore } from '../../../../src/application/ports/event-store.port';
import { SqliteEventStore } from '../../../../src/infrastructure/event-store/sqlite/sqlite-event-store';

const fact = (n: number): EventData => ({
  id: `6f9c2d4e-0000-5000-8000-${String(n).padStart(12, '0')}`,
  type: 'TestFact',
  data: { n },
  metadata: { source: 'ledger', occurredAt: '2024-06-01T10:00:00Z', recordedAt: '2024-06-01T10:00:00Z', schemaVersion: 1 },
});

/** The same store without the optional `findInStream` (as a decorator that does not forward it). */
function withoutLookup(store: EventStore): EventStore {
  return {
    kind: store.kind,
    appendToStream: (s, e, o) => store.appendToStream(s, e, o),
    readStream: (s, o) => store.readStream(s, o),
    streamRevision: (s) => store.streamRevision(s),
    readAll: (o) => store.readAll(o),
    headPosition: () => store.headPosition(),
    subscribeToAll: (o) => store.subscribeToAll(o),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/** The same store with `findInStream` but without the optional `appendIfAbsent`. */
function lookupOnly(store: SqliteEventStore): EventStore {
  return { ...withoutLookup(store), findInStream: (s, ids) => store.findInStream(s, ids) };
}

for (const [name, wrap] of [
  ['appendIfAbsent for single facts, index lookups (findInStream) for the rest', (s: SqliteEventStore): EventStore => s],
  ['index lookups (store without appendIfAbsent)', lookupOnly],
  ['reading the stream (store without findInStream)', withoutLookup],
] as const) {
  describe(`FactWriter: ${name}`, () => {
    let store: SqliteEventStore;
    let writer: FactWriter;
    beforeEach(() => {
      store = new SqliteEventStore({ filename: ':memory:' });
      writer = new FactWriter(wrap(store));
    });
    afterEach(() => store.close());

    it('appends new facts once, answers stored ones as duplicates with their stored position, and appends after events others added', async () => {
      const first = await writer.appendOnce('s-1', [{ event: fact(1) }, { event: fact(2) }]);
      expect(first).to.include({ appended: 2 });
      expect(first.eventIds).to.deep.equal([fact(1).id, fact(2).id]);
      await store.appendToStream('s-1', [fact(3)], { expectedRevision: 1n }); // someone else moved the stream on
      const again = await writer.appendOnce('s-1', [{ event: fact(1) }]);
      expect(again).to.deep.equal({ eventIds: [fact(1).id], appended: 0, position: (await store.readStream('s-1'))[0]!.position });
      const mixed = await writer.appendOnce('s-1', [{ event: fact(2) }, { event: fact(4) }]);
      expect(mixed.appended).to.equal(1);
      expect((await store.readStream('s-1')).map((e) => (e.data as { n: number }).n)).to.deep.equal([1, 2, 3, 4]);
    });

    it('a fact stored under an alias is not appended again and is answered by its stored id', async () => {
      await writer.appendOnce('s-2', [{ event: fact(10) }]);
      const r = await writer.appendOnce('s-2', [{ event: fact(11), aliases: [fact(10).id] }]);
      expect(r).to.include({ appended: 0 });
      expect(r.eventIds).to.deep.equal([fact(10).id]);
      expect(await store.streamRevision('s-2')).to.equal(0n);
    });

    it('an id stored in another stream does not count as stored in this one', async () => {
      await writer.appendOnce('s-3', [{ event: fact(20) }]);
      const r = await writer.appendOnce('s-4', [{ event: fact(21), aliases: [fact(20).id] }]);
      expect(r.appended).to.equal(1);
      expect((await store.readStream('s-4')).map((e) => e.id)).to.deep.equal([fact(21).id]);
    });

    it('a fact whose id is stored in another stream is reported where, not appended, and not retried; the others are appended', async () => {
      await writer.appendOnce('s-5', [{ event: fact(30) }]);
      const [stored] = await store.readStream('s-5');
      let appends = 0;
      const counting = wrap(store);
      const append = counting.appendToStream.bind(counting);
      counting.appendToStream = (s, e, o) => (appends++, append(s, e, o));
      const r = await new FactWriter(counting).appendOnce('s-6', [{ event: fact(31) }, { event: fact(30) }, { event: fact(32) }]);
      expect(r).to.deep.include({ appended: 2, eventIds: [fact(31).id, fact(30).id, fact(32).id] });
      expect(r.elsewhere).to.deep.equal([{ id: fact(30).id, streamId: 's-5', revision: 0n, position: stored!.position }]);
      expect(appends).to.equal(2);
      expect((await store.readStream('s-6')).map((e) => e.id)).to.deep.equal([fact(31).id, fact(32).id]);
      const alone = await writer.appendOnce('s-7', [{ event: fact(30) }]);
      expect(alone).to.deep.equal({ eventIds: [fact(30).id], appended: 0, position: stored!.position, elsewhere: r.elsewhere });
      expect(await store.streamRevision('s-7')).to.equal('no_stream');
    });
  });
}

describe('FactWriter: single facts on a store with appendIfAbsent', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = new SqliteEventStore({ filename: ':memory:' });
  });
  afterEach(() => store.close());

  it('goes straight to appendIfAbsent, with no lookup first; several facts or a fact with aliases still look up', async () => {
    const calls: string[] = [];
    const counting: EventStore = {
      ...withoutLookup(store),
      findInStream: (s, ids) => (calls.push('findInStream'), store.findInStream(s, ids)),
      appendIfAbsent: (s, e) => (calls.push('appendIfAbsent'), store.appendIfAbsent(s, e)),
    };
    const writer = new FactWriter(counting);
    expect(await writer.appendOnce('s-8', [{ event: fact(40) }])).to.deep.equal({ eventIds: [fact(40).id], appended: 1, position: (await store.readStream('s-8'))[0]!.position });
    expect(await writer.appendOnce('s-8', [{ event: fact(40) }])).to.include({ appended: 0 });
    expect(calls).to.deep.equal(['appendIfAbsent', 'appendIfAbsent']);
    calls.length = 0;
    await writer.appendOnce('s-8', [{ event: fact(41) }, { event: fact(42) }]);
    await writer.appendOnce('s-8', [{ event: fact(43), aliases: [fact(40).id] }]);
    expect(calls).to.deep.equal(['findInStream', 'findInStream']);
    expect((await store.readStream('s-8')).map((e) => (e.data as { n: number }).n)).to.deep.equal([40, 41, 42]);
  });
});
