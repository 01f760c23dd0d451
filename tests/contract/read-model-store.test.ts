import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { CheckpointMovedError, encodePosition, shadowName } from '../../src/application/ports/read-model-store.port';
import { MongoReadModelStore } from '../../src/infrastructure/read-models/mongo/mongo-read-model-store';
import { SqliteReadModelStore } from '../../src/infrastructure/read-models/sqlite/sqlite-read-model-store';
import { tempDir } from '../support/temp-dir';
import { readModelStoreContract } from './read-model-store.contract';

readModelStoreContract('sqlite', async () => {
  const dir = tempDir();
  const store = new SqliteReadModelStore({ filename: join(dir.path, 'read-models.db') });
  return {
    store,
    dispose: async () => {
      await store.close();
      dir.remove();
    },
  };
});

const mongoUri = process.env.MONGODB_URI;
if (mongoUri) {
  let n = 0;
  readModelStoreContract('mongodb', async () => {
    const store = MongoReadModelStore.fromUri(mongoUri, `ledger_contract_${process.pid}_${n++}`);
    await store.dropDatabase();
    return {
      store,
      dispose: async () => {
        await store.dropDatabase();
        await store.close();
      },
    };
  });
} else {
  describe('ReadModelStore contract: mongodb', () => {
    it.skip('skipped: no MongoDB (set MONGODB_URI to run this suite; .ci/run starts FerretDB)');
  });
}

