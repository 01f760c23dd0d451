/**
 * Child process of the projection crash test: runs the projections over the log in `<dir>` into
 * `<readModelsFile>` in batches of `<batchSize>`, each batch slowed down a little (the policy
 * lookup waits 20 ms) so the parent can SIGKILL it mid-batch, printing `batch <position>` after
 * every commit. Usage: node projection-loop.js <dir> <readModelsFile> <batchSize>
 */
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { SqliteReadModelStore } from '../../src/infrastructure/read-models/sqlite/sqlite-read-model-store';
import { deadLetterException } from '../../src/projections/exception-queue';
import { OrderHistoryProjection } from '../../src/projections/order-history.projection';
import { ReconciliationProjection } from '../../src/projections/reconciliation.projection';
import { ProjectionRunner } from '../../src/projections/runner';
import { fixedClock, TEST_POLICY, upcasting } from './projection-harness';

async function main(): Promise<void> {
  const [dir, file, size] = process.argv.slice(2);
  const events = upcasting(new SqliteEventStore({ filename: join(dir!, 'events.db') }));
  const store = new SqliteReadModelStore({ filename: join(dir!, file!) });
  const slowPolicy = { current: () => new Promise<typeof TEST_POLICY>((r) => setTimeout(() => r(TEST_POLICY), 20)) };
  const runner = new ProjectionRunner(events, store, [new ReconciliationProjection(events, slowPolicy, { timezone: TEST_POLICY.timezone }), new OrderHistoryProjection()], fixedClock, {
    batchSize: Number(size),
    deadLetterWrites: (d) => [deadLetterException(d)],
    onBatch: ({ position }) => process.stdout.write(`batch ${String(position)}\n`),
  });
  await runner.catchUp();
  process.stdout.write('done\n');
}

void main();
