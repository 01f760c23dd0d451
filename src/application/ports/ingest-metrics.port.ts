/**
 * Ingestion counters (DESIGN §10). The application only increments; `/metrics` exposes them through
 * prom-client (`PrometheusIngestMetrics`). `type` is the fact type the delivery mapped to
 * (`ScayleOrderConfirmed`, `ErpInvoicePosted`, …) where the handler knows it — a bounded set, so it
 * can be a metric label.
 */

/** What kind of record a counter is about. */
export type IngestCounterKind = 'scayle_webhook' | 'scayle_order_sync' | 'erp_document' | 'psp_settlement';

export interface IngestMetrics {
  /**
   * `ingest_duplicate_deliveries_total{kind}`: a delivery whose facts were all in the log already
   * (case C5: redelivered webhook, re-sent ERP document, re-run import).
   */
  duplicateDelivery(kind: IngestCounterKind, type?: string): void;
  /** `ingest_accepted_total{kind}`: deliveries that appended at least one new fact. */
  accepted(kind: IngestCounterKind, type?: string): void;
  /** `ingest_failed_total{kind}`: deliveries kept as `IngestionFailed` (SYNC_FAILURE). */
  failed(kind: IngestCounterKind, type?: string): void;
}

/** A snapshot of the counters, by name then kind. */
export type IngestCounterSnapshot = Record<'ingest_duplicate_deliveries_total' | 'ingest_accepted_total' | 'ingest_failed_total', Partial<Record<IngestCounterKind, number>>>;

/** The in-process counters (no dependency): what prom-client will read. */
export class InProcessIngestMetrics implements IngestMetrics {
  private readonly counters: IngestCounterSnapshot = {
    ingest_duplicate_deliveries_total: {},
    ingest_accepted_total: {},
    ingest_failed_total: {},
  };

  duplicateDelivery(kind: IngestCounterKind, _type?: string): void {
    this.inc('ingest_duplicate_deliveries_total', kind);
  }
  accepted(kind: IngestCounterKind, _type?: string): void {
    this.inc('ingest_accepted_total', kind);
  }
  failed(kind: IngestCounterKind, _type?: string): void {
    this.inc('ingest_failed_total', kind);
  }

  /** Current values (a copy). */
  snapshot(): IngestCounterSnapshot {
    return JSON.parse(JSON.stringify(this.counters)) as IngestCounterSnapshot;
  }

  private inc(name: keyof IngestCounterSnapshot, kind: IngestCounterKind): void {
    this.counters[name][kind] = (this.counters[name][kind] ?? 0) + 1;
  }
}
