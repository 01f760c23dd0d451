/**
 * Audit replay of a closed period (issue 7): recompute a stored snapshot from the log alone, up to
 * its cut, with the settings its close recorded, and compare.
 *
 * `match` holds only when all three agree: the hash recorded in `PeriodClosed`, the hash of the body
 * stored in `PeriodCloseSnapshotRecorded`, and the hash of the recomputed body. Differences are
 * itemised as JSON paths with the stored (`expected`) and replayed (`actual`) values.
 */
import { RULES_VERSION } from '../../domain/order/rules/rules-version';
import type { CloseSnapshot } from '../../domain/period/close-snapshot';
import { diffJson, type SnapshotDifference } from '../../domain/period/snapshot-diff';
import { DomainError } from '../../domain/shared/errors';
import type { PeriodCloseStarted } from '../../domain/period/period.events';
import type { EventStore } from '../ports/event-store.port';
import type { ReconciliationPolicySource } from '../reconciliation/policy.source';
import { computeSnapshot } from './close-period.handler';
import type { LogReplayEngine, ReplayProgress } from './log-replay.engine';
import { readPeriod, type StoredSnapshot } from './period-stream';
import { canonicalSnapshot, snapshotHash } from './snapshot-hash';

export interface ReplayReport {
  period: string;
  snapshotId: string;
  match: boolean;
  /** Hash recorded in `PeriodClosed`. */
  snapshotHash: string;
  /** Hash of the body as stored now (differs from `snapshotHash` when the stored body was altered). */
  storedHash: string;
  replayedHash: string;
  /** Cut position (decimal string). */
  position: string;
  eventsReplayed: number;
  /** Rules version of the close and of this replay. */
  rulesVersion: { snapshot: string; replay: string };
  /** Stored (`expected`) vs replayed (`actual`), at most 100. */
  differences: SnapshotDifference[];
  replayed: CloseSnapshot;
}

export class ReplayPeriodHandler {
  constructor(
    private readonly events: EventStore,
    private readonly engine: LogReplayEngine,
    private readonly policies: ReconciliationPolicySource,
  ) {}

  /**
   * Replays `snapshotId` of `period` (default: the latest snapshot).
   * @throws DomainError `not_found` (`snapshot_not_found`) when the period has no such snapshot.
   */
  async replay(period: string, snapshotId?: string, onProgress?: (p: ReplayProgress) => void): Promise<ReplayReport> {
    const history = await readPeriod(this.events, period);
    const stored = pick(history.snapshots, period, snapshotId);
    const cut = BigInt(stored.closed.position);
    const started = history.events.find((e) => e.position === cut && e.type === 'PeriodCloseStarted') as (PeriodCloseStarted & { position: bigint }) | undefined;
    if (!started) throw new DomainError('not_found', 'cut_not_found', `No PeriodCloseStarted at the cut ${String(cut)} of ${stored.snapshotId}`);
    const d = started.data;
    const { snapshot: replayed, eventsReplayed } = await computeSnapshot(
      { events: this.events, engine: this.engine, policies: this.policies },
      { period, version: stored.version, cut, cutAt: d.startedAt, settings: d.settings, startedBy: d.startedBy, blockingCodes: d.blockingCodes, ...(d.override ? { overrideReason: d.override.reason } : {}) },
      onProgress,
    );
    const replayedHash = snapshotHash(replayed);
    const storedHash = snapshotHash(stored.snapshot);
    const differences = diffJson(stored.snapshot, replayed);
    if (differences.length === 0 && canonicalSnapshot(stored.snapshot) !== canonicalSnapshot(replayed)) differences.push({ path: '$', expected: 'stored body', actual: 'replayed body' });
    if (storedHash !== stored.hash && differences.length === 0) differences.push({ path: 'PeriodClosed.hash', expected: stored.hash, actual: storedHash });
    return {
      period,
      snapshotId: stored.snapshotId,
      match: replayedHash === stored.hash && storedHash === stored.hash,
      snapshotHash: stored.hash,
      storedHash,
      replayedHash,
      position: String(cut),
      eventsReplayed,
      rulesVersion: { snapshot: stored.closed.rulesVersion, replay: RULES_VERSION },
      differences,
      replayed,
    };
  }
}

/** The snapshot asked for, or the latest. @throws DomainError `not_found`. */
export function pick(snapshots: readonly StoredSnapshot[], period: string, snapshotId?: string): StoredSnapshot {
  const found = snapshotId === undefined ? snapshots[snapshots.length - 1] : snapshots.find((s) => s.snapshotId === snapshotId);
  if (!found) {
    throw new DomainError('not_found', 'snapshot_not_found', snapshotId === undefined ? `Period ${period} has never been closed` : `Period ${period} has no snapshot ${snapshotId}`, snapshotId === undefined ? 'period' : 'snapshotId');
  }
  return found;
}
