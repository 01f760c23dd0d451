/**
 * Ingestion failures (DESIGN §6 `SYNC_FAILURE`): a payload that authenticated and parsed but could not
 * be mapped (an order event without items, an ERP document whose lines do not parse…) is never
 * dropped. It is kept, raw, in its own stream `ingest-failure-<failureId>` and becomes an operations
 * exception until it is retried successfully or dismissed.
 */
import type { FactSource } from '../shared/ids';

/** Stream of one failed record. `failureId` is deterministic (UUID v5 of source + source event id). */
export const ingestFailureStreamId = (failureId: string): string => `ingest-failure-${failureId}`;

/** What kind of record failed. */
export type IngestRecordKind = 'scayle_webhook' | 'scayle_order_sync' | 'erp_document' | 'psp_settlement' | 'import_line';

/** A record could not be mapped onto domain events; kept raw with the reason. */
export interface IngestionFailed {
  type: 'IngestionFailed';
  data: {
    failureId: string;
    source: FactSource;
    recordKind: IngestRecordKind;
    /** The source's id of the record (webhook `key`, `documentNumber:revision`, …), where known. */
    sourceEventId?: string;
    /** Scayle order id / ERP document number the record names, where it could be read. */
    subject?: string;
    /** Machine-readable reason (`order_without_items`, `unparseable_amount`, …). */
    reason: string;
    /** One line for operations: what is wrong and what to do. */
    message: string;
    /** The payload exactly as received (parsed JSON, or the raw text when it was not JSON). */
    raw: unknown;
    failedAt: string;
  };
}

/** Operations retried the record (after a mapping fix or a code fix). */
export interface IngestionRetried {
  type: 'IngestionRetried';
  data: { failureId: string; outcome: 'succeeded' | 'failed_again'; message?: string; eventIds: string[]; retriedAt: string; retriedBy: string };
}

/** Operations dismissed the record as not needed (e.g. a test webhook), with a reason. */
export interface IngestionFailureDismissed {
  type: 'IngestionFailureDismissed';
  data: { failureId: string; reason: string; dismissedAt: string; dismissedBy: string };
}

export type IngestEvent = IngestionFailed | IngestionRetried | IngestionFailureDismissed;

export const INGEST_EVENT_TYPES = ['IngestionFailed', 'IngestionRetried', 'IngestionFailureDismissed'] as const satisfies readonly IngestEvent['type'][];
