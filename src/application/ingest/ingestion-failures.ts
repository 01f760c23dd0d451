/**
 * Keeps records that could not be mapped (DESIGN §6 `SYNC_FAILURE`): `IngestionFailed` in
 * `ingest-failure-<failureId>`, raw payload included, never dropped. `failureId` is deterministic
 * (UUID v5 of source + source event id), so a failing record delivered twice is kept once.
 */
import { createHash } from 'node:crypto';
import { IngestionFailed, ingestFailureStreamId, IngestRecordKind } from '../../domain/ingest/ingest.events';
import type { FactSource } from '../../domain/shared/ids';
import type { Clock } from '../ports/clock.port';
import type { IngestCounterKind, IngestMetrics } from '../ports/ingest-metrics.port';
import type { FactWriter } from './fact-writer';
import { eventId, FailedOutcome, IngestContext, MappingFailure, sourceMetadata } from './ingest-outcome';

/**
 * How a stored raw payload is mapped again on retry: the ingest format (which handler ran).
 * Kept in the failure event's metadata as `ingestFormat`.
 */
export type IngestFormat = 'scayle_webhook' | 'scayle_order_sync' | 'erp_document' | 'business_central_invoice' | 'business_central_credit_memo' | 'psp_settlement';

export interface FailureInput {
  source: FactSource;
  recordKind: IngestRecordKind;
  format: IngestFormat;
  sourceEventId?: string;
  subject?: string;
  failure: MappingFailure;
  raw: unknown;
  /** Extra context a retry needs (e.g. the shop a poll ran for). */
  retryContext?: Record<string, unknown>;
  occurredAt?: string;
}

export class IngestionFailureRecorder {
  constructor(
    private readonly writer: FactWriter,
    private readonly clock: Clock,
    private readonly metrics: IngestMetrics,
  ) {}

  async record(input: FailureInput, ctx: IngestContext, counter: IngestCounterKind): Promise<FailedOutcome> {
    const sourceEventId = input.sourceEventId ?? `sha256:${createHash('sha256').update(JSON.stringify(input.raw) ?? '').digest('hex')}`;
    const failureId = eventId(input.source, `${input.format}:${sourceEventId}`, 'IngestionFailed');
    const now = this.clock.now().toISOString();
    const event: IngestionFailed = {
      type: 'IngestionFailed',
      data: {
        failureId,
        source: input.source,
        recordKind: input.recordKind,
        ...(input.sourceEventId ? { sourceEventId: input.sourceEventId } : {}),
        ...(input.subject ? { subject: input.subject } : {}),
        reason: input.failure.reason,
        message: input.failure.message,
        raw: input.raw,
        failedAt: now,
      },
    };
    const result = await this.writer.appendOnce(ingestFailureStreamId(failureId), [
      {
        event: {
          id: failureId,
          type: event.type,
          data: event.data,
          metadata: sourceMetadata(input.source, sourceEventId, input.occurredAt ?? now, now, ctx, {
            ingestFormat: input.format,
            ...(input.retryContext ? { retryContext: input.retryContext } : {}),
          }),
        },
      },
    ]);
    this.metrics.failed(counter, 'IngestionFailed');
    return { status: 'failed', failureId, reason: input.failure.reason, message: input.failure.message, eventIds: result.eventIds, position: result.position };
  }
}
