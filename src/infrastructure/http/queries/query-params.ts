import type { Request } from 'express';
import { FINDING_CODE_LIST } from '../../../domain/shared/findings';
import { CURSOR_MESSAGE, CURSOR_PATTERN, PAGE } from '../pagination';
import { HttpProblem } from '../problem-details';
import { notAParameterMessage } from '../query-parameters';
import { GIVEN_ONCE, oneOfMessage, queryParamsOnce } from '../validation';
import { PERIOD_PATTERN } from '../../../domain/shared/streams';

/** A query parameter's check and what it expects (the message when the check fails). */
export interface ParamCheck {
  ok: (v: string) => boolean;
  expected: string;
}

/**
 * Reads the allowed query parameters, 400 naming every bad or repeated ({@link GIVEN_ONCE}) one and
 * what it expects. A name the operation does not declare never gets here: the route's `guard` refuses
 * it first (`refuseUndeclaredQueryParameters`, from openapi/openapi.yaml). A declared name that this
 * form of the operation does not take (`allowed` lacks it) is refused in the same words, listing
 * `allowed`. `minPosition` is left to the read-your-writes checks (`read-your-writes.ts`) of the
 * routes that declare it.
 * @throws HttpProblem 400 with one entry per bad, repeated or not-taken parameter, in query order.
 */
export function queryOf(req: Request, allowed: Record<string, ParamCheck>): Record<string, string> {
  const out: Record<string, string> = {};
  const errors: { field: string; message: string }[] = [];
  const { values } = queryParamsOnce(req);
  for (const key of Object.keys(req.query)) {
    if (key === 'minPosition') continue;
    const check = allowed[key];
    const value = values[key];
    if (!check) errors.push({ field: key, message: notAParameterMessage(Object.keys(allowed)) });
    else if (value === undefined) errors.push({ field: key, message: GIVEN_ONCE });
    else if (!check.ok(value)) errors.push({ field: key, message: check.expected });
    else out[key] = value;
  }
  if (errors.length > 0) throw HttpProblem.validation(errors);
  return out;
}

/** One of `values`, spelled exactly. */
export const oneOf = (values: readonly string[]): ParamCheck => ({ ok: (v) => values.includes(v), expected: oneOfMessage(values) });

/** A whole number of items from 1 to `max`. */
export const limitUpTo = (max: number): ParamCheck => ({ ok: (v) => /^[1-9]\d{0,3}$/.test(v) && Number(v) <= max, expected: `must be a whole number from 1 to ${max}` });

/** An accounting period `YYYY-MM` of year 0001 or later (the spec's pattern; `periodStreamId` refuses year 0000 too). */
export const PERIOD_PARAM: ParamCheck = { ok: (v) => PERIOD_PATTERN.test(v), expected: 'must be YYYY-MM' };
/** `limit` of the paged lists: 1–{@link PAGE}.max. */
export const LIMIT = limitUpTo(PAGE.max);
/** The cursor's form; whether this list handed it out is `ListCursors.open`'s check (its signature), then the read-model store's when it pages. */
export const CURSOR: ParamCheck = { ok: (v) => CURSOR_PATTERN.test(v), expected: CURSOR_MESSAGE };
/** A finding code the rules can report (`FINDING_CODE_LIST`). */
export const FINDING_CODE: ParamCheck = { ok: (v) => (FINDING_CODE_LIST as readonly string[]).includes(v), expected: 'must be a finding code such as AMOUNT_MISMATCH' };
/** The page size asked for, else {@link PAGE}.default. */
export const limitOf = (q: Record<string, string>) => (q.limit ? Number(q.limit) : PAGE.default);

/** Values of `status` of `GET /v1/reconciliations`, `GET /v1/exceptions` and of `owner`, as the spec enumerates them. */
export const RECONCILIATION_STATUSES = ['matched', 'matched_with_rounding', 'pending', 'drift'];
export const EXCEPTION_STATUSES = ['open', 'acknowledged', 'assigned', 'resolved', 'written_off', 'auto_resolved'];
export const OWNERS = ['finance', 'operations', 'cx'];

/**
 * The filters of `GET /v1/exceptions`, checked alike in both of its forms (the live queue and `asOf`),
 * so a bad value is the same 400 whichever form it is sent to.
 */
export const EXCEPTION_FILTERS: Readonly<Record<'owner' | 'code' | 'status' | 'period', ParamCheck>> = {
  owner: oneOf(OWNERS),
  code: FINDING_CODE,
  status: oneOf(EXCEPTION_STATUSES),
  period: PERIOD_PARAM,
};
