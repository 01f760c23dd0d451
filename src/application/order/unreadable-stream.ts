/**
 * Streams the ledger cannot read. The log is immutable: a fact stored before the ingest checks
 * existed (a Scayle `confirmedAt` of `"garbage"`, a posting date in the year 0000) stays in it, and
 * folding or reconciling its stream fails on every attempt. The projection runner dead-letters such
 * an event (an operations `SYNC_FAILURE`); the log replay (close, audit replay, as-of queue) and the
 * single-order reconciliation use this module to name the stored event instead of failing as a whole
 * or blaming the request.
 */
import { DomainError, isDataError } from '../../domain/shared/errors';
import { periodOfInstant, sourceInstantProblem } from '../../domain/shared/period';
import type { RecordedEvent } from '../ports/event-store.port';

/** The stored event from which a stream cannot be folded or evaluated, and why. */
export interface UnreadableStream {
  streamId: string;
  eventId: string;
  eventType: string;
  position: bigint;
  /** Ledger time of that event (`metadata.recordedAt`, else the store's commit time). */
  recordedAt: string;
  /** The error's message, e.g. `Not an ISO-8601 instant with offset: garbage`. */
  reason: string;
}

/**
 * Ledger time of an event (`metadata.recordedAt`, else the store's commit time), or the commit time
 * when even `recordedAt` cannot be read: what an unreadable stream is dated and aged by.
 */
const ledgerTime = (e: Pick<RecordedEvent, 'metadata' | 'created'>): string => {
  const recordedAt = e.metadata.recordedAt;
  return typeof recordedAt === 'string' && sourceInstantProblem(recordedAt) === undefined ? recordedAt : e.created;
};

/**
 * Finds the event that makes `events` (one stream, in stream order) unreadable, after evaluating the
 * whole stream failed with `failure`. Each prefix is folded (`fold`, one event at a time) and
 * evaluated (`evaluate`, what the caller does with the whole stream: reconcile, assign the period…).
 * The culprit is the event the fold refuses, else the first event of the last run of prefixes that
 * cannot be evaluated (a bad time a later snapshot replaced is no culprit); the last event when
 * every prefix evaluates (the failure came from elsewhere, e.g. the decisions' fold).
 * Runs only on failure: one fold and up to one evaluation per event.
 * @throws the first error that is no data error (a store failure), as is.
 */
export function locateUnreadable(events: readonly RecordedEvent[], failure: unknown, fold: (e: RecordedEvent) => void, evaluate: (prefix: readonly RecordedEvent[]) => void): UnreadableStream {
  const prefix: RecordedEvent[] = [];
  let culprit: { event: RecordedEvent; error: unknown } | undefined;
  for (const e of events) {
    prefix.push(e);
    try {
      fold(e);
    } catch (error) {
      if (!isDataError(error)) throw error;
      return unreadable(e, error);
    }
    try {
      evaluate(prefix);
      culprit = undefined;
    } catch (error) {
      if (!isDataError(error)) throw error;
      culprit ??= { event: e, error };
    }
  }
  return culprit ? unreadable(culprit.event, culprit.error) : unreadable(events[events.length - 1]!, failure);
}

function unreadable(e: RecordedEvent, error: unknown): UnreadableStream {
  const reason = error instanceof Error ? error.message : String(error);
  // The message may quote the stored value; a value of any length must not make the answer as long.
  return { streamId: e.streamId, eventId: e.id, eventType: e.type, position: e.position, recordedAt: ledgerTime(e), reason: reason.length > 300 ? `${reason.slice(0, 300)}…` : reason };
}

/**
 * The period an unreadable stream is reported in: the month, in `timezone`, of the ledger time of
 * its first event — the one time the ledger wrote itself, so it is always readable and the same on
 * every replay (the stream's own times are what cannot be read). Undefined only when even that
 * fails; the stream is then reported in every period.
 */
export function unreadableStreamPeriod(events: readonly RecordedEvent[], timezone: string): string | undefined {
  const first = events[0];
  if (!first) return undefined;
  try {
    return periodOfInstant(ledgerTime(first), timezone);
  } catch {
    return undefined;
  }
}

/** Exception id of an unreadable stream in a close snapshot or as-of queue: one per stream. */
export const unreadableStreamExceptionId = (streamId: string, component: 'order' | 'settlement'): string => `${streamId}/SYNC_FAILURE/${component}/unreadable`;

/**
 * Thrown when an order's stream holds an event the ledger cannot read (422): the request is fine,
 * the stored fact is not. Names the event (`eventId`, `eventType`, `position`) and the reason.
 */
export class UnreadableStreamError extends DomainError {
  override readonly name = 'UnreadableStreamError';
  constructor(
    readonly subject: string,
    readonly unreadable: UnreadableStream,
  ) {
    super(
      'business_rule',
      'unreadable_order_stream',
      `${subject} cannot be reconciled: its stored event ${unreadable.eventType} ${unreadable.eventId} (position ${String(unreadable.position)}, recorded ${unreadable.recordedAt}) cannot be read: ${unreadable.reason}. ` +
        'The log keeps it as received; the reconciliation projection dead-lettered it (an operations SYNC_FAILURE) and close snapshots list the order as unreadable, without its figures.',
      undefined,
      { streamId: unreadable.streamId, eventId: unreadable.eventId, eventType: unreadable.eventType, position: String(unreadable.position), reason: unreadable.reason },
    );
  }
}
