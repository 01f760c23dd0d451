/**
 * The fan-out decorator (one log tail, many in-process consumers): besides the EventStore contract
 * (event-store.test.ts runs it behind the decorator), what sharing must not change — every
 * subscriber sees the whole log in order from its own position with its own `caughtUp`, at its own
 * pace — and what it is for: subscribers at the head share reads and event objects.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import type { AllSubscription, EventData, SubscriptionMessage } from '../../src/application/ports/event-store.port';
import { SharedTailEventStore } from '../../src/infrastructure/event-store/shared-tail-event-store';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { tempDir } from '../support/temp-dir';

const event = (n: number): EventData => ({
  id: randomUUID(),
  type: `E${n}`,
  data: { n, raw: { big: 'x'.repeat(100) } },
  metadata: { source: 'ledger', occurredAt: '2024-05-31T22:30:00.000Z', recordedAt: '2024-05-31T22:30:01.000Z', schemaVersion: 1 },
});

type Seen = { kind: 'event'; n: number; position: bigint; object: object } | { kind: 'caughtUp'; position: bigint };

/** Pulls messages until `until` holds (bounded by the mocha timeout). */
async function take(iterator: AsyncIterator<SubscriptionMessage>, until: (seen: Seen[]) => boolean, seen: Seen[] = []): Promise<Seen[]> {
  while (!until(seen)) {
    const next = await iterator.next();
    if (next.done) break;
    const m = next.value;
    seen.push(m.kind === 'event' ? { kind: 'event', n: (m.event.data as { n: number }).n, position: m.event.position, object: m.event } : m);
  }
  return seen;
}
const numbers = (seen: Seen[]) => seen.flatMap((m) => (m.kind === 'event' ? [m.n] : []));
const caughtUps = (seen: Seen[]) => seen.filter((m) => m.kind === 'caughtUp').length;

