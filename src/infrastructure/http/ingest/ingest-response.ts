import type { Response } from 'express';
import type { IngestContext, IngestOutcome } from '../../../application/ingest/ingest-outcome';

/** JSON body of a 202 ingestion answer (positions as decimal strings). */
export function outcomeBody(outcome: IngestOutcome): Record<string, unknown> {
  if (outcome.status === 'failed') {
    return { status: 'failed', failureId: outcome.failureId, reason: outcome.reason, message: outcome.message, eventIds: outcome.eventIds, position: String(outcome.position) };
  }
  return { status: outcome.status, eventIds: outcome.eventIds, position: String(outcome.position) };
}

/** Answers 202 with the outcome. */
export function sendOutcome(res: Response, outcome: IngestOutcome): void {
  res.status(202).json(outcomeBody(outcome));
}

/** Actor and correlation id of the request. */
export function ingestContext(res: Response, actor: string): IngestContext {
  const correlationId = res.locals.correlationId as string | undefined;
  return { actor, ...(correlationId ? { correlationId } : {}) };
}
