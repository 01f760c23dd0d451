/**
 * The exception lifecycle (DESIGN §6, issue 5):
 *
 * ```
 * open → acknowledged → assigned → resolved | written_off      (human decisions, events)
 *   └──────────┴────────────┴────→ auto_resolved               (the finding disappeared)
 * resolved | written_off → open                                (ExceptionReopened, or the finding recurs)
 * auto_resolved → open                                         (the finding recurs)
 * ```
 *
 * An exception is one finding instance: its id is the finding id, stable while the finding stays
 * open; when the finding disappears and comes back the same exception reopens and counts another
 * occurrence. Decisions are decided here ({@link decideException}) and folded by
 * {@link evolveException}; the finding's presence is folded by {@link observeFinding}.
 */
import { DomainError, businessRule, invalid } from '../shared/errors';
import { EXCEPTION_RESOLUTIONS, type ExceptionEvent, type ExceptionResolution } from './exception.events';

export type ExceptionStatus = 'open' | 'acknowledged' | 'assigned' | 'resolved' | 'written_off' | 'auto_resolved';

/** The statuses in which an exception waits for someone. */
export const ACTIVE_STATUSES: readonly ExceptionStatus[] = ['open', 'acknowledged', 'assigned'];

export interface ExceptionState {
  exceptionId: string;
  status: ExceptionStatus;
  /** Whether the finding is present in the latest evaluation. */
  findingPresent: boolean;
  /** How many times the finding has opened. */
  occurrences: number;
  assignee?: string;
  resolution?: ExceptionResolution;
}

/** Roles of the API (mirrors the HTTP layer's; the domain only reads the name). */
export type DeciderRole = 'admin' | 'finance' | 'operations' | 'cx' | 'auditor' | 'integrator';

interface CommandBase {
  exceptionId: string;
  decidedAt: string;
  decidedBy: string;
  /** Role of the caller: a write-off needs `finance` (or `admin`). */
  role: DeciderRole;
}

export type ExceptionCommand =
  | ({ type: 'AcknowledgeException'; note?: string } & CommandBase)
  | ({ type: 'AssignException'; assignee: string } & CommandBase)
  | ({ type: 'ResolveException'; resolution: ExceptionResolution; note: string } & CommandBase)
  | ({ type: 'ReopenException'; reason: string } & CommandBase);

const transition = (state: ExceptionState, action: string): DomainError =>
  businessRule('invalid_exception_transition', `Cannot ${action} exception ${state.exceptionId}: it is ${state.status}`, 'status', { status: state.status });

const required = (value: string, field: string): string => {
  if (typeof value !== 'string' || value.trim().length === 0) throw invalid('required', `${field} must be a non-empty string`, field);
  return value.trim();
};

/**
 * Decides a human decision on an exception.
 * @throws DomainError `not_found`/`exception_not_found` when there is no such exception;
 *   `invalid` for an empty assignee/note/reason or an unknown resolution;
 *   `business_rule`/`invalid_exception_transition` for a decision its status does not allow;
 *   `business_rule`/`write_off_needs_finance` for a write-off by another role.
 */
export function decideException(command: ExceptionCommand, state: ExceptionState | undefined): ExceptionEvent[] {
  if (!state) throw new DomainError('not_found', 'exception_not_found', `No exception ${command.exceptionId}`, 'exceptionId');
  const base = { exceptionId: state.exceptionId, decidedAt: command.decidedAt, decidedBy: command.decidedBy };
  const active = ACTIVE_STATUSES.includes(state.status);
  switch (command.type) {
    case 'AcknowledgeException':
      if (state.status !== 'open') throw transition(state, 'acknowledge');
      if (command.note !== undefined && typeof command.note !== 'string') throw invalid('invalid_note', 'note must be a string', 'note');
      return [{ type: 'ExceptionAcknowledged', data: command.note?.trim() ? { ...base, note: command.note.trim() } : base }];
    case 'AssignException':
      if (!active) throw transition(state, 'assign');
      return [{ type: 'ExceptionAssigned', data: { ...base, assignee: required(command.assignee, 'assignee') } }];
    case 'ResolveException': {
      if (!EXCEPTION_RESOLUTIONS.includes(command.resolution)) {
        throw invalid('invalid_resolution', `resolution must be one of ${EXCEPTION_RESOLUTIONS.join(', ')}`, 'resolution');
      }
      const note = required(command.note, 'note');
      if (command.resolution === 'written_off' && command.role !== 'finance' && command.role !== 'admin') {
        throw businessRule('write_off_needs_finance', 'Only the finance role may write an exception off', 'resolution');
      }
      if (!active) throw transition(state, 'resolve');
      return [{ type: 'ExceptionResolved', data: { ...base, resolution: command.resolution, note } }];
    }
    case 'ReopenException':
      if (state.status !== 'resolved' && state.status !== 'written_off') throw transition(state, 'reopen');
      return [{ type: 'ExceptionReopened', data: { ...base, reason: required(command.reason, 'reason') } }];
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

/** Folds a decision into the state (no state: the decision names an exception not seen; ignored). */
export function evolveException(state: ExceptionState | undefined, event: ExceptionEvent): ExceptionState | undefined {
  if (!state) return state;
  switch (event.type) {
    case 'ExceptionAcknowledged':
      return state.status === 'open' ? { ...state, status: 'acknowledged' } : state;
    case 'ExceptionAssigned':
      return ACTIVE_STATUSES.includes(state.status) ? { ...state, status: 'assigned', assignee: event.data.assignee } : state;
    case 'ExceptionResolved':
      return ACTIVE_STATUSES.includes(state.status)
        ? { ...state, status: event.data.resolution === 'written_off' ? 'written_off' : 'resolved', resolution: event.data.resolution }
        : state;
    case 'ExceptionReopened': {
      if (state.status !== 'resolved' && state.status !== 'written_off') return state;
      const { resolution: _r, ...rest } = state;
      return { ...rest, status: 'open' };
    }
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/** What {@link observeFinding} did, for the exception's history. */
export type FindingTransition = 'opened' | 'recurred' | 'auto_resolved' | 'cleared' | 'unchanged';

/**
 * Folds the finding's presence in a new evaluation: a new finding opens an exception; a finding that
 * disappears auto-resolves an active exception; a finding that comes back reopens a closed one.
 */
export function observeFinding(state: ExceptionState | undefined, exceptionId: string, present: boolean): { state: ExceptionState | undefined; transition: FindingTransition } {
  if (!state) {
    return present ? { state: { exceptionId, status: 'open', findingPresent: true, occurrences: 1 }, transition: 'opened' } : { state, transition: 'unchanged' };
  }
  if (present === state.findingPresent) return { state, transition: 'unchanged' };
  if (present) {
    const { resolution: _r, assignee: _a, ...rest } = state;
    return ACTIVE_STATUSES.includes(state.status)
      ? { state: { ...state, findingPresent: true }, transition: 'recurred' }
      : { state: { ...rest, status: 'open', findingPresent: true, occurrences: state.occurrences + 1 }, transition: 'recurred' };
  }
  return ACTIVE_STATUSES.includes(state.status)
    ? { state: { ...state, status: 'auto_resolved', findingPresent: false }, transition: 'auto_resolved' }
    : { state: { ...state, findingPresent: false }, transition: 'cleared' };
}
