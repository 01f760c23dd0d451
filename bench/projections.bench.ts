/**
 * Issue 5: rebuild the read models from the log — 1,000,000 events ≈ 100,000 orders (quick: a
 * tenth) on the embedded stores — next to the raw `$all` read rate of the same log in the same run.
 * Target: ≥ 20,000 events/s and peak RSS ≤ 512 MB.
 *
 * The log is described in `projections-log.ts`; it is written by a child process (setup, not
 * measured, and its garbage must not count in this process's peak RSS). The runner is composed as
 * `scayle-ledger projections rebuild` composes it: the service's default state cache
 * (`LEDGER_PROJECTION_STATE_CACHE`), batches of 4 × the default batch size, 1 s latency.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { UpcastingEventStore } from '../src/application/shared/upcasting-event-store';
import { LEDGER_UPCASTERS } from '../src/domain/event-schema/ledger-upcasters';
import { SqliteEventStore } from '../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { loadConfig } from '../src/infrastructure/config/config';
import { SqliteReadModelStore } from '../src/infrastructure/read-models/sqlite/sqlite-read-model-store';
import { deadLetterException } from '../src/projections/exception-queue';
import { OrderHistoryProjection } from '../src/projections/order-history.projection';
import { ReconciliationProjection } from '../src/projections/reconciliation.projection';
import { ProjectionRunner } from '../src/projections/runner';
import { BenchOptions, BenchRow, BenchSuite, benchSize, withPeakRss } from './harness';

const policy = { erpProfile: { level: 'per_document' as const, mode: 'half_up' as const, pricesIncludeTax: false }, timezone: 'Europe/Berlin' };

export const suite: BenchSuite = {
  name: 'projections',
  async run({ quick, workDir }: BenchOptions): Promise<BenchRow[]> {
    const { orders } = benchSize(quick);
    const eventsFile = join(workDir, 'events.db');
    const total = Number(execFileSync(process.execPath, [join(__dirname, 'projections-log.worker.js'), eventsFile, String(orders)], { encoding: 'utf8' }));
    const defaults = loadConfig({}).projections; // the rebuild CLI's composition
    const adapter = new SqliteEventStore({ filename: eventsFile, pageSize: 2000 });
    const events = new UpcastingEventStore(adapter, LEDGER_UPCASTERS); // as the service composes it
    const store = new SqliteReadModelStore({ filename: join(workDir, 'read-models.db') });
    const projections = [new ReconciliationProjection(events, { current: async () => policy }, { timezone: policy.timezone, cacheSize: defaults.stateCacheSize }), new OrderHistoryProjection()];
    const runner = new ProjectionRunner(events, store, projections, { now: () => new Date() }, { batchSize: defaults.batchSize * 4, maxLatencyMs: 1000, deadLetterWrites: (d) => [deadLetterException(d)] });
    // CPU time next to wall time: on a shared machine the wall rate also counts other processes.
    const cpuBefore = process.cpuUsage();
    const measured = await withPeakRss(async () => {
      const started = process.hrtime.bigint();
      await runner.catchUp();
      return total / (Number(process.hrtime.bigint() - started) / 1e9);
    });
    const cpu = process.cpuUsage(cpuBefore);
    // The baseline after the rebuild, so its garbage does not count in the rebuild's peak RSS.
    const raw = await (async () => {
      const started = process.hrtime.bigint();
      let n = 0;
      for await (const _e of adapter.readAll()) n++;
      return n / (Number(process.hrtime.bigint() - started) / 1e9);
    })();
    const cpuUsPerEvent = (cpu.user + cpu.system) / total;
    const drift = await store.count('reconciliations', { status: 'drift' });
    await store.close();
    await events.close();
    const met = measured.result >= 20_000 && measured.peakRssMiB <= 512;
    return [
      {
        name: `projections: rebuild reconciliation + exceptions + period summaries + history from ${total.toLocaleString('en')} events (${orders.toLocaleString('en')} orders, ${drift.toLocaleString('en')} drift), sqlite; ${cpuUsPerEvent.toFixed(1)} µs CPU/event (${(1e6 / cpuUsPerEvent).toLocaleString('en', { maximumFractionDigits: 0 })} events per CPU-second)`,
        unit: 'events',
        size: `${total.toLocaleString('en')} events`,
        throughput: measured.result,
        peakRssMiB: measured.peakRssMiB,
        baseline: { name: 'raw $all read (same log, same run)', throughput: raw },
        target: '≥ 20,000 events/s, peak RSS ≤ 512 MB',
        met,
      },
    ];
  },
};
