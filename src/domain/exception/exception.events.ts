/**
 * Human decisions on exceptions (DESIGN §6: "a human decision … is itself an event"). They land in
 * the stream the exception is about: the order stream (`order-…`, `erp-unlinked-…`) for
 * reconciliation findings, `ingest-failure-<failureId>` for a failed record. Each names the
 * exception (`exceptionId`, = the finding id), when (`decidedAt`, ISO-8601) and who (`decidedBy`,
 * `role:keyId`).
 */

/** How an exception was resolved. `written_off` needs the finance role. */
export type ExceptionResolution = 'corrected_in_erp' | 'corrected_in_scayle' | 'accepted' | 'written_off';

export const EXCEPTION_RESOLUTIONS: readonly ExceptionResolution[] = ['corrected_in_erp', 'corrected_in_scayle', 'accepted', 'written_off'];

interface Decision {
  exceptionId: string;
  decidedAt: string;
  decidedBy: string;
}

export interface ExceptionAcknowledged {
  type: 'ExceptionAcknowledged';
  /** `note`: optional remark of whoever acknowledged (e.g. "looking into it with the ERP team"). */
  data: Decision & { note?: string };
}
export interface ExceptionAssigned {
  type: 'ExceptionAssigned';
  data: Decision & { assignee: string };
}
export interface ExceptionResolved {
  type: 'ExceptionResolved';
  data: Decision & { resolution: ExceptionResolution; note: string };
}
export interface ExceptionReopened {
  type: 'ExceptionReopened';
  data: Decision & { reason: string };
}

export type ExceptionEvent = ExceptionAcknowledged | ExceptionAssigned | ExceptionResolved | ExceptionReopened;

export const EXCEPTION_EVENT_TYPES = ['ExceptionAcknowledged', 'ExceptionAssigned', 'ExceptionResolved', 'ExceptionReopened'] as const satisfies readonly ExceptionEvent['type'][];

const TYPES: ReadonlySet<string> = new Set(EXCEPTION_EVENT_TYPES);

/** Whether an event is an exception decision. */
export function isExceptionEvent(event: { type: string }): event is ExceptionEvent {
  return TYPES.has(event.type);
}
