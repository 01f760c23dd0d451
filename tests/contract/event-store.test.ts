import { join } from 'node:path';
import { EsdbEventStore } from '../../src/infrastructure/event-store/esdb/esdb-event-store';
import { SharedTailEventStore } from '../../src/infrastructure/event-store/shared-tail-event-store';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { tempDir } from '../support/temp-dir';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('sqlite', async () => {
  const dir = tempDir();
  const store = new SqliteEventStore({ filename: join(dir.path, 'events.db'), pollIntervalMs: 20 });
  return {
    store,
    dispose: async () => {
      await store.close();
      dir.remove();
    },
  };
});

eventStoreContract('sqlite with its log writer thread (commits off the calling thread)', async () => {
  const dir = tempDir();
  const store = new SqliteEventStore({ filename: join(dir.path, 'events.db'), pollIntervalMs: 20, writerThread: true });
  return {
    store,
    dispose: async () => {
      await store.close();
      dir.remove();
    },
  };
});

eventStoreContract('sqlite with its log writer thread, behind the shared tail', async () => {
  const dir = tempDir();
  const store = new SharedTailEventStore(new SqliteEventStore({ filename: join(dir.path, 'events.db'), writerThread: true }), { pollIntervalMs: 20 });
  return {
    store,
    dispose: async () => {
      await store.close();
      dir.remove();
    },
  };
});

eventStoreContract('sqlite behind the shared tail (fan-out decorator)', async () => {
  const dir = tempDir();
  const store = new SharedTailEventStore(new SqliteEventStore({ filename: join(dir.path, 'events.db') }), { pollIntervalMs: 20 });
  return {
    store,
    dispose: async () => {
      await store.close();
      dir.remove();
    },
  };
});

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
