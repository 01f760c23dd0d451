/**
 * Accounting periods (DESIGN §7): a calendar month `YYYY-MM` in the company timezone (IANA name).
 * Scayle facts are assigned by their source time converted to that zone, ERP documents by their
 * `postingDate`. `Intl.DateTimeFormat` does the zone conversion; it is not a clock.
 */
import { invalid } from './errors';

/** `YYYY-MM`. */
export type Period = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      throw invalid('invalid_timezone', `Unknown IANA timezone: ${timeZone}`, 'timezone');
    }
    formatters.set(timeZone, f);
  }
  return f;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Local calendar date `YYYY-MM-DD` of an ISO-8601 instant (with `Z` or an offset) in `timeZone`.
 * @throws DomainError `invalid`/`invalid_instant`, `invalid`/`invalid_timezone`.
 */
export function localDate(instant: string, timeZone: string): string {
  const ms = ISO_INSTANT.test(instant) ? new Date(instant).getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw invalid('invalid_instant', `Not an ISO-8601 instant with offset: ${instant}`, 'occurredAt');
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (t: string): string => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Period of an instant in `timeZone`: `2024-05-31T22:30:00Z` in Europe/Berlin is `2024-06`. */
export function periodOfInstant(instant: string, timeZone: string): Period {
  const key = `${timeZone}|${instant}`;
  let period = periodCache.get(key);
  if (period === undefined) {
    period = localDate(instant, timeZone).slice(0, 7);
    if (periodCache.size > 10_000) periodCache.clear();
    periodCache.set(key, period);
  }
  return period;
}

/** Memo of a pure function (Intl formatting is the expensive part of reconciling an order). */
const periodCache = new Map<string, Period>();

/** `YYYY-MM-DD` that exists in the calendar (`2024-02-30` and `2582-33-16` do not; `Date.parse` would roll them over or refuse). */
export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = [Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10))];
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Period of a calendar date `YYYY-MM-DD` (an ERP posting date). @throws DomainError `invalid`/`invalid_date`. */
export function periodOfDate(date: string): Period {
  if (!/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(date)) throw invalid('invalid_date', `Not a YYYY-MM-DD date: ${date}`, 'postingDate');
  return date.slice(0, 7);
}

/** Milliseconds since the epoch of an ISO-8601 instant. @throws DomainError `invalid`/`invalid_instant`. */
export function instantMs(instant: string, field = 'instant'): number {
  const ms = ISO_INSTANT.test(instant) ? new Date(instant).getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw invalid('invalid_instant', `Not an ISO-8601 instant with offset: ${instant}`, field);
  return ms;
}
