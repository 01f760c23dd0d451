/**
 * The exception queue read model: one document per exception (= finding instance, `_id` = the
 * finding id), with owner queue, severity, status (lifecycle of `exception.decide.ts`), when it
 * opened, its due date from the SLA, the latest finding, and a history of what happened to it.
 * Used by the reconciliation projection (findings, decisions, ingestion failures, dispatch
 * failures) and by the runner (dead letters).
 */
import type { DeadLetter, JsonObject } from '../application/ports/read-model-store.port';
import type { ExceptionEvent } from '../domain/exception/exception.events';
import { evolveException, observeFinding, type ExceptionState, type ExceptionStatus, type FindingTransition } from '../domain/exception/exception.decide';
import type { FindingOwner, FindingSeverity } from '../domain/shared/findings';
import type { BatchContext } from './projection';

export const EXCEPTIONS = 'exceptions';

/** Longest history kept per exception (oldest entries drop). */
const HISTORY_LIMIT = 50;

/** Time allowed to work an exception, by owner and severity, in ms. */
export type SlaPolicy = (owner: FindingOwner, severity: FindingSeverity) => number;

export const DEFAULT_SLA: SlaPolicy = (owner) => ({ finance: 3, operations: 1, cx: 2 })[owner] * 86_400_000;

/**
 * What happened to an exception, in the history's one vocabulary of lower-case snake-case verbs (never
 * an event type): finding transitions `opened`, `recurred`, `auto_resolved`, `cleared`; decisions
 * `acknowledged`, `assigned`, `resolved`, `written_off` (a resolution `written_off`), `reopened`;
 * failures `dead_lettered`, `retry_failed`.
 */
export type ExceptionHistoryWhat =
  | Exclude<FindingTransition, 'unchanged'>
  | 'acknowledged'
  | 'assigned'
  | 'resolved'
  | 'written_off'
  | 'reopened'
  | 'dead_lettered'
  | 'retry_failed';

/** One entry of an exception's history: when (ledger or decision time, ISO-8601) and what ({@link ExceptionHistoryWhat}), plus the decision's details. */
export interface ExceptionHistoryEntry extends JsonObject {
  at: string;
  what: ExceptionHistoryWhat;
}

/**
 * The history verb of a decision: the log keeps its event types (`ExceptionAcknowledged`, …); the read
 * model names what happened (`acknowledged`, …), a resolution `written_off` as `written_off`.
 */