if (mongoUri) {
  describe('MongoDB read models: a batch interrupted by a crash', () => {
    it('is completed from its redo record when the store is opened again; an uncommitted one stays absent', async () => {
      const database = `ledger_redo_${process.pid}`;
      const first = MongoReadModelStore.fromUri(mongoUri, database);
      await first.dropDatabase();
      await first.ensureCollections([{ name: 'items', indexes: [{ fields: ['seq'] }] }]);
      await first.close();
      // What a crash between the commit record and the writes leaves behind.
      const client = new MongoClient(mongoUri);
      try {
        const redo = client.db(database).collection<{ _id: string; [k: string]: unknown }>('rm_meta_redo');
        await redo.insertMany([
          { _id: 'c1:000000', kind: 'chunk', commitId: 'c1', ops: JSON.stringify([['u', 'items', 'a', encodePosition(5n), { seq: 1 }]]) },
          { _id: 'c1', kind: 'commit', chunks: 1, checkpoints: [{ name: 'proj', position: encodePosition(5n), generation: 0 }], createdAt: new Date() },
          { _id: 'c2:000000', kind: 'chunk', commitId: 'c2', ops: JSON.stringify([['u', 'items', 'b', encodePosition(6n), { seq: 2 }]]) },
        ]);
      } finally {
        await client.close();
      }
      const reopened = MongoReadModelStore.fromUri(mongoUri, database);
      try {
        await reopened.ensureCollections([{ name: 'items', indexes: [{ fields: ['seq'] }] }]);
        expect(await reopened.get('items', 'a')).to.deep.equal({ _id: 'a', position: 5n, doc: { seq: 1 } });
        expect(await reopened.get('items', 'b'), 'a batch that never committed stays absent').to.equal(undefined);
        expect(await reopened.getCheckpoint('proj')).to.deep.equal({ name: 'proj', position: 5n, generation: 0 });
      } finally {
        await reopened.dropDatabase();
        await reopened.close();
      }
    });

    it('replays a batch that still holds its checkpoint claim; drops one whose checkpoint moved on; drops stale claims of batches that never wrote a record', async () => {
      const database = `ledger_redo_cas_${process.pid}`;
      const items = [{ name: 'items', indexes: [{ fields: ['seq'] }] }];
      const first = MongoReadModelStore.fromUri(mongoUri, database);
      await first.dropDatabase();
      await first.ensureCollections(items);
      // Another writer committed proj → 7 (an aggregate at 2 orders), q → 3, r and s → 2.
      await first.commit([{ kind: 'upsert', collection: 'items', id: 'sum', position: 7n, doc: { seq: 2 } }], [
        { name: 'proj', position: 7n, expectedPosition: 0n, generation: 0 },
        { name: 'q', position: 3n, expectedPosition: 0n, generation: 0 },
        { name: 'r', position: 2n, expectedPosition: 0n, generation: 0 },
        { name: 's', position: 2n, expectedPosition: 0n, generation: 0 },
      ]);
      await first.close();
      const client = new MongoClient(mongoUri);
      const claims = client.db(database).collection<{ _id: string; [k: string]: unknown }>('rm_meta_checkpoint_claims');
      try {
        const redo = client.db(database).collection<{ _id: string; [k: string]: unknown }>('rm_meta_redo');
        const cp = (name: string, from: bigint, to: bigint) => ({ name, position: encodePosition(to), generation: 0, expectedPosition: encodePosition(from) });
        // c1 started from 5 and lost its claim (taken over as stale); the checkpoint is elsewhere now.
        // c2 crashed holding its claim on q, after its commit document. c3 crashed right after claiming
        // r, long ago; c4 is a live writer claiming s right now.
        await redo.insertMany([
          { _id: 'c1:000000', kind: 'chunk', commitId: 'c1', ops: JSON.stringify([['u', 'items', 'sum', encodePosition(9n), { seq: 4 }]]) },
          { _id: 'c1', kind: 'commit', chunks: 1, checkpoints: [cp('proj', 5n, 9n)], createdAt: new Date(1) },
          { _id: 'c2:000000', kind: 'chunk', commitId: 'c2', ops: JSON.stringify([['u', 'items', 'q1', encodePosition(6n), { seq: 1 }]]) },
          { _id: 'c2', kind: 'commit', chunks: 1, checkpoints: [cp('q', 3n, 6n)], createdAt: new Date(2) },
        ]);
        const claim = (checkpoint: string, from: bigint, to: bigint, commitId: string, claimedAt: Date) =>
          ({ _id: `${checkpoint}@0@${encodePosition(from)}`, checkpoint, from: encodePosition(from), to: encodePosition(to), commitId, claimedAt }) as { _id: string };
        await claims.insertMany([
          claim('q', 3n, 6n, 'c2', new Date()),
          claim('r', 2n, 3n, 'c3', new Date(Date.now() - 60_000)),
          claim('s', 2n, 3n, 'c4', new Date()),
        ]);
        const reopened = MongoReadModelStore.fromUri(mongoUri, database);
        try {
          await reopened.ensureCollections(items);
          expect(await reopened.get('items', 'sum'), 'the lost batch is not replayed').to.deep.equal({ _id: 'sum', position: 7n, doc: { seq: 2 } });
          expect(await reopened.getCheckpoint('proj')).to.deep.equal({ name: 'proj', position: 7n, generation: 0 });
          expect(await reopened.get('items', 'q1')).to.deep.equal({ _id: 'q1', position: 6n, doc: { seq: 1 } });
          expect(await reopened.getCheckpoint('q')).to.deep.equal({ name: 'q', position: 6n, generation: 0 });
          expect(await client.db(database).collection('rm_meta_redo').countDocuments()).to.equal(0);
          const held = await claims.find({ commitId: { $in: ['c2', 'c3', 'c4'] } }).project({ commitId: 1 }).sort({ _id: 1 }).toArray();
          expect(held, 'the stale claim is dropped, the live one kept, the one q moved from kept').to.deep.equal([
            { _id: `q@0@${encodePosition(3n)}`, commitId: 'c2' },
            { _id: `s@0@${encodePosition(2n)}`, commitId: 'c4' },
          ]);
          // While c4 holds s, another commit from s's position is refused and writes nothing.
          let error: unknown;
          try {
            await reopened.commit([{ kind: 'upsert', collection: 'items', id: 's1', position: 4n, doc: { seq: 5 } }], [{ name: 's', position: 4n, expectedPosition: 2n, generation: 0 }]);
          } catch (err) {
            error = err;
          }
          expect(error).to.be.instanceOf(CheckpointMovedError);
          expect(error).to.include({ checkpoint: 's', expected: 2n, actual: 2n });
          expect(await reopened.get('items', 's1')).to.equal(undefined);
          // Once the claim is stale it is taken over (released: c4 never wrote a record); the next try goes through.
          await claims.updateOne({ _id: `s@0@${encodePosition(2n)}` }, { $set: { claimedAt: new Date(Date.now() - 60_000) } });
          error = undefined;
          try {
            await reopened.commit([{ kind: 'upsert', collection: 'items', id: 's1', position: 4n, doc: { seq: 5 } }], [{ name: 's', position: 4n, expectedPosition: 2n, generation: 0 }]);
          } catch (err) {
            error = err;
          }
          expect(error).to.be.instanceOf(CheckpointMovedError);
          await reopened.commit([{ kind: 'upsert', collection: 'items', id: 's1', position: 4n, doc: { seq: 5 } }], [{ name: 's', position: 4n, expectedPosition: 2n, generation: 0 }]);
          expect(await reopened.getCheckpoint('s')).to.deep.equal({ name: 's', position: 4n, generation: 0 });
          expect(await reopened.get('items', 's1')).to.deep.equal({ _id: 's1', position: 4n, doc: { seq: 5 } });
        } finally {
          await reopened.dropDatabase();
          await reopened.close();
        }
      } finally {
        await client.close();
      }
    });
  });
}

