import { join } from 'node:path';
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