export function decisionWhat(event: ExceptionEvent): ExceptionHistoryWhat {
  switch (event.type) {
    case 'ExceptionAcknowledged':
      return 'acknowledged';
    case 'ExceptionAssigned':
      return 'assigned';
    case 'ExceptionResolved':
      return event.data.resolution === 'written_off' ? 'written_off' : 'resolved';
    case 'ExceptionReopened':
      return 'reopened';
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export interface ExceptionDoc extends JsonObject {
  exceptionId: string;
  /** Stream the exception is about (decisions are appended there). */
  streamId: string;
  subject: string;
  code: string;
  owner: string;
  severity: string;
  component: string;
  status: ExceptionStatus;
  findingPresent: boolean;
  occurrences: number;
  /** Ledger time of the event whose evaluation opened (or last reopened) it. */
  openedAt: string;
  dueAt: string;
  lastChangedAt: string;
  explanation: string;
  history: ExceptionHistoryEntry[];
}

/** What an exception is about, when it opens or recurs. */
export interface ExceptionSubject {
  exceptionId: string;
  streamId: string;
  subject: string;
  code: string;
  owner: FindingOwner;
  severity: FindingSeverity;
  component: string;
  explanation: string;
  /** Extra fields stored as they are (orderId, period, finding, failure). */
  extra: JsonObject;
}

function stateOf(doc: ExceptionDoc | undefined): ExceptionState | undefined {
  if (!doc) return undefined;
  const s: ExceptionState = { exceptionId: doc.exceptionId, status: doc.status, findingPresent: doc.findingPresent, occurrences: doc.occurrences };
  if (typeof doc.assignee === 'string') s.assignee = doc.assignee;
  if (typeof doc.resolution === 'string') s.resolution = doc.resolution as ExceptionState['resolution'];
  return s;
}

function withState(doc: ExceptionDoc, state: ExceptionState, at: string, entry: ExceptionHistoryEntry): ExceptionDoc {
  const { assignee: _a, resolution: _r, ...rest } = doc;
  const next: ExceptionDoc = {
    ...rest,
    status: state.status,
    findingPresent: state.findingPresent,
    occurrences: state.occurrences,
    lastChangedAt: at,
    history: [...doc.history, entry].slice(-HISTORY_LIMIT),
  };
  if (state.assignee !== undefined) next.assignee = state.assignee;
  if (state.resolution !== undefined) next.resolution = state.resolution;
  return next;
}

/** Folds "the finding is present / absent in the evaluation at `at`" into the exception. */
export function observe(ctx: BatchContext, sla: SlaPolicy, present: boolean, at: string, subject: ExceptionSubject): void {
  const doc = ctx.get<ExceptionDoc>(EXCEPTIONS, subject.exceptionId);
  const { state, transition } = observeFinding(stateOf(doc), subject.exceptionId, present);
  if (!state || transition === 'unchanged') {
    if (doc && present && doc.explanation !== subject.explanation) ctx.put(EXCEPTIONS, subject.exceptionId, { ...doc, ...subject.extra, explanation: subject.explanation });
    return;
  }
  const dueAt = new Date(Date.parse(at) + sla(subject.owner, subject.severity)).toISOString();
  const base: ExceptionDoc =
    doc ??
    ({
      exceptionId: subject.exceptionId,
      streamId: subject.streamId,
      subject: subject.subject,
      code: subject.code,
      owner: subject.owner,
      severity: subject.severity,
      component: subject.component,
      status: 'open',
      findingPresent: true,
      occurrences: 1,
      openedAt: at,
      dueAt,
      lastChangedAt: at,
      explanation: subject.explanation,
      history: [],
    } as ExceptionDoc);
  let next = withState(present ? { ...base, ...subject.extra, explanation: subject.explanation } : base, state, at, { at, what: transition });
  if (transition === 'recurred' && doc && state.status === 'open' && doc.status !== 'open') next = { ...next, openedAt: at, dueAt };
  ctx.put(EXCEPTIONS, subject.exceptionId, next);
}

/** Folds a human decision (an event in the exception's stream) into the exception. */
export function decide(ctx: BatchContext, event: ExceptionEvent, at: string): boolean {
  const doc = ctx.get<ExceptionDoc>(EXCEPTIONS, event.data.exceptionId);
  const before = stateOf(doc);
  const after = evolveException(before, event);
  if (!doc || !after || after === before) return false;
  const entry: ExceptionHistoryEntry = { at: event.data.decidedAt ?? at, what: decisionWhat(event), by: event.data.decidedBy };
  if (event.type === 'ExceptionAcknowledged' && event.data.note !== undefined) entry.note = event.data.note;
  if (event.type === 'ExceptionAssigned') entry.assignee = event.data.assignee;
  if (event.type === 'ExceptionResolved') Object.assign(entry, { resolution: event.data.resolution, note: event.data.note });
  if (event.type === 'ExceptionReopened') entry.reason = event.data.reason;
  let next = withState(doc, after, at, entry);
  if (event.type === 'ExceptionReopened') next = { ...next, openedAt: at };
  ctx.put(EXCEPTIONS, doc.exceptionId, next);
  return true;
}

/** A dead-lettered event as an operations `SYNC_FAILURE` exception. */
export function deadLetterException(d: DeadLetter, sla: SlaPolicy = DEFAULT_SLA): { collection: string; id: string; doc: JsonObject } {
  const exceptionId = `projection-${d.projection}/SYNC_FAILURE/order/${String(d.position)}`;
  const doc: ExceptionDoc = {
    exceptionId,
    streamId: d.streamId,
    subject: d.streamId,
    code: 'SYNC_FAILURE',
    owner: 'operations',
    severity: 'error',
    component: 'order',
    status: 'open',
    findingPresent: true,
    occurrences: 1,
    openedAt: d.failedAt,
    dueAt: new Date(Date.parse(d.failedAt) + sla('operations', 'error')).toISOString(),
    lastChangedAt: d.failedAt,
    explanation: `Projection ${d.projection} could not apply ${d.eventType} ${d.eventId} at position ${String(d.position)}: ${d.error}. Fix the cause, then rebuild the projection.`,
    history: [{ at: d.failedAt, what: 'dead_lettered' }],
    deadLetter: { projection: d.projection, position: String(d.position), eventId: d.eventId, eventType: d.eventType, error: d.error },
  };
  return { collection: EXCEPTIONS, id: exceptionId, doc };
}
