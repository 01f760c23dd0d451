/**
 * A failed record's `SYNC_FAILURE` exception as it stood at a log position, folded from its stream
 * (`ingest-failure-<failureId>`) for the as-of exception queue. The events' effects come from
 * {@link ingestFailureStep}, the rules the live exception queue applies; the lifecycle (decisions,
 * auto-resolution, reopening) from {@link ExceptionFold}, the audit replay's fold of the live queue's
 * transitions — so the as-of row is the live row as it was then.
 */
import type { ExceptionStatus } from '../../domain/exception/exception.decide';
import { ExceptionFold } from '../../domain/exception/exception.fold';
import { ingestFailureStep, type IngestFailureException } from '../../domain/ingest/ingest-failure.exception';
import type { OpenException } from '../../domain/period/close-snapshot';
import type { RecordedEvent } from '../ports/event-store.port';

/** A failed record's exception at the bound, in the shape of the as-of queue's rows (with `failure`). */
export type IngestFailureAtBound = OpenException & { status: ExceptionStatus };

/**
 * The exception of the failed record in `streamId`, given its events up to the bound in stream order
 * (`ledgerTime` gives each one's ledger time, ISO-8601): its status then (any, active or not),
 * assignee, and `openedAt` — the ledger time of `IngestionFailed`, or of the last reopening.
 * Undefined when the events up to the bound hold no `IngestionFailed`.
 */
export function foldIngestFailure(streamId: string, recorded: readonly RecordedEvent[], ledgerTime: (e: RecordedEvent) => string): IngestFailureAtBound | undefined {
  const fold = new ExceptionFold();
  let opened: { exception: IngestFailureException; at: string } | undefined;
  for (const e of recorded) {
    const step = ingestFailureStep(streamId, e);
    if (!step) continue;
    const at = ledgerTime(e);
    switch (step.kind) {
      case 'failed':
        opened ??= { exception: step.exception, at };
        fold.evaluated(new Set([step.exception.exceptionId]), at);
        break;
      case 'retried':
        fold.evaluated(new Set(), at);
        break;
      case 'retry_failed':
        break;
      case 'decided':
        fold.decided(step.decision, at);
        break;
      default: {
        const unreachable: never = step;
        return unreachable;
      }
    }
  }
  const folded = opened ? fold.get(opened.exception.exceptionId) : undefined;
  if (!opened || !folded) return undefined;
  const { exceptionId, subject, code, owner, severity, component, explanation, failure } = opened.exception;
  return {
    exceptionId,
    code,
    owner,
    severity,
    subject,
    component,
    status: folded.state.status,
    ...(folded.state.assignee !== undefined ? { assignee: folded.state.assignee } : {}),
    openedAt: folded.reopenedAt ?? opened.at,
    explanation,
    failure,
  };
}
