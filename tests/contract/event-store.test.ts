import { join } from 'node:path';
import { EsdbEventStore } from '../../src/infrastructure/event-store/esdb/esdb-event-store';
import { SharedTailEventStore } from '../../src/infrastructure/event-store/shared-tail-event-store';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { tempDir } from '../support/temp-dir';
import { eventStoreContract } from './event-store.contract';

/** A fresh SQLite log in a temp dir, optionally behind the shared tail. */
function sqliteSetup(options: { writerThread?: boolean; sharedTail?: boolean }) {
  return async () => {
    const dir = tempDir();
    const sqlite = new SqliteEventStore({ filename: join(dir.path, 'events.db'), ...(options.sharedTail ? {} : { pollIntervalMs: 20 }), ...(options.writerThread ? { writerThread: true } : {}) });
    const store = options.sharedTail ? new SharedTailEventStore(sqlite, { pollIntervalMs: 20 }) : sqlite;
    return {
      store,
      dispose: async () => {
        await store.close();
        dir.remove();
      },
    };
  };
}

eventStoreContract('sqlite', sqliteSetup({}));
eventStoreContract('sqlite with its log writer thread (commits off the calling thread)', sqliteSetup({ writerThread: true }));
eventStoreContract('sqlite with its log writer thread, behind the shared tail', sqliteSetup({ writerThread: true, sharedTail: true }));
eventStoreContract('sqlite behind the shared tail (fan-out decorator)', sqliteSetup({ sharedTail: true }));

const esdb = process.env.EVENTSTORE_CONNECTION_STRING;
if (esdb) {
  eventStoreContract('eventstoredb', async () => {
    const store = EsdbEventStore.fromConnectionString(esdb);
    return { store, dispose: () => store.close() };
  });
} else {
  describe('EventStore contract: eventstoredb', () => {
    it.skip('skipped: no EventStoreDB (set EVENTSTORE_CONNECTION_STRING to run this suite)');
  });
}
