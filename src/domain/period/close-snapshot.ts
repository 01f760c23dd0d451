/**
 * The close snapshot (DESIGN §7, issue 7): what finance signs off for a period, recomputable bit
 * for bit from the log by an audit replay.
 *
 * **Canonical form and hash.** The snapshot is serialised with RFC 8785 JSON canonicalisation and
 * hashed with SHA-256 (`sha256:<64 hex>`; the application does both, the domain cannot hash). Every
 * value in it is a string, an integer count, `null`, an array or an object, so the canonical form is
 * unambiguous; money stays a decimal string in major units.
 *
 * **Hash chain.** `previousHash` is part of the hashed body, so every hash commits to the whole
 * history before it:
 * - a re-close after a reopen (version n > 1) chains to version n − 1 of the same period;
 * - a period's first close chains to the latest close of the **previous calendar month** recorded
 *   in the log before this close's cut (so June v1 names May's current close, even if May is reopened
 *   and re-closed later — May v2 then chains to May v1);
 * - `null` when the previous month was never closed before the cut (genesis).
 * Verifying: each `PeriodClosed.previousHash` equals the `hash` of the close it names, each stored
 * snapshot hashes to its `PeriodClosed.hash`, and an audit replay recomputes the same hash.
 *
 * **Ages** of open exceptions are measured at the cut time (`cutAt`), never "now", so a replay
 * years later gives the same figures.
 */
import type { FindingSide, ReconciliationComponent } from '../shared/findings';
import type { Period } from '../shared/period';
import { instantMs } from '../shared/period';
import type { ReconciliationStatus, SideTotals } from '../order/reconciliation.types';
import type { GraceWindows } from '../order/reconciliation.policy';
import type { ErpRoundingProfile } from '../shared/rounding';
import type { IngestFailureRef } from '../ingest/ingest-failure.exception';

// Moved to their own modules; re-exported so branches written against the old home still build.
export { subtractTotals } from './post-close-adjustments';
export { diffJson, type SnapshotDifference } from './snapshot-diff';

/** An exception that would have blocked the close, as the override records it. */
export interface OverriddenException {
  exceptionId: string;
  code: string;
  subject: string;
  orderId?: string;
}

/** A close that was allowed despite blocking exceptions: why, and which. */
export interface CloseOverride {
  reason: string;
  exceptions: OverriddenException[];
}

/** Schema of the snapshot body; part of the hashed body. */
export const CLOSE_SNAPSHOT_SCHEMA = 'scayle-ledger/close-snapshot@1';

/** Every reconciliation status, in report order. */
export const RECONCILIATION_STATUSES: readonly ReconciliationStatus[] = ['matched', 'matched_with_rounding', 'pending', 'drift'];

/** An exception open at the cut. */
export interface SnapshotException {
  exceptionId: string;
  code: string;
  owner: string;
  severity: string;
  /** Order stream (or `erp-unlinked-…`) the finding is about. */
  subject: string;
  orderId?: string;
  component: ReconciliationComponent | string;
  /**
   * Queue status at the cut (`open`, `acknowledged`, `assigned`): the human decisions recorded up to
   * the cut, folded as the live queue folds them (an exception resolved or written off at the cut is
   * not listed; since rules version `reconcile/2025.5`).
   */
  status: string;
  /** Who it is assigned to at the cut (status `assigned`). */
  assignee?: string;
  /** When the exception opened (ledger time of the event that opened it, or of its last reopening). */
  openedAt: string;
  /** Whole seconds from `openedAt` to the snapshot's `cutAt`. */
  ageSeconds: number;
  delta?: FindingSide;
  explanation: string;
  /**
   * The failed record a `SYNC_FAILURE` of an `ingest-failure-…` stream is about, as the live queue
   * names it. Only the as-of queue lists such exceptions: a failed record belongs to no accounting
   * period (the live queue gives it none), so no close snapshot holds one.
   */
  failure?: IngestFailureRef;
}

/** Totals of both sides (and the PSP) per currency and component: decimal strings, major units. */
export interface SnapshotTotals {
  scayle: SideTotals;
  erp: SideTotals;
  psp: SideTotals;
}

export interface SnapshotCounts {
  /** Orders whose sale falls in the period. */
  orders: number;
  /** Orders per reconciliation status (every status present, zero included). */
  byStatus: Record<ReconciliationStatus, number>;
  /** Findings per code (only codes that occur). */
  byFindingCode: Record<string, number>;
  /**
   * Streams of the period (orders, parked ERP documents, settlement batches) that could not be folded
   * or evaluated: a stored event cannot be read. Their figures are in no total or count above; each is
   * an open `SYNC_FAILURE` in `openExceptions` (`<stream>/SYNC_FAILURE/<component>/unreadable`).
   * Since rules version `reconcile/2025.7`.
   */
  unreadableStreams: number;
}

