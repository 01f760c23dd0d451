import { Gauge, type Registry } from 'prom-client';
import type { ErpExportStore } from '../../application/ports/erp-export-store.port';
import type { MetricsSource } from './metrics';

/** `ledger_erp_exports{status}`: exports to the ERP by status (issue 10), read at scrape time. */
export class ErpExportMetrics implements MetricsSource {
  constructor(private readonly store: ErpExportStore) {}

  register(registry: Registry): void {
    const store = this.store;
    new Gauge({
      name: 'ledger_erp_exports',
      help: 'Exports of orders to the ERP, by status (pending, blocked by a missing mapping, exported, failed).',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const counts = await store.counts();
        for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      },
    });
  }
}
