import { registerDecorator } from 'class-validator';
import { isCalendarDate, isPeriodDate, sourceInstantProblem } from '../../../domain/shared/period';

export { isCalendarDate, isPeriodDate, sourceInstantProblem };

/**
 * Identifiers from outside (webhook keys, document numbers, batch and line ids): 1–`max` characters,
 * no whitespace, no `|` (the separator of source event names), and no control or invisible format
 * characters (NUL, right-to-left overrides, zero-width spaces) — those make two ids look equal to a
 * person while they differ in the log, and break exports.
 */
export const sourceIdPattern = (max: number): RegExp => new RegExp(`^[^\\s|\\p{Cc}\\p{Cf}]{1,${max}}$`, 'u');

/**
 * Codes that travel on to Scayle or the ERP (tax codes, variant keys, ERP item numbers): not blank,
 * spaces allowed, no control or invisible format characters (they reach other systems' records and
 * exports unseen).
 */
export const CODE_TEXT = /^(?=.*\S)[^\p{Cc}\p{Cf}]+$/u;
export const CODE_TEXT_MESSAGE = { message: '$property must not be blank nor contain control or invisible format characters' };

/**
 * class-validator: a date an ingested record may carry (`YYYY-MM-DD` that exists, years 0001–9999:
 * see {@link isPeriodDate}). `message` names the field.
 */
export function IsPeriodDate(message: string): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPeriodDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message },
      validator: { validate: (value: unknown) => isPeriodDate(value) },
    });
}

/**
 * class-validator: a source time the ledger can keep (an ISO-8601 instant with offset whose
 * accounting period has a year 0001–9999: see {@link sourceInstantProblem}); the message says which
 * rule failed.
 */
export function IsSourceInstant(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSourceInstant',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (a) => `${a.property} ${sourceInstantProblem(a.value) ?? 'must be an ISO-8601 date-time with an offset'}` },
      validator: { validate: (value: unknown) => sourceInstantProblem(value) === undefined },
    });
}