if (mongoUri) {
  describe('MongoDB read models: a shadow swap interrupted by a crash', () => {
    const items = [{ name: 'items', indexes: [{ fields: ['seq'] }] }];
    let n = 0;

    /** A live `items` at position 5 and its rebuilt shadow at position 9, ready to swap. */
    async function rebuilt(database: string): Promise<void> {
      const store = MongoReadModelStore.fromUri(mongoUri!, database);
      await store.dropDatabase();
      await store.ensureCollections(items);
      await store.commit([{ kind: 'upsert', collection: 'items', id: 'old', position: 5n, doc: { seq: 1 } }], [{ name: 'proj', position: 5n, expectedPosition: 0n, generation: 0 }]);
      await store.prepareShadow(['items'], 'proj');
      await store.commit([{ kind: 'upsert', collection: shadowName('items'), id: 'new', position: 9n, doc: { seq: 2 } }], [{ name: shadowName('proj'), position: 9n, expectedPosition: 0n, generation: 0 }]);
      await store.close();
    }

    /** Raw access to the database, as the crashed process left it. */
    async function raw<T>(database: string, act: (db: ReturnType<MongoClient['db']>) => Promise<T>): Promise<T> {
      const client = new MongoClient(mongoUri!);
      try {
        return await act(client.db(database));
      } finally {
        await client.close();
      }
    }

    const recordIntent = (database: string) =>
      raw(database, (db) =>
        db.collection<{ _id: string }>('rm_meta_swaps').insertOne({ _id: 'proj', collections: ['items'], position: encodePosition(9n), generation: 1, createdAt: new Date() } as { _id: string }),
      );

    async function expectSwapped(database: string, open: (store: MongoReadModelStore) => Promise<void>): Promise<void> {
      const store = MongoReadModelStore.fromUri(mongoUri!, database);
      try {
        await open(store);
        expect(await store.get('items', 'new')).to.deep.equal({ _id: 'new', position: 9n, doc: { seq: 2 } });
        expect(await store.get('items', 'old')).to.equal(undefined);
        expect(await store.getCheckpoint('proj')).to.deep.equal({ name: 'proj', position: 9n, generation: 1 });
        const left = await raw(database, async (db) => ({
          collections: (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((c) => c.includes('shadow')),
          swaps: await db.collection('rm_meta_swaps').countDocuments(),
          shadowCheckpoint: await db.collection<{ _id: string }>('rm_meta_checkpoints').countDocuments({ _id: shadowName('proj') }),
        }));
        expect(left).to.deep.equal({ collections: [], swaps: 0, shadowCheckpoint: 0 });
      } finally {
        await store.dropDatabase();
        await store.close();
      }
    }

    it('is completed when the store is opened again, when the crash came before the first rename', async () => {
      const database = `ledger_swap_${process.pid}_${n++}`;
      await rebuilt(database);
      await recordIntent(database);
      await expectSwapped(database, (store) => store.ensureCollections(items));
    });

    it('is completed when the live collection was already dropped and the shadow not yet renamed', async () => {
      const database = `ledger_swap_${process.pid}_${n++}`;
      await rebuilt(database);
      await recordIntent(database);
      await raw(database, (db) => db.collection('items').drop());
      await expectSwapped(database, (store) => store.ensureCollections(items));
    });

    it('is completed, not thrown away, by the next rebuild preparing its shadows', async () => {
      const database = `ledger_swap_${process.pid}_${n++}`;
      await rebuilt(database);
      await recordIntent(database);
      const store = MongoReadModelStore.fromUri(mongoUri!, database);
      try {
        await store.prepareShadow(['items'], 'proj');
        expect(await store.get('items', 'new')).to.deep.equal({ _id: 'new', position: 9n, doc: { seq: 2 } });
        expect(await store.getCheckpoint('proj')).to.deep.equal({ name: 'proj', position: 9n, generation: 1 });
        expect(await store.count(shadowName('items')), 'the new rebuild starts from an empty shadow').to.equal(0);
        expect(await raw(database, (db) => db.collection('rm_meta_swaps').countDocuments())).to.equal(0);
      } finally {
        await store.dropDatabase();
        await store.close();
      }
    });
  });
}
