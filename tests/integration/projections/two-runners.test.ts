/**
 * Two projection runners on one read-model store (the old process of a restart still serving while
 * the new one starts on the same `LEDGER_DATA_DIR`): every checkpoint move is compare-and-set, so a
 * runner that started from an older checkpoint cannot add the same orders to the period summaries a
 * second time. The summaries end equal to a rebuild's, with each order counted once.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import type { ReadModelStore } from '../../../src/application/ports/read-model-store.port';
import { OrderHistoryProjection } from '../../../src/projections/order-history.projection';
import { PERIOD_SUMMARIES, type PeriodSummaryDoc } from '../../../src/projections/period-summary';
import { rebuildProjections } from '../../../src/projections/rebuild';
import { ReconciliationProjection } from '../../../src/projections/reconciliation.projection';
import { appendErpInvoice, orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { buildRunner, fixedClock, openStores, TEST_POLICY } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';
import { MongoReadModelStore } from '../../../src/infrastructure/read-models/mongo/mongo-read-model-store';
import { SqliteReadModelStore } from '../../../src/infrastructure/read-models/sqlite/sqlite-read-model-store';

/** Each order: items 119.00 + 59.50 (178.50), shipping 4.95, gross 183.45 EUR, invoiced exactly. */
async function seedOrders(events: EventStore, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const snapshot = orderSnapshot(String(5000 + i));
    await appendErpInvoice(events, await seedOrder(events, snapshot), snapshot);
  }
}

/** `n` × `amount` (a decimal string with 2 places) as a decimal string, in integer cents. */
const times = (n: number, amount: string): string => {
  const cents = BigInt(amount.replace('.', '')) * BigInt(n);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
};

type Summary = PeriodSummaryDoc & { totals: { scayle: Record<string, Record<string, { gross: string }>> } };

/** The May summary as `orders`, its Scayle item gross and its status counts. */
async function may(store: ReadModelStore, collection = PERIOD_SUMMARIES): Promise<{ orders: number; itemsGross: string; byStatus: Record<string, number> }> {
  const doc = (await store.get<Summary>(collection, '2024-05'))!.doc;
  return { orders: doc.orders, itemsGross: doc.totals.scayle.EUR!.items!.gross, byStatus: doc.byStatus };
}

/** The May summary a rebuild from the log computes (into the shadows; the live read models stay). */
async function rebuiltMay(events: EventStore, store: ReadModelStore) {
  const projections = [new ReconciliationProjection(events, { current: async () => TEST_POLICY }, { timezone: TEST_POLICY.timezone }), new OrderHistoryProjection()];
  const results = await rebuildProjections(events, store, projections, fixedClock, { swap: false });
  const diffs = results.flatMap((r) => r.diffs).filter((d) => d.different + d.onlyLive + d.onlyRebuilt > 0);
  return { summary: await may(store, `${PERIOD_SUMMARIES}__shadow`), diffs: diffs.map((d) => d.collection) };
}

/** A logger keeping the warnings. */
function warnings() {
  const warned: string[] = [];
  return { warned, logger: { info: () => undefined, warn: (_: object, msg: string) => warned.push(msg), error: () => undefined } };
}

/** Two read-model stores on one database, as two processes open it. */
type OpenPair = () => Promise<{ stores: [ReadModelStore, ReadModelStore]; dispose(): Promise<void> }>;

const sqlitePair = (dir: string): OpenPair => async () => {
  const stores: [SqliteReadModelStore, SqliteReadModelStore] = [new SqliteReadModelStore({ filename: join(dir, 'read-models.db') }), new SqliteReadModelStore({ filename: join(dir, 'read-models.db') })];
  return { stores, dispose: async () => void (await Promise.all(stores.map((s) => s.close()))) };
};

let databases = 0;
const mongoPair = (uri: string): OpenPair => async () => {
  const database = `ledger_two_runners_${process.pid}_${databases++}`;
  const stores: [MongoReadModelStore, MongoReadModelStore] = [MongoReadModelStore.fromUri(uri, database), MongoReadModelStore.fromUri(uri, database)];
  await stores[0].dropDatabase();
  return {
    stores,
    dispose: async () => {
      await stores[0].dropDatabase();
      await Promise.all(stores.map((s) => s.close()));
    },
  };
};

