/**
 * Operations dismiss a kept record that is not needed (`POST /v1/ingest/failures/{failureId}/dismiss`):
 * a test webhook from the Scayle panel, a document sent to the wrong tenant. The record stays in the
 * log; `IngestionFailureDismissed` (with the reason, who and when) resolves its `SYNC_FAILURE`
 * exception as `accepted` in the exception projection.
 *
 * Only a record whose exception is still active can be dismissed: not one retried successfully,
 * dismissed already, or resolved through the exception workflow (422 `failure_not_open`, naming
 * what closed it). Appended at the revision read; a concurrent retry or decision re-reads.
 */
import { isExceptionEvent, type ExceptionEvent } from '../../domain/exception/exception.events';
import { ingestFailureStreamId, type IngestionFailureDismissed, type IngestionRetried } from '../../domain/ingest/ingest.events';
import { DomainError, businessRule } from '../../domain/shared/errors';
import type { Clock } from '../ports/clock.port';
import { type EventStore, type RecordedEvent } from '../ports/event-store.port';
import { commandEvents, commandMetadata, withConflictRetry, type CommandContext } from '../shared/command-context';
import { readStreamOrEmpty } from '../shared/read-stream';

export interface DismissResult {
  failureId: string;
  reason: string;
  dismissedAt: string;
  dismissedBy: string;
  /** Log position of `IngestionFailureDismissed`. */
  position: bigint;
}

/** Whether the record still waits for operations, and if not, what closed it. */
export function failureStatus(events: readonly RecordedEvent[]): { open: boolean; closedBy?: string } {
  let open = false;
  let closedBy: string | undefined;
  for (const e of events) {
    if (e.type === 'IngestionFailed') open = true;
    else if (e.type === 'IngestionRetried' && (e.data as IngestionRetried['data']).outcome === 'succeeded') [open, closedBy] = [false, 'retried successfully'];
    else if (e.type === 'IngestionFailureDismissed') [open, closedBy] = [false, 'dismissed'];
    else if (isExceptionEvent(e)) {
      const decision = e as unknown as ExceptionEvent;
      if (decision.type === 'ExceptionResolved') [open, closedBy] = [false, decision.data.resolution === 'written_off' ? 'written off' : 'resolved'];
      if (decision.type === 'ExceptionReopened') [open, closedBy] = [true, undefined];
    }
  }
  return closedBy ? { open, closedBy } : { open };
}

export class DismissIngestionFailureHandler {
  constructor(
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  /**
   * @throws DomainError `not_found`/`failure_not_found`; `invalid`/`required` for a blank reason;
   *   `business_rule`/`failure_not_open` when the record no longer waits.
   */
  dismiss(failureId: string, reason: string, ctx: CommandContext): Promise<DismissResult> {
    const why = reason.trim();
    if (why.length === 0) throw new DomainError('invalid', 'required', 'reason must be a non-empty string', 'reason');
    const streamId = ingestFailureStreamId(failureId);
    return withConflictRetry(async () => {
      const stored = await readStreamOrEmpty(this.events, streamId);
      if (!stored.some((e) => e.type === 'IngestionFailed')) throw new DomainError('not_found', 'failure_not_found', `No ingestion failure ${failureId}`, 'failureId');
      const status = failureStatus(stored);
      if (!status.open) throw businessRule('failure_not_open', `Failure ${failureId} is not open: it was ${status.closedBy}`, 'failureId', { closedBy: status.closedBy ?? 'closed' });
      const last = stored[stored.length - 1]!;
      const at = this.clock.now().toISOString();
      const dismissed: IngestionFailureDismissed = { type: 'IngestionFailureDismissed', data: { failureId, reason: why, dismissedAt: at, dismissedBy: ctx.actor } };
      const commandId = `${failureId}:dismiss:${String(last.revision)}`;
      const { position } = await this.events.appendToStream(streamId, commandEvents([dismissed], commandId, commandMetadata(ctx, commandId, at, { causationId: stored[0]!.id })), {
        expectedRevision: last.revision,
      });
      return { ...dismissed.data, position };
    });
  }
}
