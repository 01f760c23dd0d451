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

/** Shorthand for an `invalid` error on one field. */
export function invalid(code: string, message: string, field?: string, details?: Record<string, string>): DomainError {
  return new DomainError('invalid', code, message, field, details);
}

/** Shorthand for a `business_rule` error on one field. */
export function businessRule(code: string, message: string, field?: string, details?: Record<string, string>): DomainError {
  return new DomainError('business_rule', code, message, field, details);
}