describe('SharedTailEventStore (one log tail, many consumers)', () => {
  let dir: { path: string; remove(): void };
  let inner: SqliteEventStore;
  let store: SharedTailEventStore;
  const open: AllSubscription[] = [];

  const make = (options: { pageSize: number; windowSize: number }) => {
    inner = new SqliteEventStore({ filename: join(dir.path, 'events.db'), pollIntervalMs: 20 });
    store = new SharedTailEventStore(inner, { ...options, pollIntervalMs: 20 });
  };
  const subscribe = (from: bigint | 'start') => {
    const s = store.subscribeToAll({ fromPosition: from });
    open.push(s);
    return s[Symbol.asyncIterator]();
  };
  const appendN = async (stream: string, from: number, count: number) => {
    for (let i = from; i < from + count; i++) await store.appendToStream(stream, [event(i)], { expectedRevision: 'any' });
  };

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await store.close();
    dir.remove();
  });

  it('subscribers from different positions each get the whole log after their position, in order, with their own caughtUp; those at the head share reads and event objects', async () => {
    make({ pageSize: 10, windowSize: 40 });
    await appendN('s', 0, 25);
    const positions = (await (async () => {
      const out: bigint[] = [];
      for await (const e of store.readAll()) out.push(e.position);
      return out;
    })());
    const a = subscribe('start');
    const b = subscribe(positions[9]!);
    const c = subscribe(positions[24]!);
    const [sa, sb, sc] = await Promise.all([a, b, c].map((it) => take(it, (s) => caughtUps(s) === 1)));
    expect(numbers(sa!)).to.deep.equal([...Array(25).keys()]);
    expect(numbers(sb!)).to.deep.equal([...Array(15).keys()].map((i) => i + 10));
    expect(numbers(sc!)).to.deep.equal([]);
    for (const s of [sa!, sb!, sc!]) expect(s[s.length - 1]).to.deep.equal({ kind: 'caughtUp', position: positions[24] });

    // live: every subscriber gets the new events; they share the window's objects
    await appendN('s', 25, 5);
    const live = await Promise.all([a, b, c].map((it) => take(it, (s) => numbers(s).length === 5)));
    for (const s of live) expect(numbers(s)).to.deep.equal([25, 26, 27, 28, 29]);
    const objects = live.map((s) => s.filter((m) => m.kind === 'event').map((m) => (m as { object: object }).object));
    expect(objects[1]![0]).to.equal(objects[0]![0]);
    expect(objects[2]![4]).to.equal(objects[0]![4]);
    expect(store.stats().fromWindow).to.be.greaterThan(0);
  });

  it('the window holds only what a subscription inside it has yet to take (up to its size): taken events are dropped at the next commit', async () => {
    make({ pageSize: 5, windowSize: 30 });
    const a = subscribe('start');
    const b = subscribe('start');
    await Promise.all([a, b].map((it) => take(it, (s) => caughtUps(s) === 1)));
    await appendN('s', 0, 12); // twelve commits; neither has pulled yet
    expect(store.stats().held).to.equal(12);
    await take(a, (s) => numbers(s).length === 12);
    await appendN('s', 12, 1);
    expect(store.stats().held).to.equal(13); // b has taken none of them
    expect(numbers(await take(b, (s) => numbers(s).length === 13))).to.deep.equal([...Array(13).keys()]);
    await take(a, (s) => numbers(s).length === 1);
    await appendN('s', 13, 1);
    expect(store.stats().held).to.equal(1); // both took 0..12: only 13 is left
    // one that does not pull holds what it has yet to take; closed, it holds nothing
    await appendN('s', 14, 10);
    expect(store.stats().held).to.equal(11);
    expect(numbers(await take(a, (s) => numbers(s).length === 11))).to.deep.equal([...Array(11).keys()].map((i) => i + 13));
    await appendN('s', 24, 1);
    expect(store.stats().held).to.equal(12); // b has taken none of 13..24
    await open[1]!.close();
    await appendN('s', 25, 1);
    expect(store.stats().held).to.equal(2); // a has taken through 23: 24 and 25 are left
    // one that falls more than the window's size behind leaves it: it reads the store for itself, missing nothing
    await appendN('s', 26, 40);
    expect(store.stats().held).to.be.at.most(30);
    const direct = store.stats().direct;
    expect(numbers(await take(a, (s) => numbers(s).length === 42))).to.deep.equal([...Array(42).keys()].map((i) => i + 24));
    expect(store.stats().direct).to.be.greaterThan(direct);
  });

  it('a subscriber that fell behind the window reads the store for itself and misses nothing; a slow one does not hold back a fast one', async () => {
    make({ pageSize: 5, windowSize: 10 });
    const slow = subscribe('start');
    const fast = subscribe('start');
    await appendN('s', 0, 3);
    expect(numbers(await take(fast, (s) => caughtUps(s) === 1))).to.deep.equal([0, 1, 2]);
    await appendN('s', 3, 40); // the fast one follows; the slow one has not pulled at all
    expect(numbers(await take(fast, (s) => numbers(s).length === 40))).to.deep.equal([...Array(40).keys()].map((i) => i + 3));
    const directBefore = store.stats().direct;
    const slowSeen = await take(slow, (s) => numbers(s).length === 43);
    expect(numbers(slowSeen)).to.deep.equal([...Array(43).keys()]);
    expect(store.stats().direct).to.be.greaterThan(directBefore); // it started 40 events behind a 10-event window
  });

  it('falling a full page behind re-arms caughtUp, which is signalled only at the head', async () => {
    make({ pageSize: 5, windowSize: 20 });
    const it = subscribe('start');
    const first = await take(it, (s) => caughtUps(s) === 1);
    expect(first).to.deep.equal([{ kind: 'caughtUp', position: 0n }]);
    await appendN('s', 0, 12);
    const again = await take(it, (s) => caughtUps(s) === 1);
    expect(numbers(again)).to.deep.equal([...Array(12).keys()]);
    expect(again[again.length - 1]).to.deep.equal({ kind: 'caughtUp', position: await store.headPosition() });
  });

  it('delivers appends made to the store underneath (as by another process) by polling', async () => {
    make({ pageSize: 5, windowSize: 20 });
    const it = subscribe('start');
    await take(it, (s) => caughtUps(s) === 1);
    await inner.appendToStream('other', [event(7)], { expectedRevision: 'no_stream' });
    expect(numbers(await take(it, (s) => numbers(s).length === 1))).to.deep.equal([7]);
  });

  it('what this process commits goes into the window as committed: subscribers at the head get it without a read of its rows, as stored, with caughtUp from the store', async () => {
    make({ pageSize: 5, windowSize: 20 });
    const a = subscribe('start');
    const b = subscribe('start');
    await Promise.all([a, b].map((it) => take(it, (s) => caughtUps(s) === 1)));
    // one group commit of three appends (same event-loop turn)
    const events = [event(1), event(2), event(3)];
    events[0]!.data = { n: 1, nested: { list: [1, 'a'] }, raw: { big: 'x'.repeat(100) } };
    events[1]!.data = { n: 2, dropped: undefined, when: new Date('2024-05-31T22:30:00.000Z') };
    events[2]!.data = { n: 3, zero: -0, list: [1, 'a', null, { deep: true }] };
    await Promise.all(events.map((e, i) => store.appendToStream(`g${i}`, [e], { expectedRevision: 'no_stream' })));
    expect(store.stats().offered).to.equal(3);
    const [sa, sb] = await Promise.all([a, b].map((it) => take(it, (s) => numbers(s).length === 3)));
    expect(numbers(sa!)).to.deep.equal([1, 2, 3]);
    expect((sa![1] as { object: object }).object).to.equal((sb![1] as { object: object }).object);
    // the events are what a read of the store answers (JSON as stored: no undefined member, the date as text)
    const read: unknown[] = [];
    for await (const e of inner.readAll()) read.push({ ...e });
    expect(sa!.map((m) => ({ ...(m as { object: object }).object }))).to.deep.equal(read);
    expect((sa![1] as { object: { data: object } }).object.data).to.not.have.property('dropped');
    // plain JSON values are handed over as they were appended (nothing parsed again); the others as stored.
    // A raw payload stored apart (events.raw) comes as a copy of data's other members, with raw parsed on first read.
    const announced = (sa![0] as { object: { data: { n: number; nested: unknown; raw: unknown } } }).object.data;
    expect(announced).to.not.equal(events[0]!.data);
    expect(announced.nested).to.equal((events[0]!.data as { nested: unknown }).nested);
    expect(Object.keys(announced)).to.deep.equal(['n', 'nested', 'raw']);
    expect(announced.raw).to.deep.equal((events[0]!.data as { raw: unknown }).raw);
    expect((sa![1] as { object: { data: object } }).object.data).to.not.equal(events[1]!.data);
    expect((sa![2] as { object: { data: { zero: number } } }).object.data.zero).to.satisfy((z: number) => Object.is(z, 0)); // -0 is stored as 0
  });

  it('a commit that does not continue the window (another writer appended in between) is read from the store, in order', async () => {
    make({ pageSize: 5, windowSize: 20 });
    const other = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
    try {
      const it = subscribe('start');
      await take(it, (s) => caughtUps(s) === 1);
      await other.appendToStream('other', [event(1)], { expectedRevision: 'no_stream' }); // not seen by this process's window yet
      await store.appendToStream('mine', [event(2)], { expectedRevision: 'no_stream' });
      expect(store.stats().offered).to.equal(0);
      expect(numbers(await take(it, (s) => numbers(s).length === 2))).to.deep.equal([1, 2]);
    } finally {
      await other.close();
    }
  });

  describe('at the head, without polling (a poll interval of a minute)', () => {
    const makeUnpolled = () => {
      inner = new SqliteEventStore({ filename: join(dir.path, 'events.db'), pollIntervalMs: 60_000 });
      store = new SharedTailEventStore(inner, { pageSize: 5, windowSize: 20, pollIntervalMs: 60_000 });
    };

    it('own appends reach caught-up subscribers from the window, with no read of the store; caughtUp still comes from the store', async () => {
      makeUnpolled();
      const a = subscribe('start');
      const b = subscribe('start');
      await Promise.all([a, b].map((it) => take(it, (s) => caughtUps(s) === 1)));
      const before = store.stats();
      for (let i = 0; i < 4; i++) {
        await appendN('s', i, 1);
        const [sa, sb] = await Promise.all([a, b].map((it) => take(it, (s) => numbers(s).length === 1)));
        expect(numbers(sa!)).to.deep.equal([i]);
        expect(numbers(sb!)).to.deep.equal([i]);
      }
      const after = store.stats();
      expect(after.extensions).to.equal(before.extensions); // no read of the store for them
      expect(after.coveredByWindow).to.be.greaterThan(before.coveredByWindow);
      // falling a full page behind: caughtUp again, decided by the store
      await appendN('s', 4, 7);
      const again = await take(a, (s) => caughtUps(s) === 1);
      expect(numbers(again)).to.deep.equal([4, 5, 6, 7, 8, 9, 10]);
      expect(again[again.length - 1]).to.deep.equal({ kind: 'caughtUp', position: await store.headPosition() });
      expect(store.stats().extensions).to.be.greaterThan(after.extensions);
    });

    it('a wake from outside (another thread appended to the store underneath) reads the store at once', async () => {
      makeUnpolled();
      const it = subscribe('start');
      await take(it, (s) => caughtUps(s) === 1);
      await appendN('s', 0, 1);
      expect(numbers(await take(it, (s) => numbers(s).length === 1))).to.deep.equal([0]);
      await inner.appendToStream('other', [event(1)], { expectedRevision: 'no_stream' });
      const pending = take(it, (s) => numbers(s).length === 1);
      store.wakeSubscriptions();
      expect(numbers(await pending)).to.deep.equal([1]);
    });

    it('an own append the window could not take (another writer appended first) is read from the store at once, after the other one', async () => {
      makeUnpolled();
      const other = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
      try {
        const it = subscribe('start');
        await take(it, (s) => caughtUps(s) === 1);
        await appendN('s', 0, 1);
        expect(numbers(await take(it, (s) => numbers(s).length === 1))).to.deep.equal([0]);
        await other.appendToStream('other', [event(1)], { expectedRevision: 'no_stream' });
        await store.appendToStream('mine', [event(2)], { expectedRevision: 'no_stream' });
        expect(numbers(await take(it, (s) => numbers(s).length === 2))).to.deep.equal([1, 2]);
      } finally {
        await other.close();
      }
    });

    it('an append made while the subscriber was busy with its consumer is not left for the next poll', async () => {
      makeUnpolled();
      const it = subscribe('start');
      await take(it, (s) => caughtUps(s) === 1);
      await appendN('s', 0, 1);
      // the consumer holds the last event and has not pulled again: the subscription is not waiting
      expect(numbers(await take(it, (s) => numbers(s).length === 1))).to.deep.equal([0]);
      await appendN('s', 1, 1);
      expect(numbers(await take(it, (s) => numbers(s).length === 1))).to.deep.equal([1]);
    });
  });

  it('close() ends an iteration and a subscription never iterated', async () => {
    make({ pageSize: 5, windowSize: 20 });
    const idle = store.subscribeToAll({ fromPosition: 'start' });
    const it = subscribe('start');
    await take(it, (s) => caughtUps(s) === 1);
    const pending = it.next();
    await open[0]!.close();
    expect((await pending).done).to.equal(true);
    await idle.close();
  });

  it('passes findInStream through when the store underneath has it', async () => {
    make({ pageSize: 5, windowSize: 20 });
    const e = event(1);
    await store.appendToStream('f', [e], { expectedRevision: 'no_stream' });
    expect(await store.findInStream!('f', [e.id])).to.deep.include({ revision: 0n });
  });
});
