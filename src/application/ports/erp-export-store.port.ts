/**
 * The export index (issue 10): every export the ledger requested, its status, attempts and outcome,
 * the orders that need planning, and the export flow's own subscription checkpoint. It is derived
 * from the log — `OrderExportRequested` adds an entry, `OrderExportedToErp` / `ErpExportFailed`
 * settle it, mapping changes unblock entries blocked by a missing mapping — so losing it only costs
 * a re-scan. Status changes carry the log position that caused them and an older one never
 * overwrites a newer one, so the indexer and the sender may both write.
 */
import type { ExportCategory, ExportDocumentKind, MissingMapping } from '../../domain/erp-export/erp-export.events';

/** `pending`: to send (or waiting for a retry); `blocked`: a mapping is missing; `exported`; `failed`: given up. */
export type ErpExportStatus = 'pending' | 'blocked' | 'exported' | 'failed';

export interface ErpExportEntry {
  exportId: string;
  /** The order stream the export belongs to. */
  streamId: string;
  orderId: string;
  documentKind: ExportDocumentKind;
  category: ExportCategory;
  sequence: number;
  /** The ledger's document number (`901-INV1`). */
  documentNumber: string;
  /** `YYYY-MM-DD` and its accounting period `YYYY-MM`. */
  postingDate: string;
  period: string;
  status: ErpExportStatus;
  /** Send attempts so far (a mapping check counts). */
  attempts: number;
  /** Failure reason of a blocked or failed entry (`mapping_missing`, `rejected`, `unavailable`). */
  reason?: string;
  missing?: MissingMapping[];
  lastError?: string;
  /** ISO-8601: a pending entry is not sent before. */
  nextAttemptAt?: string;
  erpDocumentNumber?: string;
  payloadHash?: string;
  exportedAt?: string;
  /** Log position of the `OrderExportRequested`: the order entries are sent in. */
  position: bigint;
  requestedAt: string;
  updatedAt: string;
}

/** A settled outcome, with the log position of the event that records it. */
export interface ErpExportOutcome {
  exportId: string;
  position: bigint;
  status: 'exported' | 'blocked' | 'failed';
  at: string;
  attempts?: number;
  erpDocumentNumber?: string;
  payloadHash?: string;
  reason?: string;
  missing?: MissingMapping[];
  error?: string;
}

/** An order stream that changed in a way that may make an export due. */
export interface DirtyOrder {
  streamId: string;
  /** Position of the latest such change. */
  position: bigint;
}

/** What the indexer saw since the checkpoint. */
export interface IndexChanges {
  requested: ErpExportEntry[];
  outcomes: ErpExportOutcome[];
  dirty: DirtyOrder[];
  /** Position of the latest mapping change: blocked entries blocked before it become pending. */
  mappingsChangedAt?: bigint;
}

export interface ErpExportPage {
  entries: ErpExportEntry[];
  /** Position of the last entry when more may follow. */
  nextAfter?: bigint;
}

export interface ErpExportStore {
  /** Position of the last log event the indexer consumed (`0n` before the first). */
  checkpoint(): Promise<bigint>;
  /** Atomically applies `changes` and moves the checkpoint to `position`. */
  advance(position: bigint, changes: IndexChanges): Promise<void>;

  /** Orders to plan, by (position, streamId), after the cursor and not past `maxPosition`. */
  dirtyOrders(options: { after?: { position: bigint; streamId: string }; maxPosition: bigint; limit: number }): Promise<DirtyOrder[]>;
  /** Forgets an order's mark unless a change after `position` renewed it. */
  clean(streamId: string, position: bigint): Promise<void>;

  /** Adds requested entries (entries already known are left as they are). */
  addRequested(entries: readonly ErpExportEntry[]): Promise<void>;

  /**
   * Pending entries due at `nowIso` that nobody holds, the first unsettled entry of each order only
   * (an order's documents go out in the order they were requested), oldest first.
   */
  due(nowIso: string, limit: number): Promise<ErpExportEntry[]>;
  /**
   * Takes entries for one attempt each until `untilIso` (atomic, in one durable transaction: one
   * holder at a time, and the attempt is counted before any call, so after a crash the next attempt
   * knows the ERP may have the document). Answers, per entry taken, the attempt number (1 = first
   * ever) and how many attempts count towards giving up (since the entry was last re-opened or
   * unblocked); entries someone else holds or that are no longer pending are left out.
   */
  claim(exportIds: readonly string[], nowIso: string, untilIso: string): Promise<Map<string, { attempt: number; budgetUsed: number }>>;
  /** Releases an entry after a failed attempt that will be retried at `nextAttemptAt`. */
  recordRetry(exportId: string, error: string, nextAttemptAt: string, at: string): Promise<void>;
  /** Settles an entry (position-guarded) and releases it. */
  settle(outcome: ErpExportOutcome): Promise<void>;
  /** Blocked entries whose missing mappings are configuration (fee/discount accounts) become pending. */
  unblockConfigured(at: string): Promise<number>;
  /**
   * Releases every claim (called at start by the only process that may export from this store: the
   * one holding the data directory's instance lock). A claim still held then belongs to a process
   * that died mid-export; its entries keep their attempt counts, so the next attempt reads the ERP
   * back before sending again. Returns how many were released.
   */
  releaseClaims(at: string): Promise<number>;
  /** Failed entries become pending again (an operator's retry). */
  reopenFailed(at: string): Promise<number>;

  /** Earliest `nextAttemptAt` of a pending entry, if any waits for a retry. */
  nextWakeAt(): Promise<string | undefined>;
  /** Entries by status. */
  counts(): Promise<Record<ErpExportStatus, number>>;
  /** Entries in position order after `after`, filtered. */
  list(options: { status?: ErpExportStatus; period?: string; orderId?: string; after?: bigint; limit: number }): Promise<ErpExportPage>;
  close(): Promise<void>;
}
