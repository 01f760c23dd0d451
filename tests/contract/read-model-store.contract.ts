import { expect } from 'chai';
import {
  CheckpointMovedError,
  CollectionSpec,
  InvalidCursorError,
  InvalidQueryError,
  JsonObject,
  ReadModelStore,
  StaleGenerationError,
  decodePosition,
  encodePosition,
  shadowName,
} from '../../src/application/ports/read-model-store.port';

export interface StoreFixture {
  store: ReadModelStore;
  dispose(): Promise<void>;
}

const ITEMS: CollectionSpec = {
  name: 'items',
  indexes: [{ fields: ['period', 'status'] }, { fields: ['amount'] }, { fields: ['codes'], multi: ['codes'] }, { fields: ['seq'] }],
};

const upsert = (id: string, position: bigint, doc: JsonObject, collection = 'items') => ({ kind: 'upsert' as const, collection, id, position, doc });

/** The ReadModelStore contract: every adapter must pass it. */
export function readModelStoreContract(label: string, open: () => Promise<StoreFixture>): void {
  describe(`ReadModelStore contract: ${label}`, function () {
    this.timeout(30_000);
    let fx: StoreFixture;
    let store: ReadModelStore;
    beforeEach(async () => {
      fx = await open();
      store = fx.store;
      await store.ensureCollections([ITEMS]);
    });
    afterEach(async () => fx.dispose());

    it('encodes positions losslessly and in order, up to 128 bits', () => {
      const big = (1n << 128n) - 1n;
      expect(decodePosition(encodePosition(big))).to.equal(big);
      expect(encodePosition(9n) < encodePosition(10n)).to.equal(true);
      expect(encodePosition((5n << 64n) | 1n) > encodePosition((4n << 64n) | 0xffffn)).to.equal(true);
    });

    it('upserts documents with their position and gets them by id', async () => {
      const result = await store.commit([upsert('a', 3n, { period: '2024-05', status: 'matched', amount: 1, seq: 1 })]);
      expect(result).to.deep.equal({ applied: 1, skipped: 0 });
      const doc = await store.get('items', 'a');
      expect(doc).to.deep.equal({ _id: 'a', position: 3n, doc: { period: '2024-05', status: 'matched', amount: 1, seq: 1 } });
      expect(await store.get('items', 'missing')).to.equal(undefined);
    });

    it('skips a write older than the stored position and applies one at the same or a later position', async () => {
      await store.commit([upsert('a', 10n, { status: 'new', period: 'p', amount: 1, seq: 1 })]);
      const older = await store.commit([upsert('a', 9n, { status: 'old', period: 'p', amount: 1, seq: 1 })]);
      expect(older).to.deep.equal({ applied: 0, skipped: 1 });
      expect((await store.get('items', 'a'))!.doc.status).to.equal('new');
      await store.commit([upsert('a', 10n, { status: 'same', period: 'p', amount: 1, seq: 1 })]);
      expect((await store.get('items', 'a'))!.doc.status).to.equal('same');
      const huge = (7n << 64n) | 3n;
      await store.commit([upsert('a', huge, { status: 'esdb', period: 'p', amount: 1, seq: 1 })]);
      await store.commit([upsert('a', huge - 1n, { status: 'stale', period: 'p', amount: 1, seq: 1 })]);
      expect(await store.get('items', 'a')).to.deep.include({ position: huge });
      expect((await store.get('items', 'a'))!.doc.status).to.equal('esdb');
    });

    it('deletes with the position guard', async () => {
      await store.commit([upsert('a', 5n, { period: 'p', status: 's', amount: 1, seq: 1 }), upsert('b', 5n, { period: 'p', status: 's', amount: 1, seq: 2 })]);
      await store.commit([
        { kind: 'delete', collection: 'items', id: 'a', position: 4n },
        { kind: 'delete', collection: 'items', id: 'b', position: 6n },
      ]);
      expect(await store.get('items', 'a')).to.not.equal(undefined);
      expect(await store.get('items', 'b')).to.equal(undefined);
    });

    it('gets many documents at once', async () => {
      await store.commit([upsert('a', 1n, { seq: 1 }), upsert('b', 2n, { seq: 2 }), upsert('c', 3n, { seq: 3 })]);
      const many = await store.getMany('items', ['a', 'c', 'zz']);
      expect([...many.keys()].sort()).to.deep.equal(['a', 'c']);
      expect(many.get('c')!.position).to.equal(3n);
    });

    it('finds with equality, $in, ranges and array fields; counts; rejects undeclared fields', async () => {
      await store.commit([
        upsert('o1', 1n, { period: '2024-05', status: 'matched', amount: 10, codes: [], seq: 1 }),
        upsert('o2', 2n, { period: '2024-05', status: 'drift', amount: 20, codes: ['AMOUNT_MISMATCH', 'TAX_MISMATCH'], seq: 2 }),
        upsert('o3', 3n, { period: '2024-06', status: 'drift', amount: 30, codes: ['TAX_MISMATCH'], seq: 3 }),
        upsert('o4', 4n, { period: '2024-06', status: 'pending', amount: 40, codes: [], seq: 4 }),
      ]);
      const ids = async (filter: Parameters<ReadModelStore['find']>[1]['filter']) =>
        (await store.find('items', { filter, limit: 100 })).items.map((d) => d._id);
      expect(await ids({ period: '2024-05' })).to.deep.equal(['o1', 'o2']);
      expect(await ids({ status: { $in: ['drift', 'pending'] } })).to.deep.equal(['o2', 'o3', 'o4']);
      expect(await ids({ amount: { $gte: 20, $lt: 40 } })).to.deep.equal(['o2', 'o3']);
      expect(await ids({ codes: 'TAX_MISMATCH' })).to.deep.equal(['o2', 'o3']);
      expect(await ids({ codes: { $in: ['AMOUNT_MISMATCH'] }, period: '2024-05' })).to.deep.equal(['o2']);
      expect(await ids({ period: { $gt: '2024-05' } })).to.deep.equal(['o3', 'o4']);
      expect(await store.count('items', { status: 'drift' })).to.equal(2);
      expect(await store.count('items')).to.equal(4);
      // After a rewrite the array index follows the new document.
      await store.commit([upsert('o2', 5n, { period: '2024-05', status: 'matched', amount: 20, codes: [], seq: 2 })]);
      expect(await ids({ codes: 'TAX_MISMATCH' })).to.deep.equal(['o3']);
      let error: unknown;
      try {
        await store.find('items', { filter: { unindexed: 1 }, limit: 10 });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(InvalidQueryError);
    });

    it('pages with a stable sort and cursors, in both directions', async () => {
      const writes = Array.from({ length: 25 }, (_, i) =>
        upsert(`d${String(i).padStart(2, '0')}`, BigInt(i + 1), { period: i % 2 ? '2024-05' : '2024-06', status: 's', amount: i % 5, seq: i }),
      );
      await store.commit(writes);
      const walk = async (direction: 'asc' | 'desc') => {
        const seen: string[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 20; guard++) {
          const page = await store.find('items', { sort: [{ field: 'amount', direction, type: 'number' }], limit: 7, ...(after ? { after } : {}) });
          seen.push(...page.items.map((d) => d._id));
          if (!page.next) break;
          after = page.next;
        }
        return seen;
      };
      const asc = await walk('asc');
      const expectedAsc = writes
        .map((w) => ({ id: w.id, amount: w.doc.amount as number }))
        .sort((a, b) => a.amount - b.amount || (a.id < b.id ? -1 : 1))
        .map((x) => x.id);
      expect(asc).to.deep.equal(expectedAsc);
      const desc = await walk('desc');
      const expectedDesc = writes
        .map((w) => ({ id: w.id, amount: w.doc.amount as number }))
        .sort((a, b) => b.amount - a.amount || (a.id < b.id ? -1 : 1))
        .map((x) => x.id);
      expect(desc).to.deep.equal(expectedDesc);
      const filtered = await store.find('items', { filter: { period: '2024-05' }, sort: [{ field: 'seq', direction: 'desc', type: 'number' }], limit: 3 });
      expect(filtered.items.map((d) => d.doc.seq)).to.deep.equal([23, 21, 19]);
      const next = await store.find('items', { filter: { period: '2024-05' }, sort: [{ field: 'seq', direction: 'desc', type: 'number' }], limit: 3, after: filtered.next! });
      expect(next.items.map((d) => d.doc.seq)).to.deep.equal([17, 15, 13]);
    });

    it('refuses a cursor that does not fit the query: another type for a sort value, a value too many or too few', async () => {
      await store.commit(Array.from({ length: 4 }, (_, i) => upsert(`c${i}`, BigInt(i + 1), { period: '2024-05', status: 's', amount: i, seq: i })));
      const first = await store.find('items', { sort: [{ field: 'amount', direction: 'asc', type: 'number' }], limit: 2 });
      expect(JSON.parse(Buffer.from(first.next!, 'base64url').toString('utf8'))).to.deep.equal([1, 'c1']);
      const forge = (values: unknown) => Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
      const refused = async (sort: 'number' | 'string', after: string) => {
        try {
          await store.find('items', { sort: [{ field: 'amount', direction: 'asc', type: sort }], limit: 2, after });
        } catch (err) {
          return err;
        }
        return undefined;
      };
      for (const values of [['1', 'c1'], [1, 1], [1], [1, 'c1', 'c2'], { amount: 1, _id: 'c1' }, [null, 'c1']]) {
        expect(await refused('number', forge(values)), JSON.stringify(values)).to.be.instanceOf(InvalidCursorError);
      }
      expect(await refused('number', 'not base64 json')).to.be.instanceOf(InvalidCursorError);
      // The same cursor under a sort declared to hold strings is not one of that query's cursors either.
      expect(await refused('string', first.next!)).to.be.instanceOf(InvalidCursorError);
      const second = await store.find('items', { sort: [{ field: 'amount', direction: 'asc', type: 'number' }], limit: 2, after: first.next! });
      expect(second.items.map((d) => d._id)).to.deep.equal(['c2', 'c3']);
    });

    it('scans every document in id order', async () => {
      await store.commit(Array.from({ length: 1203 }, (_, i) => upsert(`s${String(i).padStart(5, '0')}`, 1n, { seq: i })));
      let n = 0;
      let last = '';
      for await (const d of store.scan('items')) {
        expect(d._id > last).to.equal(true);
        last = d._id;
        n++;
      }
      expect(n).to.equal(1203);
    });

    it('stores checkpoints with a batch and refuses a stale generation without writing', async () => {
      expect(await store.getCheckpoint('p1')).to.deep.equal({ name: 'p1', position: 0n, generation: 0 });
      await store.commit([upsert('a', 7n, { seq: 1 })], [{ name: 'p1', position: 7n, expectedPosition: 0n, generation: 0 }]);
      expect(await store.getCheckpoint('p1')).to.deep.equal({ name: 'p1', position: 7n, generation: 0 });
      let error: unknown;
      try {
        await store.commit([upsert('b', 8n, { seq: 2 })], [{ name: 'p1', position: 8n, expectedPosition: 7n, generation: 3 }]);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(StaleGenerationError);
      expect(await store.get('items', 'b')).to.equal(undefined);
      expect((await store.getCheckpoint('p1')).position).to.equal(7n);
    });

    it('moves a checkpoint only from the position the batch started from, refusing a stale batch of another writer without writing', async () => {
      const items = () => store.count('items');
      await store.commit([upsert('a', 7n, { seq: 1 })], [{ name: 'p1', position: 7n, expectedPosition: 0n, generation: 0 }]);
      // A second writer that started from 0 (it read the checkpoint before the first one committed).
      const refused = async (expectedPosition: bigint, name = 'p1') => {
        try {
          await store.commit([upsert('a', 8n, { seq: 99 }), upsert('b', 8n, { seq: 2 })], [{ name, position: 8n, expectedPosition, generation: 0 }]);
        } catch (err) {
          return err;
        }
        return undefined;
      };
      const error = await refused(0n);
      expect(error).to.be.instanceOf(CheckpointMovedError);
      expect(error).to.include({ checkpoint: 'p1', expected: 0n, actual: 7n });
      expect(await store.get('items', 'a'), 'nothing of the refused batch is written').to.deep.equal({ _id: 'a', position: 7n, doc: { seq: 1 } });
      expect(await store.get('items', 'b')).to.equal(undefined);
      expect(await items()).to.equal(1);
      expect(await store.getCheckpoint('p1')).to.deep.equal({ name: 'p1', position: 7n, generation: 0 });
      // Ahead of the stored position is refused too, and so is a first move of an absent checkpoint from elsewhere than 0.
      expect(await refused(5n)).to.include({ name: 'CheckpointMovedError', expected: 5n, actual: 7n });
      expect(await refused(3n, 'p2')).to.include({ name: 'CheckpointMovedError', checkpoint: 'p2', expected: 3n, actual: 0n });
      expect(await store.getCheckpoint('p2')).to.deep.equal({ name: 'p2', position: 0n, generation: 0 });
      expect(await items()).to.equal(1);
      // One checkpoint of several out of place refuses the whole commit.
      let mixed: unknown;
      try {
        await store.commit([upsert('c', 8n, { seq: 3 })], [
          { name: 'p2', position: 8n, expectedPosition: 0n, generation: 0 },
          { name: 'p1', position: 8n, expectedPosition: 6n, generation: 0 },
        ]);
      } catch (err) {
        mixed = err;
      }
      expect(mixed).to.be.instanceOf(CheckpointMovedError);
      expect(await store.get('items', 'c')).to.equal(undefined);
      expect((await store.getCheckpoint('p2')).position).to.equal(0n);
      // From the stored position the move goes through, and a step at an unchanged checkpoint does too.
      await store.commit([upsert('b', 8n, { seq: 2 })], [{ name: 'p1', position: 8n, expectedPosition: 7n, generation: 0 }]);
      await store.commit([upsert('d', 8n, { seq: 4 })], [{ name: 'p1', position: 8n, expectedPosition: 8n, generation: 0 }]);
      expect(await store.getCheckpoint('p1')).to.deep.equal({ name: 'p1', position: 8n, generation: 0 });
      expect(await items()).to.equal(3);
    });

    it('keeps dead letters once per projection and position', async () => {
      const dl = { projection: 'p1', position: 12n, eventId: 'e-12', eventType: 'Poison', streamId: 'order-x', error: 'boom', failedAt: '2024-05-01T00:00:00.000Z' };
      await store.addDeadLetter(dl);
      await store.addDeadLetter(dl);
      await store.addDeadLetter({ ...dl, projection: 'p2', position: 3n });
      expect(await store.listDeadLetters('p1')).to.deep.equal([dl]);
      expect((await store.listDeadLetters()).map((d) => d.projection)).to.deep.equal(['p2', 'p1']);
    });

    it('rebuilds into a shadow and swaps it in with the shadow checkpoint and a new generation', async () => {
      await store.commit([upsert('old', 5n, { period: 'p', status: 'live', amount: 1, codes: ['X'], seq: 1 })], [{ name: 'proj', position: 5n, expectedPosition: 0n, generation: 0 }]);
      await store.prepareShadow(['items'], 'proj');
      const shadow = shadowName('items');
      await store.commit([upsert('new', 9n, { period: 'p', status: 'rebuilt', amount: 2, codes: ['Y'], seq: 2 }, shadow)], [
        { name: shadowName('proj'), position: 9n, expectedPosition: 0n, generation: 0 },
      ]);
      expect((await store.find(shadow, { filter: { status: 'rebuilt' }, limit: 10 })).items.map((d) => d._id)).to.deep.equal(['new']);
      expect(await store.get('items', 'new')).to.equal(undefined);
      const swapped = await store.swapShadow(['items'], 'proj');
      expect(swapped).to.deep.equal({ name: 'proj', position: 9n, generation: 1 });
      expect(await store.getCheckpoint('proj')).to.deep.equal(swapped);
      expect(await store.get('items', 'old')).to.equal(undefined);
      expect((await store.find('items', { filter: { codes: 'Y' }, limit: 10 })).items.map((d) => d._id)).to.deep.equal(['new']);
      expect(await store.count('items', { codes: 'X' })).to.equal(0);
      // A writer of the old generation is refused; the live collection still takes the new one.
      let error: unknown;
      try {
        await store.commit([upsert('late', 10n, { seq: 3 })], [{ name: 'proj', position: 10n, expectedPosition: 5n, generation: 0 }]);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(StaleGenerationError);
      await store.commit([upsert('late', 10n, { period: 'p', status: 'live', amount: 3, seq: 3 })], [{ name: 'proj', position: 10n, expectedPosition: 9n, generation: 1 }]);
      expect(await store.count('items', { status: 'live' })).to.equal(1);
      // A second rebuild works the same way (index names are free again).
      await store.prepareShadow(['items'], 'proj');
      expect(await store.count(shadow)).to.equal(0);
      await store.swapShadow(['items'], 'proj');
      expect(await store.count('items')).to.equal(0);
    });

    it('answers ping', async () => {
      expect((await store.ping()).ok).to.equal(true);
    });
  });
}
