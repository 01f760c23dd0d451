/**
 * Typed domain errors (HOUSE-STYLE "Handlers, errors, HTTP"). They know nothing of HTTP: one mapper in
 * the infrastructure turns `kind` into a status (invalid → 400, not_found → 404, conflict → 409,
 * business_rule → 422).
 */

/** What went wrong, independent of transport. */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'business_rule';

/**
 * A rejected input or command.
 * - `code`: stable machine-readable snake_case code (e.g. `currency_mismatch`, `refund_exceeds_paid`).
 * - `field`: the offending field as a path (`refund_items[1].amount`) where one field is at fault.
 * - `details`: extra facts for the caller (never personal data).
 */
export class DomainError extends Error {
  override readonly name: string = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** Thrown when money of two currencies meets in one operation (add, compare, allocate…). */
export class CurrencyMismatchError extends DomainError {
  override readonly name = 'CurrencyMismatchError';
  constructor(
    readonly left: string,
    readonly right: string,
    field?: string,
  ) {
    super('invalid', 'currency_mismatch', `Cannot combine ${left} with ${right}`, field, { left, right });
  }
}

/** One invalid field of an {@link InvalidFieldsError}: its path, its stable code and why. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/**
 * Several fields of one input are invalid, each named with its own code (README "400s list every
 * invalid field"): thrown where a check runs past the first fault, e.g. every amount of a line-item
 * correction off the order currency's scale. `code` is the fields' common code when they share one
 * (`too_many_decimals`), else `invalid_fields`; `field` and the message are the first problem's.
 * The HTTP mapper answers one 400 listing `errors` (problem-details.ts `fieldErrorsProblem`).
 */
export class InvalidFieldsError extends DomainError {
  override readonly name = 'InvalidFieldsError';
  constructor(readonly errors: readonly FieldProblem[]) {
    const first = errors[0];
    if (!first) throw new RangeError('InvalidFieldsError needs at least one field');
    super('invalid', errors.every((e) => e.code === first.code) ? first.code : 'invalid_fields', first.message, first.field);
  }
}

/** Shorthand for an `invalid` error on one field. */
export function invalid(code: string, message: string, field?: string, details?: Record<string, string>): DomainError {
  return new DomainError('invalid', code, message, field, details);
}

/** Shorthand for a `business_rule` error on one field. */
export function businessRule(code: string, message: string, field?: string, details?: Record<string, string>): DomainError {
  return new DomainError('business_rule', code, message, field, details);
}

/**
 * Whether an error comes from the data being processed and would come again on every attempt: a
 * domain validation (`DomainError`, e.g. a stored time that is no ISO instant) or the JavaScript
 * errors of code running on shapes it did not expect. Anything else (a store or network failure) is
 * not the data's fault. The projection runner dead-letters on such errors; the log replay and the
 * single-order reconciliation report the stream they could not read.
 */
export function isDataError(error: unknown): boolean {
  return error instanceof DomainError || error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError;
}
