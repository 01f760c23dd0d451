/**
 * The outbox of commands the ledger owes Scayle (refunds to record, corrections to write), kept by the
 * outbox dispatcher together with its own subscription checkpoint. It is derived from the log: every
 * `RefundRequested` / `LineItemsCorrected` enqueues an entry, every outcome event settles it, so
 * losing the store only costs a re-scan (and re-sends of what was in flight, which Scayle takes as
 * updates of the same status).
 */

/** Commands that are sent to Scayle. */
export type OutboxCommandType = 'RefundRequested' | 'LineItemsCorrected';

/** `pending`: not sent yet (or waiting for a retry); `sent`: Scayle accepted it; `failed`: gave up. */
export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxEntry {
  /** `refundId` or `correctionId`. */
  commandId: string;
  commandType: OutboxCommandType;
  /** The order stream the command was appended to. */
  streamId: string;
  /** Scayle order id (the REST path's `orderId`). */
  orderId: string;
  /** Id of the command event. */
  eventId: string;
  /** Log position of the command event. */
  position: bigint;
  status: OutboxStatus;
  /** Send attempts so far in this round. */
  attempts: number;
  /** 1, plus one per operator retry of a failed entry (`ScayleDispatchRetryRequested`). */
  round: number;
  /** Why the last attempt failed (or why nothing is sent), for operators. */
  lastError?: string;
  /** ISO-8601: when the dispatcher may try again (pending entries after a failed attempt). */
  nextAttemptAt?: string;
  /** ISO-8601 ledger times. */
  enqueuedAt: string;
  updatedAt: string;
}

/** A page of entries in position order. */
export interface OutboxPage {
  entries: OutboxEntry[];
  /** Position of the last entry when more may follow. */
  nextAfter?: bigint;
}

export interface OutboxStore {
  /** Position of the last log event the dispatcher has consumed (`0n` before the first). */
  checkpoint(): Promise<bigint>;

  /**
   * Atomically: adds `entries` (ignoring commands already known), applies `settled` outcomes seen
   * in the log, puts `requeued` failed entries back to pending (next round, attempts 0), and moves
   * the checkpoint to `position`.
   */
  advance(
    position: bigint,
    entries: readonly OutboxEntry[],
    settled: readonly { commandId: string; status: 'sent' | 'failed'; at: string; error?: string }[],
    requeued?: readonly { commandId: string; at: string }[],
  ): Promise<void>;

  /** One entry, if known. */
  get(commandId: string): Promise<OutboxEntry | undefined>;

  /** Pending entries due at `nowIso` (no `nextAttemptAt` or one not after it), oldest first. */
  due(nowIso: string, limit: number): Promise<OutboxEntry[]>;

  /** Earliest `nextAttemptAt` among pending entries, if any wait for a retry. */
  nextWakeAt(): Promise<string | undefined>;

  /** Records a failed attempt that will be retried at `nextAttemptAt`. */
  recordRetry(commandId: string, attempts: number, error: string, nextAttemptAt: string, at: string): Promise<void>;

  /** Settles an entry after its outcome event was appended. */
  settle(commandId: string, status: 'sent' | 'failed', attempts: number, at: string, error?: string): Promise<void>;

  /** How many entries are in each status (for `/metrics`). */
  counts(): Promise<Record<OutboxStatus, number>>;

  /** Entries in position order after `after`, optionally of one status. */
  list(options: { status?: OutboxStatus; orderId?: string; after?: bigint; limit: number }): Promise<OutboxPage>;

  close(): Promise<void>;
}
