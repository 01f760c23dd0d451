/**
 * Events of the accounting-period stream `period-<YYYY-MM>` (DESIGN §7, issue 7).
 *
 * Lifecycle: `open → closing (soft lock) → closed → reopened → closing → closed …`.
 * - `PeriodCloseStarted` takes the soft lock; **its own log position is the cut** the close
 *   snapshot reflects (every event before it, nothing after).
 * - `PeriodCloseSnapshotRecorded` stores the snapshot body immutably in the log; `PeriodClosed`
 *   carries its SHA-256 hash, the cut position and the previous close's hash (the hash chain, see
 *   `close-snapshot.ts`). Both are appended together, in that order.
 * - `PeriodCloseAborted` releases the soft lock when a close could not be completed.
 * - `PeriodReopened` opens a closed period again; a later close is a new snapshot version, the old
 *   ones stay.
 *
 * Positions are decimal strings; times ISO-8601 UTC. All at schema version 1.
 */
import type { Period } from '../shared/period';
import type { CloseOverride, CloseSnapshot, ReconciliationSettings } from './close-snapshot';

export type { CloseOverride, OverriddenException } from './close-snapshot';

export interface PeriodCloseStarted {
  type: 'PeriodCloseStarted';
  data: {
    period: Period;
    closeId: string;
    startedAt: string;
    /** `role:keyId` of the caller. */
    startedBy: string;
    /** Finding codes whose open exceptions block the close (configuration at the time). */
    blockingCodes: string[];
    /** Configured reconciliation settings the snapshot is computed with (replay uses these). */
    settings: ReconciliationSettings;
    /** The override asked for, with the blocking exceptions the live queue showed at the start. */
    override?: CloseOverride;
  };
}

export interface PeriodCloseSnapshotRecorded {
  type: 'PeriodCloseSnapshotRecorded';
  data: { period: Period; closeId: string; snapshotId: string; version: number; hash: string; snapshot: CloseSnapshot };
}

export interface PeriodClosed {
  type: 'PeriodClosed';
  data: {
    period: Period;
    closeId: string;
    snapshotId: string;
    /** 1 for the first close, +1 for each re-close after a reopen. */
    version: number;
    /** `sha256:<hex>` of the RFC 8785 canonical snapshot. */
    hash: string;
    /** The cut: log position of this close's `PeriodCloseStarted` (decimal string). */
    position: string;
    /** Hash of the previous close in the chain, `null` for a genesis close. */
    previousHash: string | null;
    rulesVersion: string;
    closedAt: string;
    closedBy: string;
    /** The blocking exceptions open at the cut that the close overrode, and why. */
    override?: CloseOverride;
  };
}

export interface PeriodCloseAborted {
  type: 'PeriodCloseAborted';
  data: { period: Period; closeId: string; reason: string; abortedAt: string };
}

export interface PeriodReopened {
  type: 'PeriodReopened';
  data: {
    period: Period;
    reopenId: string;
    reason: string;
    /** `role:keyId` of the caller. */
    reopenedBy: string;
    role: string;
    reopenedAt: string;
    /** The snapshot that stops being the period's current close. */
    snapshotId: string;
  };
}

export type PeriodEvent = PeriodCloseStarted | PeriodCloseSnapshotRecorded | PeriodClosed | PeriodCloseAborted | PeriodReopened;

export const PERIOD_EVENT_TYPES = ['PeriodCloseStarted', 'PeriodCloseSnapshotRecorded', 'PeriodClosed', 'PeriodCloseAborted', 'PeriodReopened'] as const satisfies readonly PeriodEvent['type'][];

const TYPES: ReadonlySet<string> = new Set(PERIOD_EVENT_TYPES);

/** Whether `event` is a period event (the shape is trusted: only the period handlers write them). */
export function isPeriodEvent(event: { type: string }): event is PeriodEvent {
  return TYPES.has(event.type);
}
