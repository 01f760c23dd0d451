/**
 * Reads a period's close snapshots from its stream and verifies the hash chain (see
 * `close-snapshot.ts` "Hash chain").
 */
import type { PeriodStatus } from '../../domain/period/period.state';
import type { EventStore } from '../ports/event-store.port';
import { previousPeriodSnapshots, readPeriod, type StoredSnapshot } from './period-stream';
import { pick } from './replay-period.handler';
import { snapshotHash } from './snapshot-hash';

/** Result of checking one snapshot's links. */
export interface ChainCheck {
  snapshotId: string;
  /** The stored body hashes to the hash recorded in `PeriodClosed`. */
  bodyIntact: boolean;
  /** `previousHash` names the close the chain rule says it must. */
  linkIntact: boolean;
  /** What `previousHash` should be. */
  expectedPreviousHash: string | null;
}

export interface PeriodSnapshots {
  period: string;
  status: PeriodStatus;
  /** Oldest first. */
  snapshots: StoredSnapshot[];
  chain: { intact: boolean; checks: ChainCheck[] };
}

export class GetPeriodSnapshotsQuery {
  constructor(private readonly events: EventStore) {}

  /** Every snapshot of `period` with the chain verified. */
  async list(period: string): Promise<PeriodSnapshots> {
    const history = await readPeriod(this.events, period);
    const checks: ChainCheck[] = [];
    for (const [i, s] of history.snapshots.entries()) {
      const cut = BigInt(s.closed.position);
      let expected: string | null;
      if (i > 0) expected = history.snapshots[i - 1]!.hash;
      else {
        const before = await previousPeriodSnapshots(this.events, period, cut);
        expected = before.length > 0 ? before[before.length - 1]!.hash : null;
      }
      checks.push({
        snapshotId: s.snapshotId,
        bodyIntact: snapshotHash(s.snapshot) === s.hash,
        linkIntact: s.closed.previousHash === expected && s.snapshot.previousHash === expected,
        expectedPreviousHash: expected,
      });
    }
    return { period, status: history.state.status, snapshots: history.snapshots, chain: { intact: checks.every((c) => c.bodyIntact && c.linkIntact), checks } };
  }

  /**
   * One snapshot (default: the latest).
   * @throws DomainError `not_found`/`snapshot_not_found`.
   */
  async get(period: string, snapshotId?: string): Promise<StoredSnapshot> {
    return pick((await readPeriod(this.events, period)).snapshots, period, snapshotId);
  }
}
