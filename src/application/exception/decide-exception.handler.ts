/**
 * Human decisions on exceptions (issue 6: `POST /v1/exceptions/{exceptionId}/acknowledge | assign |
 * resolve | reopen`). A decision is an event in the stream the exception is about (the order stream,
 * `ingest-failure-…`, `freshness`, or the stream of a dead-lettered event).
 *
 * The exception's state lives in the exception read model, not in one stream, so the handler makes
 * the read model and the stream agree before it decides:
 * 1. read the exception (404 when unknown) and check the caller's queue (403, {@link NotYourQueueError});
 * 2. read the stream's last event and wait (bounded) until the projections have applied it — the
 *    document then reflects every event of the stream up to that revision (503 otherwise);
 * 3. compare the client's version (`If-Match`) with the document's ({@link exceptionVersion}; 412);
 * 4. `decideException` on that state, append with the revision read as expected revision;
 * 5. on a concurrency conflict (anything appended to the stream meanwhile — a racing decision, or a
 *    new fact of the order) go back to 1: a racing decision has changed the exception, so the
 *    version no longer matches and the loser gets 412; an unrelated fact leaves the version as it
 *    was and the decision goes through;
 * 6. wait (bounded) for the projections to apply the decision and answer the new document.
 */
import { decideException, type DeciderRole, type ExceptionCommand } from '../../domain/exception/exception.decide';
import type { ExceptionResolution } from '../../domain/exception/exception.events';
import { DomainError } from '../../domain/shared/errors';
import { LEDGER_EVENT_NAMESPACE } from '../../domain/shared/ids';
import { v5 as uuidv5 } from 'uuid';
import type { Clock } from '../ports/clock.port';
import { StreamNotFoundError, type ActualRevision, type EventStore } from '../ports/event-store.port';
import type { ProjectionMonitor } from '../ports/projection-monitor.port';
import { exceptionStateOf, type Answer, type ReadModelQueries } from '../read-models/read-model.queries';
import { commandEvents, withConflictRetry, commandMetadata, PreconditionFailedError, type CommandContext } from '../shared/command-context';
import { exceptionVersion } from './exception-version';

/** A decision as the API takes it. */
export type ExceptionDecision =
  | { type: 'acknowledge'; note?: string }
  | { type: 'assign'; assignee: string }
  | { type: 'resolve'; resolution: ExceptionResolution; note: string }
  | { type: 'reopen'; reason: string };

export interface DecideExceptionInput {
  exceptionId: string;
  decision: ExceptionDecision;
  /** Role of the caller's API key. */
  role: DeciderRole;
  /** `'any'` (`If-Match: *`), or the versions the client read (one must be current). */
  ifMatch: 'any' | readonly string[];
}

export interface ExceptionDecided {
  /** Log position of the decision event. */
  position: bigint;
  /** The exception after the decision (with `ageSeconds`, `overdue`) and its version; absent when the read model did not apply it in time. */
  exception?: Answer;
  version?: string;
}

/** The caller's role does not own the exception's queue (`finance`, `operations`, `cx` decide their own; `admin` all). */
export class NotYourQueueError extends Error {
  override readonly name = 'NotYourQueueError';
  constructor(
    readonly exceptionId: string,
    readonly owner: string,
    readonly role: string,
  ) {
    super(`Exception ${exceptionId} is in the ${owner} queue; role ${role} decides only exceptions of its own queue`);
  }
}

/** The read models did not apply the exception's stream within the wait: the state to decide on is not known yet. */
export class ExceptionViewBehindError extends Error {
  override readonly name = 'ExceptionViewBehindError';
  constructor(readonly position: bigint) {
    super(`The exception read model has not reached position ${String(position)} yet`);
  }
}

const COMMAND_TYPES = { acknowledge: 'AcknowledgeException', assign: 'AssignException', resolve: 'ResolveException', reopen: 'ReopenException' } as const;

export class DecideExceptionHandler {
  constructor(
    private readonly events: EventStore,
    private readonly queries: ReadModelQueries,
    private readonly monitor: Pick<ProjectionMonitor, 'waitForPosition'>,
    private readonly clock: Clock,
    private readonly waitMs = 5_000,
  ) {}

