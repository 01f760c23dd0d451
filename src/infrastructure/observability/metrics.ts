import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { IngestCounterKind, InProcessIngestMetrics } from '../../application/ports/ingest-metrics.port';

/**
 * Something that contributes gauges to `/metrics` (outbox, projections, freshness, exceptions…),
 * multi-bound under `TOKENS.MetricsSource`. `register` is called once with the service's registry;
 * gauges read their values in their own `collect()` at scrape time.
 */
export interface MetricsSource {
  register(registry: Registry): void;
}

/** HTTP latency buckets in seconds: sub-millisecond reads up to slow batch imports. */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus registry: process metrics (`ledger_process_*`, `ledger_nodejs_*`), the
 * HTTP latency histogram and the ingestion counters. One per service (tests start several services
 * in one process, so nothing uses prom-client's global registry).
 */
export class LedgerMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly ingest: Counter<'source' | 'type' | 'outcome'>;
  readonly duplicates: Counter<'source'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ledger_' });
    this.httpDuration = new Histogram({
      name: 'ledger_http_request_duration_seconds',
      help: 'HTTP request latency by route template, method and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers: [this.registry],
    });
    this.ingest = new Counter({
      name: 'ledger_ingest_deliveries_total',
      help: 'Ingested deliveries by source (scayle_webhook, scayle_order_sync, erp_document, psp_settlement), fact type and outcome (accepted, duplicate, failed).',
      labelNames: ['source', 'type', 'outcome'],
      registers: [this.registry],
    });
    this.duplicates = new Counter({
      name: 'ledger_ingest_duplicates_total',
      help: 'Deliveries whose facts were all in the log already (redelivered webhooks, re-sent documents).',
      labelNames: ['source'],
      registers: [this.registry],
    });
  }

  /** Adds a source's gauges. */
  add(source: MetricsSource): void {
    source.register(this.registry);
  }

  /** Prometheus text exposition format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The ingestion counters of the application, mirrored into prom-client (snapshot kept for tests). */
export class PrometheusIngestMetrics extends InProcessIngestMetrics {
  constructor(private readonly metrics: LedgerMetrics) {
    super();
  }

  override duplicateDelivery(kind: IngestCounterKind, type = 'unknown'): void {
    super.duplicateDelivery(kind, type);
    this.metrics.ingest.inc({ source: kind, type, outcome: 'duplicate' });
    this.metrics.duplicates.inc({ source: kind });
  }

  override accepted(kind: IngestCounterKind, type = 'unknown'): void {
    super.accepted(kind, type);
    this.metrics.ingest.inc({ source: kind, type, outcome: 'accepted' });
  }

  override failed(kind: IngestCounterKind, type = 'IngestionFailed'): void {
    super.failed(kind, type);
    this.metrics.ingest.inc({ source: kind, type, outcome: 'failed' });
  }
}

/**
 * Observes every request's latency under its route template (`/v1/orders/{orderId}/refunds`), so
 * ids never become label values; requests that match no route count as `unmatched`.
 */
export function httpMetrics(metrics: LedgerMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const path = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof path === 'string' ? path.replace(/:(\w+)/g, '{$1}') : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
