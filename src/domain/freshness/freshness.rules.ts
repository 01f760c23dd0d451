/**
 * The STALE_SYNC rules (issue 9 item 1) over the per-source figures the freshness projection keeps.
 * Pure: "now", the figures and the thresholds come in; observations of failing checks go out.
 */
import { assertNever } from '../shared/decider';
import type { FreshnessEvent, StaleSyncObservation } from './freshness.events';

/** Figures of one projection: how long its oldest unprocessed event has waited. */
export interface ProjectionLagFigure {
  name: string;
  lagEvents: number;
  /** Seconds since the oldest event the projection has not processed was recorded; 0 when caught up. */
  lagSeconds: number;
}

/** What the rules look at (times ISO-8601 UTC). */
export interface FreshnessFigures {
  /** Ledger time of the first Scayle invoicing recorded after the last ERP document, if any. */
  erpPendingSince?: string;
  /** Last Scayle webhook: source time and ledger time. */
  webhook?: { lastOccurredAt: string; lastRecordedAt: string };
  /** Newest order `updatedAt` the Admin API sync has seen (source time of its last fact). */
  sync?: { lastOccurredAt: string };
  projections: readonly ProjectionLagFigure[];
}

/** Thresholds in milliseconds (`LEDGER_STALE_*`). */
export interface FreshnessThresholds {
  erpLagMs: number;
  webhookSilenceMs: number;
  projectionLagMs: number;
}

const seconds = (ms: number): number => Math.round(ms / 1000);
const human = (ms: number): string => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 60_000)} min`);

/**
 * The checks that fail at `now`. `inTradingHours` is decided by the caller (company time zone).
 * A check with too little data to judge (no webhook and no sync yet) does not fail.
 */
export function staleSyncObservations(figures: FreshnessFigures, now: Date, inTradingHours: boolean, t: FreshnessThresholds): StaleSyncObservation[] {
  const out: StaleSyncObservation[] = [];
  const at = now.getTime();
  if (figures.erpPendingSince) {
    const waited = at - Date.parse(figures.erpPendingSince);
    if (waited > t.erpLagMs) {
      out.push({
        checkId: 'erp_behind_scayle',
        kind: 'erp_behind_scayle',
        message: `Scayle has invoiced orders since ${figures.erpPendingSince} but no ERP document has arrived for ${human(waited)} (threshold ${human(t.erpLagMs)}): check the ERP export/integration.`,
        details: { pendingSince: figures.erpPendingSince, waitedSeconds: seconds(waited), thresholdSeconds: seconds(t.erpLagMs) },
      });
    }
  }
  if (inTradingHours && figures.sync) {
    const lastWebhook = figures.webhook?.lastRecordedAt;
    const silence = lastWebhook ? at - Date.parse(lastWebhook) : Number.POSITIVE_INFINITY;
    const syncAhead = !figures.webhook || Date.parse(figures.sync.lastOccurredAt) > Date.parse(figures.webhook.lastOccurredAt);
    if (silence > t.webhookSilenceMs && syncAhead) {
      out.push({
        checkId: 'webhooks_silent',
        kind: 'webhooks_silent',
        message: `No Scayle webhook ${lastWebhook ? `since ${lastWebhook}` : 'has ever arrived'} during trading hours, while the Admin API sync sees orders updated at ${figures.sync.lastOccurredAt}: check the webhook subscription and credentials in Scayle.`,
        details: {
          ...(lastWebhook ? { lastWebhookRecordedAt: lastWebhook, silenceSeconds: seconds(silence) } : {}),
          syncLastUpdatedAt: figures.sync.lastOccurredAt,
          thresholdSeconds: seconds(t.webhookSilenceMs),
        },
      });
    }
  }
  for (const p of figures.projections) {
    if (p.lagSeconds * 1000 > t.projectionLagMs) {
      out.push({
        checkId: `projection_lag:${p.name}`,
        kind: 'projection_lag',
        message: `The ${p.name} view is ${p.lagEvents} event(s) and ${p.lagSeconds} s behind the log (threshold ${seconds(t.projectionLagMs)} s): figures shown to users are not current.`,
        details: { projection: p.name, lagEvents: p.lagEvents, lagSeconds: p.lagSeconds, thresholdSeconds: seconds(t.projectionLagMs) },
      });
    }
  }
  return out;
}

/** Open STALE_SYNC findings by check id (folded from the freshness stream). */
export type OpenStaleSync = ReadonlyMap<string, StaleSyncObservation & { detectedAt: string }>;

export function evolveOpenStaleSync(open: Map<string, StaleSyncObservation & { detectedAt: string }>, event: FreshnessEvent): void {
  switch (event.type) {
    case 'StaleSyncDetected': {
      const { checkId, kind, message, details, detectedAt } = event.data;
      open.set(checkId, { checkId, kind, message, details, detectedAt });
      return;
    }
    case 'StaleSyncCleared':
      open.delete(event.data.checkId);
      return;
    default:
      assertNever(event, 'freshness event');
  }
}

/**
 * Transitions: a failing check that is not open is detected; an open check that no longer fails is
 * cleared. A check that keeps failing appends nothing (its first detection stays the finding).
 */
export function decideStaleSync(open: OpenStaleSync, failing: readonly StaleSyncObservation[], nowIso: string): FreshnessEvent[] {
  const events: FreshnessEvent[] = [];
  const failingIds = new Set(failing.map((f) => f.checkId));
  for (const f of failing) {
    if (!open.has(f.checkId)) events.push({ type: 'StaleSyncDetected', data: { ...f, code: 'STALE_SYNC', owner: 'operations', detectedAt: nowIso } });
  }
  for (const [checkId, o] of open) {
    if (!failingIds.has(checkId)) {
      events.push({ type: 'StaleSyncCleared', data: { checkId, kind: o.kind, code: 'STALE_SYNC', clearedAt: nowIso, message: `Cleared: ${o.kind.replace(/_/g, ' ')} is current again.` } });
    }
  }
  return events;
}
