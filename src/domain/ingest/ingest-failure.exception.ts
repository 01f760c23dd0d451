/**
 * What the events of a failed record's stream (`ingest-failure-<failureId>`) do to its operations
 * `SYNC_FAILURE` exception (DESIGN §6: "a record failed to ingest, map or dispatch (kept,
 * retriable)"). The one rule set of two readers: the live exception queue (the `reconciliation`
 * projection) and the audit replay engine (the as-of queue), so that both list a failed record alike.
 *
 * - `IngestionFailed`: the failure is present — the exception opens.
 * - `IngestionRetried` `succeeded`: the record was mapped — the failure is gone (`auto_resolved`).
 * - `IngestionRetried` `failed_again`: nothing changes but the exception's history.
 * - `IngestionFailureDismissed`: operations resolved it as `accepted` (note `dismissed: <reason>`).
 * - An exception decision (acknowledge, assign, resolve, reopen) appended to the stream is itself.
 */
import { isExceptionEvent, type ExceptionEvent } from '../exception/exception.events';
import { FINDING_CODES, type FindingOwner, type FindingSeverity } from '../shared/findings';
import type { FactSource } from '../shared/ids';
import type { IngestionFailed, IngestionFailureDismissed, IngestionRetried, IngestRecordKind } from './ingest.events';

/** Prefix of the streams of failed records (`ingest-failure-<failureId>`). */
export const INGEST_FAILURE_STREAM_PREFIX = 'ingest-failure-';

/** Whether `streamId` is the stream of a failed record. */
export const isIngestFailureStream = (streamId: string): boolean => streamId.startsWith(INGEST_FAILURE_STREAM_PREFIX);

/** Exception id of a failed record: one per `ingest-failure-…` stream. */
export const ingestFailureExceptionId = (streamId: string): string => `${streamId}/SYNC_FAILURE/order/ingest`;

/** The ids a queue row of a failed record carries (`failure`): retry or dismiss it under `/v1/ingest/failures/{failureId}`. */
export interface IngestFailureRef {
  failureId: string;
  source: FactSource;
  recordKind: IngestRecordKind;
  /** Machine-readable reason (`order_without_items`, …). */
  reason: string;
  /** Scayle order id / ERP document number the record names, where it could be read. */
  subject?: string;
}

/** The exception of a failed record as it opens: always an operations `SYNC_FAILURE` on component `order`. */
export interface IngestFailureException {
  exceptionId: string;
  /** The failed record's stream, which decisions on it are appended to. */
  streamId: string;
  subject: string;
  code: 'SYNC_FAILURE';
  owner: FindingOwner;
  severity: FindingSeverity;
  component: 'order';
  /** The failure's one-line message for operations. */
  explanation: string;
  failure: IngestFailureRef;
}

/** One event's effect on the exception (see the module docs). */
export type IngestFailureStep =
  | { kind: 'failed'; exception: IngestFailureException }
  | { kind: 'retried' }
  | { kind: 'retry_failed'; by: string; message?: string }
  | { kind: 'decided'; decision: ExceptionEvent };

/**
 * The effect of `event`, an event of the failed record's stream `streamId`, on its exception;
 * undefined for an event that has none.
 */
export function ingestFailureStep(streamId: string, event: { type: string; data: unknown }): IngestFailureStep | undefined {
  const exceptionId = ingestFailureExceptionId(streamId);
  if (isExceptionEvent(event)) return { kind: 'decided', decision: event };
  switch (event.type) {
    case 'IngestionFailed': {
      const d = event.data as IngestionFailed['data'];
      const info = FINDING_CODES.SYNC_FAILURE;
      return {
        kind: 'failed',
        exception: {
          exceptionId,
          streamId,
          subject: streamId,
          code: 'SYNC_FAILURE',
          owner: info.owner,
          severity: info.severity,
          component: 'order',
          explanation: d.message,
          failure: { failureId: d.failureId, source: d.source, recordKind: d.recordKind, reason: d.reason, ...(d.subject ? { subject: d.subject } : {}) },
        },
      };
    }
    case 'IngestionRetried': {
      const d = event.data as IngestionRetried['data'];
      return d.outcome === 'succeeded' ? { kind: 'retried' } : { kind: 'retry_failed', by: d.retriedBy, ...(d.message ? { message: d.message } : {}) };
    }
    case 'IngestionFailureDismissed': {
      const d = event.data as IngestionFailureDismissed['data'];
      return { kind: 'decided', decision: { type: 'ExceptionResolved', data: { exceptionId, decidedAt: d.dismissedAt, decidedBy: d.dismissedBy, resolution: 'accepted', note: `dismissed: ${d.reason}` } } };
    }
    default:
      return undefined;
  }
}
