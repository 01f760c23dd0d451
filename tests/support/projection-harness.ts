import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../../src/application/ports/clock.port';
import type { EventStore } from '../../src/application/ports/event-store.port';
import type { ReadModelStore } from '../../src/application/ports/read-model-store.port';
import type { ReconciliationPolicy } from '../../src/domain/order/reconciliation.policy';
import { UpcastingEventStore } from '../../src/application/shared/upcasting-event-store';
import { LEDGER_UPCASTERS } from '../../src/domain/event-schema/ledger-upcasters';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { SqliteReadModelStore } from '../../src/infrastructure/read-models/sqlite/sqlite-read-model-store';
import { deadLetterException } from '../../src/projections/exception-queue';
import { OrderHistoryProjection } from '../../src/projections/order-history.projection';
import { ReconciliationProjection } from '../../src/projections/reconciliation.projection';
import { ProjectionRunner, type RunnerOptions } from '../../src/projections/runner';

export const TEST_POLICY: ReconciliationPolicy = {
  erpProfile: { level: 'per_document', mode: 'half_up', pricesIncludeTax: false },
  timezone: 'Europe/Berlin',
};

export const fixedClock: Clock = { now: () => new Date('2024-06-01T00:00:00.000Z') };

/** The service's projections over the given stores. */
export function buildRunner(events: EventStore, store: ReadModelStore, options: RunnerOptions = {}, clock: Clock = fixedClock): ProjectionRunner {
  const projections = [
    new ReconciliationProjection(events, { current: async () => TEST_POLICY }, { timezone: TEST_POLICY.timezone }),
    new OrderHistoryProjection(),
  ];
  return new ProjectionRunner(events, store, projections, clock, { deadLetterWrites: (d) => [deadLetterException(d)], ...options });
}

/** The event store as the service composes it: the adapter behind the upcasting decorator. */
export const upcasting = (adapter: EventStore): EventStore => new UpcastingEventStore(adapter, LEDGER_UPCASTERS);

/**
 * Embedded stores in `dir`: `events` as the service reads and writes them (upcasting), `raw` the
 * SQLite adapter under it (to store events exactly as given, e.g. an old schema version).
 */
export function openStores(dir: string, readModels = 'read-models.db'): { events: EventStore; raw: SqliteEventStore; store: SqliteReadModelStore } {
  const raw = new SqliteEventStore({ filename: join(dir, 'events.db'), pollIntervalMs: 10 });
  return { events: upcasting(raw), raw, store: new SqliteReadModelStore({ filename: join(dir, readModels) }) };
}

/** SHA-256 over every document (id, position, body) of the collections, in id order. */
export async function hashReadModels(store: ReadModelStore, collections: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const c of collections) {
    for await (const d of store.scan(c)) hash.update(`${c}\u0000${d._id}\u0000${String(d.position)}\u0000${JSON.stringify(d.doc)}\n`);
  }
  return hash.digest('hex');
}

export const ALL_COLLECTIONS = ['reconciliations', 'exceptions', 'period_summaries', 'order_history_pages'];
