import { join } from 'node:path';
import { ensureDirectory } from '../../config/directories';
import { ConfigError } from '../../config/config-error';
import { ContainerModule } from 'inversify';
import type { EventStore } from '../../../application/ports/event-store.port';
import { UpcastingEventStore } from '../../../application/shared/upcasting-event-store';
import { LEDGER_UPCASTERS } from '../../../domain/event-schema/ledger-upcasters';
import type { Config } from '../../config/config';
import { SharedTailEventStore } from '../../event-store/shared-tail-event-store';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { HealthCheck, Lifecycle, TOKENS } from '../tokens';

/** `wal_autocheckpoint` of the main connection when the projection thread checkpoints the log's WAL. */
const MAIN_CONNECTION_WAL_BACKSTOP_PAGES = 16_384;

/** The embedded event log's file: `LEDGER_DATA_DIR/events.db`. */
export const eventLogPath = (config: Config): string => join(config.dataDir, 'events.db');

/**
 * Picks the event-log adapter from configuration: EventStoreDB when a connection string is set, else
 * SQLite behind {@link SharedTailEventStore}, so the in-process subscribers (order directory,
 * projections, outbox, freshness, export index) share one read of the log's tail instead of each
 * reading and parsing every event. EventStoreDB pushes to its subscriptions; it is used as it is.
 * `sharedTail: false` is for a process with one reader of the whole log (`projections rebuild`): the
 * SQLite adapter alone, reading pages of 2,000 events, without a window nobody else shares.
 */
export function createEventStoreAdapter(config: Config, options: { sharedTail?: boolean } = {}): EventStore {
  if (config.eventStoreConnectionString) {
    // Loaded only when configured: the EventStoreDB client (gRPC) adds about 20 MiB to a process.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EsdbEventStore } = require('../../event-store/esdb/esdb-event-store') as typeof import('../../event-store/esdb/esdb-event-store');
    const connection = config.eventStoreConnectionString;
    return opening('EVENTSTORE_CONNECTION_STRING', 'the EventStoreDB connection string', () => EsdbEventStore.fromConnectionString(connection), connection);
  }
  ensureDirectory(config.dataDir, 'LEDGER_DATA_DIR');
  const file = eventLogPath(config);
  // With a projection thread, that thread checkpoints the WAL (SqliteEventStore.checkpointWal); the
  // main connection's own automatic checkpoint stays only as a backstop, at 16,384 pages (64 MiB).
  const walAutocheckpointPages = config.projections.thread === 'worker' ? MAIN_CONNECTION_WAL_BACKSTOP_PAGES : undefined;
  const adapter = opening('LEDGER_DATA_DIR', file, () =>
    new SqliteEventStore({
      filename: file,
      synchronous: config.sqliteSynchronous,
      writerThread: config.eventLogWriter === 'thread',
      ...(options.sharedTail === false ? { pageSize: 2000 } : {}),
      ...(walAutocheckpointPages ? { walAutocheckpointPages } : {}),
    }),
  );
  return options.sharedTail === false ? adapter : new SharedTailEventStore(adapter);
}

/**
 * Opens a store, turning a failure into a ConfigError that names the setting behind it (a data
 * directory SQLite cannot write in, say `/proc`, or a connection string that does not parse), with the
 * driver's reason; `secret` (a connection string, which may hold a password) is blanked from it.
 * @throws ConfigError naming `setting`.
 */
function opening<T>(setting: string, what: string, open: () => T, secret?: string): T {
  try {
    return open();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError([`${setting}: cannot use ${what}: ${secret ? reason.split(secret).join('…') : reason}`]);
  }
}

/**
 * The event store every part of the service uses: the configured adapter behind the upcasting
 * decorator, so each reader sees only the latest event shapes and each append carries the latest
 * schema version (DESIGN §4; CONTRIBUTING "Changing an event shape").
 */
export function createEventStore(config: Config, options: { sharedTail?: boolean } = {}): EventStore {
  return new UpcastingEventStore(createEventStoreAdapter(config, options), LEDGER_UPCASTERS);
}

export const eventStoreModule = new ContainerModule(({ bind }) => {
  bind<EventStore>(TOKENS.EventStore)
    .toDynamicValue((ctx) => createEventStore(ctx.get<Config>(TOKENS.Config)))
    .inSingletonScope();
  bind<HealthCheck>(TOKENS.HealthCheck).toDynamicValue((ctx) => {
    const store = ctx.get<EventStore>(TOKENS.EventStore);
    return { name: 'event-store', kind: store.kind, check: () => store.ping() };
  });
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue((ctx) => {
    const store = ctx.get<EventStore>(TOKENS.EventStore);
    return {
      name: `event-store (${store.kind})`,
      phase: 0,
      async start() {
        const answer = await store.ping();
        if (!answer.ok) throw new Error(`The event store (${store.kind}) does not answer: ${answer.detail ?? 'no detail'}`);
      },
      stop: () => store.close(),
    };
  });
});
