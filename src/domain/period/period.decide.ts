/**
 * The period decider (issue 7): close with the soft lock, complete or abort a close, reopen.
 *
 * Rules:
 * - A period closes only once it has ended in the company timezone (`period_not_ended`).
 * - A close starts from `open`, `reopened` or `closing` (a close left in `closing` by a crash is
 *   restarted; of two racing closes the later cut wins and the earlier fails on the revision check).
 *   A `closed` period must be reopened first.
 * - Every projection must have reached the log head (`projections` on the command).
 * - No open exception of a blocking code may remain, unless the command carries an override with a
 *   reason; the override records exactly the exceptions it overrides.
 * - Only `finance` or `admin` close and reopen; a reopen needs a reason.
 * Time and ids come in on the command; the handler fills them.
 */
import { businessRule, DomainError, invalid } from '../shared/errors';
import { assertNever, type Decider } from '../shared/decider';
import { periodOfInstant, type Period } from '../shared/period';
import { blockingExceptions, type CloseSnapshot, type ReconciliationSettings } from './close-snapshot';
import type { CloseOverride, OverriddenException, PeriodEvent } from './period.events';
import { evolvePeriod, initialPeriodState, latestClose, type PeriodState } from './period.state';

/** Roles that may close and reopen a period. */
export const PERIOD_CLOSE_ROLES: readonly string[] = ['finance', 'admin'];

/** A projection's progress, as the close checks it. */
export interface ProjectionProgress {
  name: string;
  /** Log position it has applied up to. */
  position: bigint;
}

export interface StartPeriodClose {
  type: 'StartPeriodClose';
  data: {
    period: Period;
    closeId: string;
    at: string;
    actor: string;
    role: string;
    /** Log head when the command was decided. */
    head: bigint;
    projections: readonly ProjectionProgress[];
    /** Finding codes that block a close. */
    blockingCodes: readonly string[];
    settings: ReconciliationSettings;
    /** Open exceptions of a blocking code in this period, as the live queue shows them. */
    blocking: readonly OverriddenException[];
    /** Present when finance closes despite blocking exceptions. */
    overrideReason?: string;
  };
}

export interface CompletePeriodClose {
  type: 'CompletePeriodClose';
  data: { period: Period; closeId: string; at: string; actor: string; hash: string; snapshot: CloseSnapshot };
}

export interface AbortPeriodClose {
  type: 'AbortPeriodClose';
  data: { period: Period; closeId: string; at: string; reason: string };
}

export interface ReopenPeriod {
  type: 'ReopenPeriod';
  data: { period: Period; reopenId: string; at: string; actor: string; role: string; reason: string };
}

export type PeriodCommand = StartPeriodClose | CompletePeriodClose | AbortPeriodClose | ReopenPeriod;

/** Thrown when open exceptions of a blocking code prevent a close without override. */
export class BlockingExceptionsError extends DomainError {
  override readonly name = 'BlockingExceptionsError';
  constructor(
    readonly period: Period,
    readonly exceptions: readonly OverriddenException[],
  ) {
    super('business_rule', 'blocking_exceptions', `Period ${period} has ${exceptions.length} open exception(s) of a blocking code; resolve them or close with an override and a reason`, undefined, {
      count: String(exceptions.length),
    });
  }
}

/** Thrown when a projection has not reached the log head. */
export class ProjectionsLaggingError extends DomainError {
  override readonly name = 'ProjectionsLaggingError';
  constructor(
    readonly head: bigint,
    readonly lagging: readonly ProjectionProgress[],
  ) {
    super('conflict', 'projections_lagging', `Projections behind the log head ${String(head)}: ${lagging.map((p) => `${p.name} at ${String(p.position)}`).join(', ')}; retry when they have caught up`, undefined, {
      head: String(head),
    });
  }
}

function requireRole(role: string, what: string): void {
  if (!PERIOD_CLOSE_ROLES.includes(role)) throw businessRule('role_not_allowed', `Only finance or admin may ${what} a period, not ${role}`, 'role', { role });
}

