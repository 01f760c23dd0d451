import { v5 as uuidv5 } from 'uuid';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../domain/shared/ids';
import { ConcurrencyConflictError, EventIdInOtherStreamError, type EventData, type EventMetadata } from '../ports/event-store.port';
import { backoffDelay, type BackoffPolicy } from './backoff';

/** Who sent a command and in which request (filled by the HTTP layer). */
export interface CommandContext {
  /** `role:keyId` of the API key (`actorOf(res)`), never the key. */
  actor: string;
  /** The request's correlation id. */
  correlationId: string;
  /** Id of what caused the command, if not the request itself. */
  causationId?: string;
}

/**
 * Event id of a command's event: UUID v5 of `ledger|<commandId>|<type>` (DESIGN §4), so a retried
 * append of the same command cannot write a second event.
 */
export function commandEventId(commandId: string, type: string): string {
  return uuidv5(sourceEventName('ledger', commandId, type), LEDGER_EVENT_NAMESPACE);
}

/** Metadata of a ledger command event: source `ledger`, the actor, correlation and causation. */
export function commandMetadata(ctx: CommandContext, commandId: string, at: string, extra: Record<string, unknown> = {}): EventMetadata {
  return {
    source: 'ledger',
    sourceEventId: commandId,
    occurredAt: at,
    recordedAt: at,
    correlationId: ctx.correlationId,
    causationId: ctx.causationId ?? ctx.correlationId,
    actor: ctx.actor,
    schemaVersion: 1,
    ...extra,
  };
}

/** Builds the events to append for decided `{type, data}` events of one command. */
export function commandEvents(decided: readonly { type: string; data: unknown }[], commandId: string, metadata: EventMetadata): EventData[] {
  return decided.map((e, i) => ({
    id: commandEventId(i === 0 ? commandId : `${commandId}#${i}`, e.type),
    type: e.type,
    data: e.data,
    metadata,
  }));
}

/** How many times a handler re-reads and re-decides after a concurrency conflict. */
export const CONFLICT_RETRIES = 5;

/**
 * Pause before re-try n (1-based) after a conflict: 5·2^(n-1) ms capped at 80 ms, half of it random,
 * so racers that lost together do not read and append in lockstep again.
 */
export const CONFLICT_BACKOFF: BackoffPolicy = { retryBaseMs: 5, retryMaxMs: 80 };

/**
 * Runs `attempt` (read → decide → append with the revision read) and retries it on a concurrency
 * conflict — re-reading the stream and deciding again on what is there now, the standard
 * event-sourcing command loop — up to {@link CONFLICT_RETRIES} times with a jittered pause
 * ({@link CONFLICT_BACKOFF}), unless the client pinned the revision (`pinned`): then the conflict
 * propagates at once (→ 412).
 * @throws the last ConcurrencyConflictError when every attempt conflicted (the HTTP layer answers
 *   409 `concurrency_conflict` with `Retry-After`); any other error of `attempt` unchanged.
 */
export async function withConflictRetry<T>(attempt: () => Promise<T>, pinned = false, random: () => number = Math.random): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConcurrencyConflictError) || err instanceof EventIdInOtherStreamError || pinned || i >= CONFLICT_RETRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(CONFLICT_BACKOFF, i + 1, random)));
    }
  }
}

/**
 * The client pinned a version (`If-Match`) that is no longer current. `current` is the version now
 * stored (a stream revision, or an exception's `exceptionVersion`); the HTTP layer answers 412 with
 * its ETag.
 */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  constructor(readonly current: bigint | string) {
    super(`The resource is at version ${String(current)}, not the one pinned`);
  }
}
