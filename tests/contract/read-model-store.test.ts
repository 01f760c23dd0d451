import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { encodePosition } from '../../src/application/ports/read-model-store.port';
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
  });
}