function startClose(c: StartPeriodClose['data'], state: PeriodState): PeriodEvent[] {
  requireRole(c.role, 'close');
  if (state.status === 'closed') {
    throw new DomainError('conflict', 'period_closed', `Period ${c.period} is closed (${latestClose(state)!.snapshotId}); reopen it first`, undefined, { snapshotId: latestClose(state)!.snapshotId });
  }
  const current = periodOfInstant(c.at, c.settings.timezone);
  if (current <= c.period) {
    throw businessRule('period_not_ended', `Period ${c.period} has not ended in ${c.settings.timezone} (it is ${current} there); close it once the month is over`, 'period', { period: c.period, current });
  }
  const lagging = c.projections.filter((p) => p.position < c.head);
  if (lagging.length > 0) throw new ProjectionsLaggingError(c.head, lagging);
  const reason = c.overrideReason?.trim();
  if (c.overrideReason !== undefined && !reason) throw invalid('override_reason_required', 'An override needs a reason', 'override.reason');
  if (c.blocking.length > 0 && !reason) throw new BlockingExceptionsError(c.period, c.blocking);
  const override: CloseOverride | undefined = reason ? { reason, exceptions: [...c.blocking].sort((a, b) => (a.exceptionId < b.exceptionId ? -1 : 1)) } : undefined;
  const blockingCodes = [...new Set(c.blockingCodes)].sort();
  return [{ type: 'PeriodCloseStarted', data: { period: c.period, closeId: c.closeId, startedAt: c.at, startedBy: c.actor, blockingCodes, settings: c.settings, ...(override ? { override } : {}) } }];
}

function completeClose(c: CompletePeriodClose['data'], state: PeriodState): PeriodEvent[] {
  if (state.status !== 'closing' || state.closing?.closeId !== c.closeId) {
    throw new DomainError('conflict', 'close_superseded', `The close ${c.closeId} of ${c.period} is no longer in progress`);
  }
  const version = state.closes.length + 1;
  const s = c.snapshot;
  if (s.version !== version || s.period !== c.period) throw invalid('snapshot_mismatch', `Snapshot ${s.snapshotId} is not version ${version} of ${c.period}`, 'snapshot');
  if (s.position === undefined || s.close.startedBy !== state.closing.startedBy) throw invalid('snapshot_mismatch', `Snapshot ${s.snapshotId} was not cut by close ${c.closeId}`, 'snapshot');
  // The snapshot is authoritative: what is open at the cut blocks, whatever the live queue showed.
  const blocking = blockingExceptions(s.openExceptions, state.closing.blockingCodes);
  if (blocking.length > 0 && !state.closing.override) throw new BlockingExceptionsError(c.period, blocking);
  const common = { period: c.period, closeId: c.closeId, snapshotId: s.snapshotId, version, hash: c.hash };
  const override = s.close.override;
  return [
    { type: 'PeriodCloseSnapshotRecorded', data: { ...common, snapshot: s } },
    {
      type: 'PeriodClosed',
      data: { ...common, position: s.position, previousHash: s.previousHash, rulesVersion: s.rulesVersion, closedAt: c.at, closedBy: c.actor, ...(override ? { override } : {}) },
    },
  ];
}

function abortClose(c: AbortPeriodClose['data'], state: PeriodState): PeriodEvent[] {
  if (state.status !== 'closing' || state.closing?.closeId !== c.closeId) return [];
  return [{ type: 'PeriodCloseAborted', data: { period: c.period, closeId: c.closeId, reason: c.reason, abortedAt: c.at } }];
}

function reopen(c: ReopenPeriod['data'], state: PeriodState): PeriodEvent[] {
  requireRole(c.role, 'reopen');
  const reason = c.reason.trim();
  if (!reason) throw invalid('reason_required', 'A reopen needs a reason', 'reason');
  if (state.status !== 'closed') throw new DomainError('conflict', 'period_not_closed', `Period ${c.period} is ${state.status}, not closed`, undefined, { status: state.status });
  return [{ type: 'PeriodReopened', data: { period: c.period, reopenId: c.reopenId, reason, reopenedBy: c.actor, role: c.role, reopenedAt: c.at, snapshotId: latestClose(state)!.snapshotId } }];
}

/** Answers a period command on the period's state. @throws DomainError (see module docs). */
export function decidePeriod(command: PeriodCommand, state: PeriodState): PeriodEvent[] {
  switch (command.type) {
    case 'StartPeriodClose':
      return startClose(command.data, state);
    case 'CompletePeriodClose':
      return completeClose(command.data, state);
    case 'AbortPeriodClose':
      return abortClose(command.data, state);
    case 'ReopenPeriod':
      return reopen(command.data, state);
    default:
      return assertNever(command, 'period command');
  }
}

export const periodDecider: Decider<PeriodCommand, PeriodState, PeriodEvent> = {
  initialState: initialPeriodState,
  evolve: evolvePeriod,
  decide: decidePeriod,
};
