/**
 * Operations retry a kept record (`POST /v1/ingest/failures/{failureId}/retry`): the stored raw
 * payload is mapped again by the ingest path it came from (after a mapping or code fix), and the
 * attempt is recorded as `IngestionRetried` (`succeeded` with the facts' ids, or `failed_again`).
 */
import { IngestionFailed, IngestionRetried, ingestFailureStreamId } from '../../domain/ingest/ingest.events';
import { businessRule, DomainError } from '../../domain/shared/errors';
import type { Clock } from '../ports/clock.port';
import type { EventMetadata } from '../ports/event-store.port';
import { failureStatus } from './dismiss-ingestion-failure.handler';
import type { FactWriter } from './fact-writer';
import type { IngestFormat } from './ingestion-failures';
import { eventId, IngestContext, IngestOutcome } from './ingest-outcome';

/** Re-runs the mapping of one stored record; throws or answers `failed` when it still cannot be mapped. */
export type Rerun = (raw: unknown, metadata: EventMetadata, ctx: IngestContext) => Promise<IngestOutcome>;

export interface RetryResult {
  outcome: 'succeeded' | 'failed_again';
  failureId: string;
  /** Ids of the facts the record maps to (empty when it failed again). */
  eventIds: string[];
  message?: string;
  /** Position of the `IngestionRetried` fact. */
  position: bigint;
}

export class RetryIngestionFailureHandler {
  constructor(
    private readonly writer: FactWriter,
    private readonly clock: Clock,
    private readonly reruns: Partial<Record<IngestFormat, Rerun>>,
  ) {}

  /**
   * @throws DomainError `not_found`/`failure_not_found` for an unknown failure id;
   *   `business_rule`/`failure_not_open` for a record retried successfully, dismissed or resolved already.
   */
  async retry(failureId: string, ctx: IngestContext): Promise<RetryResult> {
    const streamId = ingestFailureStreamId(failureId);
    const events = await this.writer.readOrEmpty(streamId);
    const failed = events.find((e) => e.type === 'IngestionFailed');
    if (!failed) throw new DomainError('not_found', 'failure_not_found', `No ingestion failure ${failureId}`, 'failureId');
    const status = failureStatus(events);
    if (!status.open) throw businessRule('failure_not_open', `Failure ${failureId} is not open: it was ${status.closedBy}`, 'failureId', { closedBy: status.closedBy ?? 'closed' });
    const data = failed.data as IngestionFailed['data'];
    const format = failed.metadata.ingestFormat as IngestFormat | undefined;
    const rerun = format ? this.reruns[format] : undefined;
    let outcome: RetryResult['outcome'] = 'failed_again';
    let message: string | undefined;
    let eventIds: string[] = [];
    if (!rerun) {
      message = `no retry path for records of format ${String(format)}`;
    } else {
      try {
        const result = await rerun(data.raw, failed.metadata, { ...ctx, causationId: failed.id });
        if (result.status === 'failed') message = `${result.reason}: ${result.message}`;
        else {
          outcome = 'succeeded';
          eventIds = result.eventIds;
        }
      } catch (err) {
        if (err instanceof DomainError && err.kind === 'not_found') throw err;
        message = err instanceof Error ? err.message : String(err);
      }
    }
    const now = this.clock.now().toISOString();
    const retried: IngestionRetried = {
      type: 'IngestionRetried',
      data: { failureId, outcome, ...(message ? { message } : {}), eventIds, retriedAt: now, retriedBy: ctx.actor },
    };
    const attempt = `${failureId}:retry:${events.length}`;
    const { position } = await this.writer.appendOnce(streamId, [
      {
        event: {
          id: eventId('ledger', attempt, retried.type),
          type: retried.type,
          data: retried.data,
          metadata: {
            source: 'ledger',
            sourceEventId: attempt,
            occurredAt: now,
            recordedAt: now,
            actor: ctx.actor,
            causationId: failed.id,
            ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
            schemaVersion: 1,
          },
        },
      },
    ]);
    return { outcome, failureId, eventIds, ...(message ? { message } : {}), position };
  }
}
