import { registerDecorator } from 'class-validator';
import { isCalendarDate } from '../../../domain/shared/period';

export { isCalendarDate };

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

/** An ISO-8601 instant whose date part exists in the calendar (see {@link isCalendarDate}). */
export function hasCalendarDate(instant: string): boolean {
  return isCalendarDate(instant.slice(0, 10)) && !Number.isNaN(Date.parse(instant));
}

/** class-validator: the value is a date that exists (`YYYY-MM-DD`). */
export function IsCalendarDate(message: string): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message },
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
}
