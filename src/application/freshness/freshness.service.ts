/**
 * `GET /v1/freshness` and the STALE_SYNC monitor (issue 9 item 1, DESIGN §10).
 */
import { v5 as uuidv5 } from 'uuid';
import { FRESHNESS_EVENT_TYPES, FRESHNESS_STREAM, FreshnessEvent, StaleSyncObservation } from '../../domain/freshness/freshness.events';
import { decideStaleSync, evolveOpenStaleSync, FreshnessThresholds, ProjectionLagFigure, staleSyncObservations } from '../../domain/freshness/freshness.rules';
import { LEDGER_EVENT_NAMESPACE } from '../../domain/shared/ids';
import type { Clock } from '../ports/clock.port';
import { ConcurrencyConflictError, EventStore, StreamNotFoundError } from '../ports/event-store.port';
import type { ProjectionStatus } from '../ports/period-close.port';
import type { ProjectionStatusSource } from '../ports/projection-status.port';
import { eventsInWindow, FRESHNESS_SOURCES, FreshnessSource, FreshnessState } from './freshness.tracker';
import { inTradingHours, TradingSpan } from './trading-hours';

/** The freshness projection as the application sees it: its current state (read-only). */
export interface FreshnessStateSource {
  state(): FreshnessState;
  /** Resolves true once the state reflects `position`, false after `timeoutMs`. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean>;
}

/** Most events counted one by one for a lag figure; beyond it the figure says "at least". */
export const LAG_COUNT_CAP = 10_000;

/** Lag of the components that follow the log, measured against the log head. */
export class ProjectionLagReader {
  constructor(
    private readonly store: EventStore,
    private readonly sources: readonly ProjectionStatusSource[],
    private readonly clock: Clock,
  ) {}

