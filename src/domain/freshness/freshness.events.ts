/**
 * STALE_SYNC findings (DESIGN §6, §10): a source looks current but has stopped advancing, or a
 * projection lags. They are facts in the stream {@link FRESHNESS_STREAM}: detected when a check starts
 * failing, cleared when it passes again; the exception projection turns an open one into an
 * operations exception.
 */

/** The one stream of freshness findings. */
export const FRESHNESS_STREAM = 'freshness';

/**
 * What fell behind:
 * - `erp_behind_scayle`: Scayle invoiced, no ERP document followed within `LEDGER_STALE_ERP_LAG`;
 * - `webhooks_silent`: no Scayle webhook during trading hours for `LEDGER_STALE_WEBHOOK_SILENCE`
 *   while the Admin API sync sees newer orders;
 * - `projection_lag`: a projection has had an event waiting longer than `LEDGER_STALE_PROJECTION_LAG`.
 */
export type StaleSyncKind = 'erp_behind_scayle' | 'webhooks_silent' | 'projection_lag';

/** A failing check as observed: `checkId` is stable per check (`projection_lag:<name>`). */
export interface StaleSyncObservation {
  checkId: string;
  kind: StaleSyncKind;
  /** One line for operations: what is behind, since when, what to look at. */
  message: string;
  /** Figures behind the message (times ISO-8601, durations in seconds). */
  details: Record<string, string | number>;
}

export interface StaleSyncDetected {
  type: 'StaleSyncDetected';
  data: StaleSyncObservation & { code: 'STALE_SYNC'; owner: 'operations'; detectedAt: string };
}

export interface StaleSyncCleared {
  type: 'StaleSyncCleared';
  data: { checkId: string; kind: StaleSyncKind; code: 'STALE_SYNC'; clearedAt: string; message: string };
}

export type FreshnessEvent = StaleSyncDetected | StaleSyncCleared;

export const FRESHNESS_EVENT_TYPES = ['StaleSyncDetected', 'StaleSyncCleared'] as const satisfies readonly FreshnessEvent['type'][];
