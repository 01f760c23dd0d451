/**
 * State of one accounting period, folded from its stream `period-<YYYY-MM>` (see
 * `period.events.ts`). A period with no events is `open`.
 */
import { assertNever } from '../shared/decider';
import type { CloseOverride, PeriodEvent } from './period.events';

export type PeriodStatus = 'open' | 'closing' | 'closed' | 'reopened';

/** One completed close of the period. */
export interface PeriodCloseRecord {
  closeId: string;
  snapshotId: string;
  version: number;
  hash: string;
  /** Cut position (decimal string). */
  position: string;
  previousHash: string | null;
  rulesVersion: string;
  closedAt: string;
  closedBy: string;
  override?: CloseOverride;
}

/** The close in progress (soft lock). */
export interface PeriodClosing {
  closeId: string;
  startedAt: string;
  startedBy: string;
  blockingCodes: string[];
  override?: CloseOverride;
}

export interface PeriodReopening {
  reopenId: string;
  reason: string;
  reopenedBy: string;
  role: string;
  reopenedAt: string;
  snapshotId: string;
}

export interface PeriodState {
  status: PeriodStatus;
  /** Every completed close, oldest first (version = index + 1). */
  closes: PeriodCloseRecord[];
  reopenings: PeriodReopening[];
  closing?: PeriodClosing;
  /** Status before the close in progress started (what an abort returns to). */
  statusBeforeClosing?: 'open' | 'reopened';
}

export function initialPeriodState(): PeriodState {
  return { status: 'open', closes: [], reopenings: [] };
}

/** The period's current close (latest version), if any. */
export function latestClose(state: PeriodState): PeriodCloseRecord | undefined {
  return state.closes[state.closes.length - 1];
}

/** Folds one period event into the state. */
export function evolvePeriod(state: PeriodState, event: PeriodEvent): PeriodState {
  switch (event.type) {
    case 'PeriodCloseStarted': {
      const { closeId, startedAt, startedBy, blockingCodes, override } = event.data;
      const before = state.status === 'closing' ? (state.statusBeforeClosing ?? 'open') : state.status === 'reopened' ? 'reopened' : 'open';
      return { ...state, status: 'closing', statusBeforeClosing: before, closing: { closeId, startedAt, startedBy, blockingCodes, ...(override ? { override } : {}) } };
    }
    case 'PeriodCloseSnapshotRecorded':
      return state;
    case 'PeriodClosed': {
      const d = event.data;
      const record: PeriodCloseRecord = {
        closeId: d.closeId,
        snapshotId: d.snapshotId,
        version: d.version,
        hash: d.hash,
        position: d.position,
        previousHash: d.previousHash,
        rulesVersion: d.rulesVersion,
        closedAt: d.closedAt,
        closedBy: d.closedBy,
        ...(d.override ? { override: d.override } : {}),
      };
      const { closing: _c, statusBeforeClosing: _s, ...rest } = state;
      return { ...rest, status: 'closed', closes: [...state.closes, record] };
    }
    case 'PeriodCloseAborted': {
      if (state.closing?.closeId !== event.data.closeId) return state;
      const { closing: _c, statusBeforeClosing, ...rest } = state;
      return { ...rest, status: statusBeforeClosing ?? 'open' };
    }
    case 'PeriodReopened': {
      const { reopenId, reason, reopenedBy, role, reopenedAt, snapshotId } = event.data;
      return { ...state, status: 'reopened', reopenings: [...state.reopenings, { reopenId, reason, reopenedBy, role, reopenedAt, snapshotId }] };
    }
    default:
      return assertNever(event, 'period event');
  }
}
