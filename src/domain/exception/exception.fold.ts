/**
 * The exception lifecycle of one order stream folded from its log, for the audit replay engine (close
 * snapshot, audit replay, as-of queue): the same transitions the live exception queue applies
 * (`src/projections/exception-queue.ts`), built from the same two functions — {@link observeFinding}
 * for the finding's presence in an evaluation, {@link evolveException} for a human decision — so the
 * replay and the live queue cannot disagree on what a decision does.
 *
 * The caller feeds the steps in log-position order: an evaluation (the set of exception ids, i.e.
 * non-auto-accepted finding ids, present in it) and the decision events of the stream. The fold is a
 * pure function of that sequence.
 *
 * A finding that disappears and comes back (DESIGN §6, "findings open and close as events arrive")
 * follows the live queue: an exception resolved or written off whose finding disappears stays
 * resolved / written off (`cleared`); when the finding is found again it **opens again** (a new
 * occurrence, assignee and resolution dropped, `openedAt` = the evaluation that found it). A
 * write-off therefore covers the occurrence it was made on, not a difference that comes back later.
 * An active exception whose finding disappears is `auto_resolved`, and opens again when it recurs.
 */
import { ACTIVE_STATUSES, evolveException, observeFinding, type ExceptionState, type ExceptionStatus } from './exception.decide';
import type { ExceptionEvent } from './exception.events';

/** An exception as the fold knows it after its last step. */
export interface FoldedException {
  state: ExceptionState;
  /**
   * Ledger time (ISO-8601) at which it last went back to `open` from another status (a reopen
   * decision, or its finding recurring); absent while it has stayed open since it was first seen.
   */
  reopenedAt?: string;
}

export class ExceptionFold {
  private readonly exceptions = new Map<string, FoldedException>();

  /**
   * Folds an evaluation at ledger time `at`: every id in `present` is present, every exception
   * known and not in `present` is absent.
   */
  evaluated(present: ReadonlySet<string>, at: string): void {
    for (const id of present) this.set(id, observeFinding(this.exceptions.get(id)?.state, id, true).state, at);
    for (const [id, folded] of this.exceptions) if (!present.has(id)) this.set(id, observeFinding(folded.state, id, false).state, at);
  }

  /** Folds a human decision recorded at ledger time `at`; a decision on an exception not seen (or not allowed in its status) changes nothing, as in the live queue. */
  decided(event: ExceptionEvent, at: string): void {
    const id = event.data.exceptionId;
    this.set(id, evolveException(this.exceptions.get(id)?.state, event), at);
  }

  /** The exception `id`, or undefined when no evaluation has found it. */
  get(id: string): FoldedException | undefined {
    return this.exceptions.get(id);
  }

  private set(id: string, next: ExceptionState | undefined, at: string): void {
    if (!next) return;
    const prior = this.exceptions.get(id);
    if (prior && prior.state === next) return;
    const reopened = prior !== undefined && prior.state.status !== 'open' && next.status === 'open';
    this.exceptions.set(id, { state: next, ...(reopened ? { reopenedAt: at } : prior?.reopenedAt !== undefined ? { reopenedAt: prior.reopenedAt } : {}) });
  }
}

/** Whether an exception in `status` waits for someone (is open for the close and the snapshot). */
export const isActiveStatus = (status: ExceptionStatus): boolean => ACTIVE_STATUSES.includes(status);