  /**
   * Decides and records one decision.
   * @throws DomainError `not_found`/`exception_not_found`; `invalid` (empty assignee/note/reason,
   *   unknown resolution); `business_rule` (`invalid_exception_transition`, `write_off_needs_finance`).
   * @throws NotYourQueueError, PreconditionFailedError (current version), ExceptionViewBehindError,
   *   ConcurrencyConflictError (the stream kept moving through every retry).
   */
  async handle(input: DecideExceptionInput, ctx: CommandContext): Promise<ExceptionDecided> {
    return withConflictRetry(() => this.attempt(input, ctx));
  }

  private async attempt(input: DecideExceptionInput, ctx: CommandContext): Promise<ExceptionDecided> {
    const first = await this.read(input);
    const head = await this.head(String(first.streamId));
    let doc = first;
    if (head.position > BigInt(first.position)) {
      if (!(await this.monitor.waitForPosition(head.position, this.waitMs))) throw new ExceptionViewBehindError(head.position);
      doc = await this.read(input);
    }
    const version = exceptionVersion(doc);
    if (input.ifMatch !== 'any' && !input.ifMatch.includes(version)) throw new PreconditionFailedError(version);
    const at = this.clock.now().toISOString();
    const decided = decideException(this.command(input, ctx.actor, at), exceptionStateOf(doc));
    // Deterministic per exception, stream revision, caller and decision: the same request sent twice
    // (a client retry) appends one event and answers it twice; any other decision racing it conflicts.
    const commandId = uuidv5(`exception-decision|${input.exceptionId}|${String(head.revision)}|${ctx.actor}|${JSON.stringify(input.decision)}`, LEDGER_EVENT_NAMESPACE);
    const streamId = String(doc.streamId);
    const expectedRevision = head.revision;
    const result = await this.events.appendToStream(streamId, commandEvents(decided, commandId, commandMetadata(ctx, commandId, at, { exceptionId: input.exceptionId })), { expectedRevision });
    if (!(await this.monitor.waitForPosition(result.position, this.waitMs))) return { position: result.position };
    const after = await this.queries.exceptionView(input.exceptionId);
    return after ? { position: result.position, exception: after, version: exceptionVersion(after) } : { position: result.position };
  }

  /** The exception, checked against the caller's queue. */
  private async read(input: DecideExceptionInput): Promise<Answer> {
    const doc = await this.queries.exception(input.exceptionId);
    if (!doc) throw new DomainError('not_found', 'exception_not_found', `No exception ${input.exceptionId}`, 'exceptionId');
    if (input.role !== 'admin' && doc.owner !== input.role) throw new NotYourQueueError(input.exceptionId, String(doc.owner), input.role);
    return doc;
  }

  /** Revision and position of the stream's last event. */
  private async head(streamId: string): Promise<{ revision: ActualRevision; position: bigint }> {
    try {
      const [last] = await this.events.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      return last ? { revision: last.revision, position: last.position } : { revision: 'no_stream', position: 0n };
    } catch (err) {
      if (err instanceof StreamNotFoundError) return { revision: 'no_stream', position: 0n };
      throw err;
    }
  }

  private command(input: DecideExceptionInput, actor: string, at: string): ExceptionCommand {
    const base = { exceptionId: input.exceptionId, decidedAt: at, decidedBy: actor, role: input.role };
    const d = input.decision;
    switch (d.type) {
      case 'acknowledge':
        return { type: COMMAND_TYPES.acknowledge, ...base, ...(d.note !== undefined ? { note: d.note } : {}) };
      case 'assign':
        return { type: COMMAND_TYPES.assign, ...base, assignee: d.assignee };
      case 'resolve':
        return { type: COMMAND_TYPES.resolve, ...base, resolution: d.resolution, note: d.note };
      case 'reopen':
        return { type: COMMAND_TYPES.reopen, ...base, reason: d.reason };
      default: {
        const unreachable: never = d;
        return unreachable;
      }
    }
  }
}
