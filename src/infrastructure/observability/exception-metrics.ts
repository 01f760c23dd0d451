import { Gauge, type Registry } from 'prom-client';
import type { QueueMetricsQuery } from '../../application/read-models/queue-metrics.query';
import type { MetricsSource } from './metrics';

/**
 * Findings by code and the exception queues by owner and age (issue 9), read from the read models
 * at scrape time by count queries (`QueueMetricsQuery`):
 * - `ledger_findings{code}` — reconciliations carrying a current finding of the code;
 * - `ledger_exceptions_open{owner,age}` — active exceptions (open, acknowledged, assigned) per owner
 *   queue and age bucket (`<1d`, `1-3d`, `3-7d`, `>7d` since `openedAt`);
 * - `ledger_exceptions_overdue{owner}` — active exceptions past their `dueAt` (`LEDGER_EXCEPTION_SLA`).
 */
export class ExceptionMetrics implements MetricsSource {
  constructor(private readonly queries: QueueMetricsQuery) {}

  register(registry: Registry): void {
    const queries = this.queries;
    // The two exception gauges share one read per scrape (prom-client collects every gauge at once).
    let pending: Promise<void> | undefined;
    const loadExceptions = (): Promise<void> =>
      (pending ??= (async () => {
        const figures = await queries.exceptions();
        for (const o of figures.open) open.set({ owner: o.owner, age: o.age }, o.count);
        for (const o of figures.overdue) overdue.set({ owner: o.owner }, o.count);
      })().finally(() => setImmediate(() => (pending = undefined))));
    new Gauge({
      name: 'ledger_findings',
      help: 'Reconciliations carrying a current finding of the code (auto-accepted rounding differences included).',
      labelNames: ['code'],
      registers: [registry],
      async collect() {
        for (const f of await queries.findingsByCode()) this.set({ code: f.code }, f.count);
      },
    });
    const open = new Gauge({
      name: 'ledger_exceptions_open',
      help: 'Active exceptions (open, acknowledged, assigned) by owner queue and age since openedAt (<1d, 1-3d, 3-7d, >7d).',
      labelNames: ['owner', 'age'],
      registers: [registry],
      collect: loadExceptions,
    });
    const overdue = new Gauge({
      name: 'ledger_exceptions_overdue',
      help: 'Active exceptions past their due date (LEDGER_EXCEPTION_SLA), by owner queue.',
      labelNames: ['owner'],
      registers: [registry],
      collect: loadExceptions,
    });
  }
}
