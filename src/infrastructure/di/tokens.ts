/**
 * Injection tokens of the composition root. Ports are bound to adapters only in `container.ts`
 * (and the concept modules it loads); nothing else knows which adapter runs.
 */
export const TOKENS = {
  Config: Symbol.for('Config'),
  Logger: Symbol.for('Logger'),
  Clock: Symbol.for('Clock'),
  EventStore: Symbol.for('EventStore'),
  ReadModelStore: Symbol.for('ReadModelStore'),
  /** `OutboxStore`: commands owed to Scayle and the dispatcher's checkpoint. */
  OutboxStore: Symbol.for('OutboxStore'),
  /** `OutboxDispatcher`: sends refunds and corrections to Scayle. */
  OutboxDispatcher: Symbol.for('OutboxDispatcher'),
  /** `MappingsService`: tax-code and item mappings (REST and the reconciliation policy). */
  Mappings: Symbol.for('Mappings'),
  /** `ReconciliationPolicyProvider`: config (rounding profile, timezone, cap) + the stored mappings. */
  ReconciliationPolicy: Symbol.for('ReconciliationPolicy'),
  RequestRefundHandler: Symbol.for('RequestRefundHandler'),
  CorrectLineItemsHandler: Symbol.for('CorrectLineItemsHandler'),
  /** `ApiKeyRegistry`: API keys and their roles (LEDGER_API_KEYS or generated local keys). */
  ApiKeys: Symbol.for('ApiKeys'),
  /** `ListCursors`: signs and checks the paging cursors of every list (LEDGER_CURSOR_SECRET or a random key per start). */
  ListCursors: Symbol.for('ListCursors'),
  // ── ingest (issue 4) ──
  /** `OrderDirectory`: reference → order stream (a rebuildable cache of the log). */
  OrderDirectory: Symbol.for('OrderDirectory'),
  /** `IngestMetrics` (in-process counters, `InProcessIngestMetrics`). */
  IngestMetrics: Symbol.for('IngestMetrics'),
  /** `ScayleGateway`: the Scayle Admin API client (read side: ingestion; write side: the outbox). */
  ScayleGateway: Symbol.for('ScayleGateway'),
  /** `IngestUseCases`: every ingestion use-case (HTTP controllers, import CLI). */
  IngestUseCases: Symbol.for('IngestUseCases'),
  // ── periods (issue 7) ──
  /** `ReconciliationPolicySource`: configured settings + mappings as of a log position. */
  ReconciliationPolicies: Symbol.for('ReconciliationPolicies'),
  /** `ProjectionStatus`: how far each projection has got (the period close waits for the head). */
  ProjectionStatus: Symbol.for('ProjectionStatus'),
  /** `OpenExceptionsReader`: open exceptions of blocking codes in a period (live queue). */
  OpenExceptionsReader: Symbol.for('OpenExceptionsReader'),
  /** `LogReplayEngine`: recomputes period figures from the log up to a position (close, replay, as-of). */
  LogReplayEngine: Symbol.for('LogReplayEngine'),
  /** `PeriodsServices`: close, reopen, replay, snapshot and adjustment queries. */
  Periods: Symbol.for('Periods'),
  /** `AsOfQuery`: order reconciliation and exception queue as of a position or time. */
  AsOfQuery: Symbol.for('AsOfQuery'),
  // ── operations (issue 9) ──
  /** `LedgerMetrics`: the service's prom-client registry. */
  Metrics: Symbol.for('Metrics'),
  /** Multi-bound `MetricsSource`: gauges read at scrape time. */
  MetricsSource: Symbol.for('MetricsSource'),
  /** Multi-bound `ProjectionStatusSource`: components that follow the log (lag in /v1/freshness, /metrics). */
  ProjectionPositions: Symbol.for('ProjectionPositions'),
  /** `FreshnessProjection` (state of /v1/freshness). */
  FreshnessProjection: Symbol.for('FreshnessProjection'),
  /** `FreshnessService`: /v1/freshness and the STALE_SYNC checks. */
  Freshness: Symbol.for('Freshness'),
  /** `StaleSyncMonitor`. */
  StaleSyncMonitor: Symbol.for('StaleSyncMonitor'),
  // ── order flow to the ERP (issue 10) ──
  /** `ErpGateway`: the ERP export target (Business Central, NDJSON file/webhook, or none). */
  ErpGateway: Symbol.for('ErpGateway'),
  /** `ErpExportStore`: the export index and its checkpoint. */
  ErpExportStore: Symbol.for('ErpExportStore'),
  /** `ErpExportScheduler`: plans and sends exports on the sync interval and on demand. */
  ErpExportScheduler: Symbol.for('ErpExportScheduler'),
  // ── projections and read models (issue 5) ──
  /** `ProjectionRunner`: the catch-up runner of every projection (also the `ProjectionMonitor`); bound only with `LEDGER_PROJECTION_THREAD=main` (else it works in the projection thread). */
  ProjectionRunner: Symbol.for('ProjectionRunner'),
  /** `ProjectionThread`: the main thread's side of the projection thread (`LEDGER_PROJECTION_THREAD=worker`). */
  ProjectionThread: Symbol.for('ProjectionThread'),
  /** `ProjectionMonitor`: checkpoints, lag, caught-up, `waitForPosition` (read-your-writes, `/v1/freshness`). */
  ProjectionMonitor: Symbol.for('ProjectionMonitor'),
  /** `ReadModelQueries`: reconciliations, exceptions, period summaries and order history from the read models. */
  ReadModelQueries: Symbol.for('ReadModelQueries'),
  /** `DecideExceptionHandler`: acknowledge, assign, resolve, reopen an exception (issue 6). */
  DecideExceptionHandler: Symbol.for('DecideExceptionHandler'),
  /** Multi-bound: components with start/stop run by the bootstrap (pollers, projection runner, outbox). */
  Lifecycle: Symbol.for('Lifecycle'),
  /** Multi-bound: HTTP route modules mounted by the app. */
  HttpRoutes: Symbol.for('HttpRoutes'),
  /** Multi-bound: readiness probes reported by /v1/health. */
  HealthCheck: Symbol.for('HealthCheck'),
} as const;

/** Something the bootstrap starts after the stores are open and stops before they close. */
export interface Lifecycle {
  readonly name: string;
  /**
   * Start order: stores `0`, projection runner `10`, schedulers/dispatchers/pollers `20`.
   * Started in ascending order, stopped in descending order.
   */
  readonly phase: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A store or dependency reported by `/v1/health`. */
export interface HealthCheck {
  readonly name: string;
  /** Adapter in use, e.g. `sqlite`, `eventstoredb`, `mongodb`. */
  readonly kind: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}