for (const adapter of ['sqlite', 'mongodb'] as const) {
  const mongoUri = process.env.MONGODB_URI;
  if (adapter === 'mongodb' && !mongoUri) continue;
  twoRunners(adapter, (dir) => (adapter === 'sqlite' ? sqlitePair(dir) : mongoPair(mongoUri!)));
}

function twoRunners(adapter: string, pair: (dir: string) => OpenPair): void {
  describe(`projections: two runners on one read-model store count each order once (${adapter})`, function () {
    this.timeout(60_000);
    let dir: ReturnType<typeof tempDir>;
    let first: { events: EventStore; store: ReadModelStore };
    let second: { events: EventStore; store: ReadModelStore };
    let eventStores: EventStore[];
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      dir = tempDir();
      // Two processes on one data dir (and database): each opens the stores itself.
      const opened = await pair(dir.path)();
      dispose = opened.dispose;
      eventStores = [openStores(dir.path).events, openStores(dir.path).events];
      first = { events: eventStores[0]!, store: opened.stores[0] };
      second = { events: eventStores[1]!, store: opened.stores[1] };
    });
    afterEach(async () => {
      await dispose();
      for (const e of eventStores) await e.close();
      dir.remove();
    });

    it('refuses the batch of a runner whose checkpoint the other moved after it read it, and the summary equals the rebuild', async () => {
      const ORDERS = 40;
      await seedOrders(first.events, 0, ORDERS);
      // The second runner has read its checkpoints (0) and its orders' reconciliations; it reads the
      // period summaries only after the first runner has committed all 40 orders.
      let reached!: () => void;
      let release!: () => void;
      const atSummaries = new Promise<void>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      let held = false;
      const late = new Proxy(second.store, {
        get(target, key) {
          if (key === 'getMany') {
            return async (collection: string, ids: readonly string[]) => {
              if (collection === PERIOD_SUMMARIES && !held) {
                held = true;
                reached();
                await released;
              }
              return target.getMany(collection, ids);
            };
          }
          const value = (target as unknown as Record<string | symbol, unknown>)[key];
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const { warned, logger } = warnings();
      const slow = buildRunner(second.events, late, { logger }).catchUp();
      await atSummaries;
      await buildRunner(first.events, first.store).catchUp();
      expect(await may(first.store)).to.deep.equal({ orders: ORDERS, itemsGross: times(ORDERS, '178.50'), byStatus: { matched: ORDERS } });
      release();
      await slow;

      const rebuilt = await rebuiltMay(first.events, first.store);
      expect({ live: await may(first.store), rebuilt }).to.deep.equal({
        live: { orders: ORDERS, itemsGross: '7140.00', byStatus: { matched: ORDERS } },
        rebuilt: { summary: { orders: ORDERS, itemsGross: '7140.00', byStatus: { matched: ORDERS } }, diffs: [] },
      });
      expect(warned).to.deep.equal(['another runner moved the checkpoint; restarting from the stored checkpoints']);
    });

    it('two live runners fed the same orders alternate, and every order lands in the summary once', async () => {
      const { warned, logger } = warnings();
      const a = buildRunner(first.events, first.store, { logger, batchSize: 7, maxLatencyMs: 5 });
      const b = buildRunner(second.events, second.store, { logger, batchSize: 5, maxLatencyMs: 5 });
      await a.start();
      await b.start();
      let total = 0;
      try {
        for (const count of [30, 25, 35]) {
          await seedOrders(first.events, total, count);
          total += count;
          const head = await first.events.headPosition();
          expect(await a.waitForPosition(head, 20_000), 'runner A caught up').to.equal(true);
          expect(await b.waitForPosition(head, 20_000), 'runner B caught up').to.equal(true);
        }
      } finally {
        await a.stop();
        await b.stop();
      }
      expect(total).to.equal(90);
      const rebuilt = await rebuiltMay(first.events, first.store);
      expect({ live: await may(first.store), rebuilt }).to.deep.equal({
        live: { orders: 90, itemsGross: '16065.00', byStatus: { matched: 90 } },
        rebuilt: { summary: { orders: 90, itemsGross: '16065.00', byStatus: { matched: 90 } }, diffs: [] },
      });
      // Both runners read every event; the one that lost a race restarted instead of adding twice.
      expect(warned.every((m) => m === 'another runner moved the checkpoint; restarting from the stored checkpoints')).to.equal(true);
    });
  });
}