  async read(): Promise<(ProjectionLagFigure & { position: bigint; caughtUp: boolean })[]> {
    const head = await this.store.headPosition();
    const now = this.clock.now().getTime();
    return Promise.all(
      this.sources.map(async (s) => {
        const position = await s.position();
        if (position >= head) return { name: s.name, position, lagEvents: 0, lagSeconds: 0, caughtUp: true };
        let lagEvents = 0;
        let oldest: string | undefined;
        for await (const e of this.store.readAll({ fromPosition: position, maxCount: LAG_COUNT_CAP })) {
          oldest ??= e.created;
          lagEvents++;
        }
        const lagSeconds = oldest ? Math.max(0, Math.round((now - Date.parse(oldest)) / 100) / 10) : 0;
        return { name: s.name, position, lagEvents, lagSeconds, caughtUp: false };
      }),
    );
  }
}

export interface FreshnessOptions {
  windowsMs: readonly number[];
  thresholds: FreshnessThresholds;
  tradingHours: readonly TradingSpan[];
  timezone: string;
}

/** One source in the report. */
export interface SourceFreshness {
  source: FreshnessSource;
  lastOccurredAt: string | null;
  lastRecordedAt: string | null;
  lastPosition: string | null;
  lastEventType: string | null;
  /** Seconds since `lastRecordedAt`. */
  secondsSinceLastIngest: number | null;
  totalEvents: number;
  /** Events recorded per window (`1h`, `24h`…), to the minute. */
  eventsPerWindow: Record<string, number>;
}

export interface FreshnessReport {
  asOf: string;
  headPosition: string;
  inTradingHours: boolean;
  sources: SourceFreshness[];
  projections: { name: string; position: string; lagEvents: number; lagSeconds: number; caughtUp: boolean }[];
  /** Checks failing right now (they become findings at the monitor's next run). */
  failingChecks: StaleSyncObservation[];
  /** Open STALE_SYNC findings from the log. */
  openFindings: (StaleSyncObservation & { detectedAt: string })[];
  thresholds: { erpLagSeconds: number; webhookSilenceSeconds: number; projectionLagSeconds: number };
}

/** `1h`, `24h`, `30m`, `90s` — the label of a window. */
export function windowLabel(ms: number): string {
  if (ms % 86_400_000 === 0 && ms >= 86_400_000 * 2) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

export class FreshnessService {
  constructor(
    private readonly store: EventStore,
    private readonly projection: FreshnessStateSource,
    private readonly lags: ProjectionLagReader,
    private readonly clock: Clock,
    private readonly options: FreshnessOptions,
    /** Every view that follows the log (the `projections` of the report), to wait for with `minPosition`. */
    private readonly views?: Pick<ProjectionStatus, 'waitForPosition'>,
  ) {}

  /**
   * The figures of `GET /v1/freshness`; with `minPosition`, first waits (at most `waitMs`) until the
   * figures include that log position: the per-source figures and every view's position (the
   * projections are asked to write the batch holding it at once). After `waitMs` it answers as
   * things stand (the views still behind show their lag).
   */
  async report(minPosition?: bigint, waitMs = 5000): Promise<FreshnessReport> {
    if (minPosition !== undefined) await Promise.all([this.projection.waitForPosition(minPosition, waitMs), this.views?.waitForPosition(minPosition, waitMs)]);
    const now = this.clock.now();
    const state = this.projection.state();
    const [head, projections] = await Promise.all([this.store.headPosition(), this.lags.read()]);
    const trading = inTradingHours(this.options.tradingHours, now, this.options.timezone);
    return {
      asOf: now.toISOString(),
      headPosition: String(head),
      inTradingHours: trading,
      sources: FRESHNESS_SOURCES.map((source) => {
        const s = state.sources[source];
        return {
          source,
          lastOccurredAt: s.lastOccurredAt ?? null,
          lastRecordedAt: s.lastRecordedAt ?? null,
          lastPosition: s.lastPosition ?? null,
          lastEventType: s.lastType ?? null,
          secondsSinceLastIngest: s.lastRecordedAt ? Math.max(0, Math.round((now.getTime() - Date.parse(s.lastRecordedAt)) / 1000)) : null,
          totalEvents: s.total,
          eventsPerWindow: Object.fromEntries(this.options.windowsMs.map((w) => [windowLabel(w), eventsInWindow(s, now, w)])),
        };
      }),
      projections: projections.map((p) => ({ name: p.name, position: String(p.position), lagEvents: p.lagEvents, lagSeconds: p.lagSeconds, caughtUp: p.caughtUp })),
      failingChecks: staleSyncObservations(this.figures(state, projections), now, trading, this.options.thresholds),
      openFindings: Object.values(state.open).sort((a, b) => a.checkId.localeCompare(b.checkId)),
      thresholds: {
        erpLagSeconds: Math.round(this.options.thresholds.erpLagMs / 1000),
        webhookSilenceSeconds: Math.round(this.options.thresholds.webhookSilenceMs / 1000),
        projectionLagSeconds: Math.round(this.options.thresholds.projectionLagMs / 1000),
      },
    };
  }

  /**
   * One run of the STALE_SYNC monitor: evaluates the checks and appends `StaleSyncDetected` /
   * `StaleSyncCleared` for the checks whose state changed, at the freshness stream's revision (a
   * concurrent run of another instance makes this one append nothing; deterministic ids make a
   * retried append harmless). Returns what it appended.
   */
  async check(): Promise<FreshnessEvent[]> {
    const now = this.clock.now();
    const state = this.projection.state();
    const projections = await this.lags.read();
    const trading = inTradingHours(this.options.tradingHours, now, this.options.timezone);
    const failing = staleSyncObservations(this.figures(state, projections), now, trading, this.options.thresholds);
    const { open, revision } = await this.readOpen();
    const events = decideStaleSync(open, failing, now.toISOString());
    if (events.length === 0) return [];
    const next = revision === 'no_stream' ? 0n : revision + 1n;
    try {
      await this.store.appendToStream(
        FRESHNESS_STREAM,
        events.map((e, i) => ({
          id: uuidv5(`freshness|${next + BigInt(i)}|${e.type}|${e.data.checkId}`, LEDGER_EVENT_NAMESPACE),
          type: e.type,
          data: e.data,
          metadata: { source: 'ledger', occurredAt: now.toISOString(), recordedAt: now.toISOString(), actor: 'freshness-monitor', schemaVersion: 1 },
        })),
        { expectedRevision: revision },
      );
    } catch (err) {
      if (err instanceof ConcurrencyConflictError) return [];
      throw err;
    }
    return events;
  }

  private figures(state: FreshnessState, projections: readonly ProjectionLagFigure[]) {
    const webhook = state.sources.scayle_webhook;
    const sync = state.sources.scayle_sync;
    return {
      ...(state.erpPendingSince ? { erpPendingSince: state.erpPendingSince } : {}),
      ...(webhook.lastOccurredAt && webhook.lastRecordedAt ? { webhook: { lastOccurredAt: webhook.lastOccurredAt, lastRecordedAt: webhook.lastRecordedAt } } : {}),
      ...(sync.lastOccurredAt ? { sync: { lastOccurredAt: sync.lastOccurredAt } } : {}),
      projections,
    };
  }

  private async readOpen(): Promise<{ open: Map<string, StaleSyncObservation & { detectedAt: string }>; revision: 'no_stream' | bigint }> {
    const open = new Map<string, StaleSyncObservation & { detectedAt: string }>();
    try {
      const events = await this.store.readStream(FRESHNESS_STREAM);
      for (const e of events) if ((FRESHNESS_EVENT_TYPES as readonly string[]).includes(e.type)) evolveOpenStaleSync(open, { type: e.type, data: e.data } as FreshnessEvent);
      return { open, revision: events[events.length - 1]!.revision };
    } catch (err) {
      if (err instanceof StreamNotFoundError) return { open, revision: 'no_stream' };
      throw err;
    }
  }
}
