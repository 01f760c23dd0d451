import { Gauge, Registry } from 'prom-client';
import type { FreshnessService } from '../../application/freshness/freshness.service';
import type { OutboxStore } from '../../application/ports/outbox-store.port';
import type { MetricsSource } from './metrics';

/** Per-source freshness, projection lag and open STALE_SYNC findings, read at scrape time. */
export class FreshnessMetrics implements MetricsSource {
  constructor(private readonly freshness: FreshnessService) {}

  register(registry: Registry): void {
    const freshness = this.freshness;
    // The six gauges share one report per scrape: prom-client starts every gauge's collect at once.
    let pending: Promise<void> | undefined;
    const load = (): Promise<void> =>
      (pending ??= (async () => {
        const r = await freshness.report();
        for (const s of r.sources) {
          if (s.lastRecordedAt) lastIngest.set({ source: s.source }, Date.parse(s.lastRecordedAt) / 1000);
          if (s.lastOccurredAt) lastSource.set({ source: s.source }, Date.parse(s.lastOccurredAt) / 1000);
          for (const [window, n] of Object.entries(s.eventsPerWindow)) perWindow.set({ source: s.source, window }, n);
        }
        lagEvents.reset();
        lagSeconds.reset();
        for (const p of r.projections) {
          lagEvents.set({ projection: p.name }, p.lagEvents);
          lagSeconds.set({ projection: p.name }, p.lagSeconds);
        }
        for (const kind of ['erp_behind_scayle', 'webhooks_silent', 'projection_lag']) stale.set({ kind }, r.openFindings.filter((f) => f.kind === kind).length);
      })().finally(() => setImmediate(() => (pending = undefined))));
    const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [registry], collect: load });
    const lastIngest = gauge('ledger_source_last_ingest_timestamp_seconds', 'Ledger time (recordedAt) of the newest event per source, Unix seconds.', ['source']);
    const lastSource = gauge('ledger_source_last_event_timestamp_seconds', 'Source time (occurredAt) of the newest event per source, Unix seconds.', ['source']);
    const perWindow = gauge('ledger_source_events', 'Events recorded per source in the window (to the minute).', ['source', 'window']);
    const lagEvents = gauge('ledger_projection_lag_events', 'Events a projection has not processed yet (capped at 10000).', ['projection']);
    const lagSeconds = gauge('ledger_projection_lag_seconds', 'How long the oldest event a projection has not processed has waited.', ['projection']);
    const stale = gauge('ledger_stale_sync_open', 'Open STALE_SYNC findings by kind.', ['kind']);
  }
}

/** Outbox entries to Scayle by status (`pending`, `sent`, `failed`). */
export class OutboxMetrics implements MetricsSource {
  constructor(private readonly outbox: OutboxStore) {}

  register(registry: Registry): void {
    const outbox = this.outbox;
    new Gauge({
      name: 'ledger_outbox_entries',
      help: 'Refunds and corrections owed to Scayle, by status.',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const counts = await outbox.counts();
        for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      },
    });
  }
}
