import { isCurrencyCode } from '../../domain/shared/currency';
import { isDecimalString } from '../../domain/shared/decimal';
import { Money } from '../../domain/shared/money';

/**
 * An amount in one spelling of its value in `currency`, for telling a re-sent document or report
 * from a changed one (`"13.9"`, `"13.90"` and `"13.900"` EUR are `"13.90"`; an amount off the scale
 * keeps its digits, `"1.0050"` → `"1.005"`). Text that is no amount in a known currency stays as it
 * is, so it still compares (and differs) as text.
 * @param text a decimal string in major units (anything else is answered unchanged).
 * @param currency an ISO 4217 code.
 */
export function amountValue(text: unknown, currency: string): unknown {
  if (typeof text !== 'string' || !isDecimalString(text) || !isCurrencyCode(currency)) return text;
  return Money.of(text, currency).toString();
}
