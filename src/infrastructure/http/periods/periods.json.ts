/** JSON bodies of the period routes (positions as decimal strings, money as decimal strings). */
import type { CloseResult } from '../../../application/period/close-period.handler';
import type { PeriodSnapshots } from '../../../application/period/get-period-snapshots.query';
import type { StoredSnapshot } from '../../../application/period/period-stream';

/** A snapshot's seal: what `PeriodClosed` recorded. */
export function snapshotSummaryJson(s: StoredSnapshot) {
  return {
    snapshotId: s.snapshotId,
    period: s.snapshot.period,
    version: s.version,
    hash: s.hash,
    position: s.closed.position,
    previousHash: s.closed.previousHash,
    rulesVersion: s.closed.rulesVersion,
    cutAt: s.snapshot.cutAt,
    closedAt: s.closed.closedAt,
    closedBy: s.closed.closedBy,
    current: s.current,
    ...(s.closed.override ? { override: s.closed.override } : {}),
  };
}

/** A snapshot with its body. */
export function snapshotJson(s: StoredSnapshot) {
  return { ...snapshotSummaryJson(s), snapshot: s.snapshot };
}

export function snapshotsJson(p: PeriodSnapshots) {
  return { period: p.period, status: p.status, chain: p.chain, snapshots: p.snapshots.map(snapshotSummaryJson) };
}

export function closeJson(r: CloseResult) {
  const s = r.snapshot;
  return {
    snapshotId: s.snapshotId,
    period: s.period,
    version: s.version,
    status: 'closed',
    hash: r.hash,
    position: s.position,
    previousHash: s.previousHash,
    rulesVersion: s.rulesVersion,
    cutAt: s.cutAt,
    closedPosition: String(r.closedPosition),
    eventsReplayed: r.eventsReplayed,
    ...(s.close.override ? { override: s.close.override } : {}),
    snapshot: s,
  };
}