/** The hashed body of a close. */
export interface CloseSnapshot {
  schema: typeof CLOSE_SNAPSHOT_SCHEMA;
  /** `<period>-v<version>`, e.g. `2024-06-v2`. */
  snapshotId: string;
  period: Period;
  version: number;
  /** Company timezone (IANA) the period was cut in. */
  timezone: string;
  /** The cut: log position of the close's `PeriodCloseStarted` (decimal string). */
  position: string;
  /** Ledger time of the cut (the `PeriodCloseStarted`'s `startedAt`). */
  cutAt: string;
  rulesVersion: string;
  /** Settings and mapping versions (number of changes at the cut) the reconciliation ran with. */
  policy: { settings: ReconciliationSettings; mappings: { taxCodes: number; items: number } };
  previousHash: string | null;
  /**
   * Who cut the period, which codes blocked the close, and the override: its reason and the open
   * exceptions of a blocking code it let through (derived from `openExceptions`).
   */
  close: { startedBy: string; blockingCodes: string[]; override?: CloseOverride };
  totals: SnapshotTotals;
  counts: SnapshotCounts;
  /** Sorted by `exceptionId`. */
  openExceptions: SnapshotException[];
}

/**
 * The configured part of the reconciliation policy a close was cut with (recorded in
 * `PeriodCloseStarted` and in the snapshot; mappings come from the log at the cut).
 */
export interface ReconciliationSettings {
  /** Company timezone, IANA. */
  timezone: string;
  erpProfile: ErpRoundingProfile;
  /** Decimal string (major units) or per currency; absent = 5 minor units. */
  materialityCap?: string | Record<string, string>;
  graceWindows?: Partial<GraceWindows>;
}

/** Snapshot id of a period's n-th close. */
export const snapshotIdOf = (period: Period, version: number): string => `${period}-v${version}`;

/** An exception as the read side knows it, without its age. */
export type OpenException = Omit<SnapshotException, 'ageSeconds'>;

export interface CloseSnapshotInput {
  period: Period;
  version: number;
  timezone: string;
  position: bigint;
  cutAt: string;
  rulesVersion: string;
  /** Settings and mapping versions (number of changes at the cut) the reconciliation ran with. */
  policy: { settings: ReconciliationSettings; mappings: { taxCodes: number; items: number } };
  previousHash: string | null;
  /**
   * Who cut the period, which codes blocked the close, and the override: its reason and the open
   * exceptions of a blocking code it let through (derived from `openExceptions`).
   */
  close: { startedBy: string; blockingCodes: readonly string[]; overrideReason?: string };
  totals: SnapshotTotals;
  counts: { orders: number; byStatus: Partial<Record<ReconciliationStatus, number>>; byFindingCode: Record<string, number>; unreadableStreams?: number };
  openExceptions: Iterable<OpenException>;
}

/**
 * Builds the snapshot body: fills every status count, drops zero finding counts, sorts keys-free
 * collections (exceptions by id) and measures each exception's age at `cutAt`.
 * @throws DomainError `invalid`/`invalid_instant` for a malformed `cutAt` or `openedAt`.
 */
export function buildCloseSnapshot(input: CloseSnapshotInput): CloseSnapshot {
  const cutMs = instantMs(input.cutAt, 'cutAt');
  const byStatus = Object.fromEntries(RECONCILIATION_STATUSES.map((s) => [s, input.counts.byStatus[s] ?? 0])) as Record<ReconciliationStatus, number>;
  const byFindingCode = Object.fromEntries(Object.entries(input.counts.byFindingCode).filter(([, n]) => n > 0));
  const openExceptions = [...input.openExceptions]
    .map((e) => ({ ...e, ageSeconds: Math.max(0, Math.floor((cutMs - instantMs(e.openedAt, 'openedAt')) / 1000)) }))
    .sort((a, b) => (a.exceptionId < b.exceptionId ? -1 : a.exceptionId > b.exceptionId ? 1 : 0));
  return {
    schema: CLOSE_SNAPSHOT_SCHEMA,
    snapshotId: snapshotIdOf(input.period, input.version),
    period: input.period,
    version: input.version,
    timezone: input.timezone,
    position: String(input.position),
    cutAt: input.cutAt,
    rulesVersion: input.rulesVersion,
    policy: input.policy,
    previousHash: input.previousHash,
    close: closeOf(input.close, openExceptions),
    totals: input.totals,
    counts: { orders: input.counts.orders, byStatus, byFindingCode, unreadableStreams: input.counts.unreadableStreams ?? 0 },
    openExceptions,
  };
}

function closeOf(c: CloseSnapshotInput['close'], open: readonly SnapshotException[]): CloseSnapshot['close'] {
  const blockingCodes = [...new Set(c.blockingCodes)].sort();
  const out: CloseSnapshot['close'] = { startedBy: c.startedBy, blockingCodes };
  if (c.overrideReason !== undefined) out.override = { reason: c.overrideReason, exceptions: blockingExceptions(open, blockingCodes) };
  return out;
}

/** The open exceptions of a blocking code, as an override records them (sorted by id). */
export function blockingExceptions(open: Iterable<Pick<SnapshotException, 'exceptionId' | 'code' | 'subject' | 'orderId'>>, codes: readonly string[]): OverriddenException[] {
  const set = new Set(codes);
  return [...open]
    .filter((e) => set.has(e.code))
    .map((e) => ({ exceptionId: e.exceptionId, code: e.code, subject: e.subject, ...(e.orderId !== undefined ? { orderId: e.orderId } : {}) }))
    .sort((a, b) => (a.exceptionId < b.exceptionId ? -1 : a.exceptionId > b.exceptionId ? 1 : 0));
}
