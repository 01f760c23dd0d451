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
      // `era`: year 0 and before come out as "1 BC", which must not pass for year 1.
      f = new Intl.DateTimeFormat('en-CA', { timeZone, era: 'short', year: 'numeric', month: '2-digit', day: '2-digit' });
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
 * Only years 0001–9999 have such a date (and a period, see `periodStreamId`): an instant whose local
 * date falls outside them is refused, never written as `10000-01-01` or `1-01-01`.
 * @throws DomainError `invalid`/`invalid_instant` (also for a local year outside 0001–9999),
 *   `invalid`/`invalid_timezone`.
 */
export function localDate(instant: string, timeZone: string): string {
  const ms = ISO_INSTANT.test(instant) ? new Date(instant).getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw invalid('invalid_instant', `Not an ISO-8601 instant with offset: ${instant}`, 'occurredAt');
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (t: string): string | undefined => parts.find((p) => p.type === t)?.value;
  const year = Number(get('year'));
  if (get('era') === 'BC' || !(year >= 1 && year <= 9999)) {
    throw invalid('invalid_instant', `${instant} falls outside the years 0001–9999 in ${timeZone}: it has no accounting period`, 'occurredAt');
  }
  return `${String(year).padStart(4, '0')}-${get('month')}-${get('day')}`;
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

/** Period of a calendar date `YYYY-MM-DD` (an ERP posting date), years 0001–9999. @throws DomainError `invalid`/`invalid_date`. */
export function periodOfDate(date: string): Period {
  if (!/^(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(date)) throw invalid('invalid_date', `Not a YYYY-MM-DD date in the years 0001–9999: ${date}`, 'postingDate');
  return date.slice(0, 7);
}

/**
 * Whether `value` is a date an ingested record may carry (an ERP posting or document date, a PSP
 * payout date): `YYYY-MM-DD`, in the calendar ({@link isCalendarDate}), in the years 0001–9999 — the
 * years a period has (`periodStreamId`), so {@link periodOfDate} reads it.
 */
export function isPeriodDate(value: unknown): boolean {
  return isCalendarDate(value) && !(value as string).startsWith('0000');
}

/**
 * RFC 3339 date-time (ISO-8601 extended, seconds required, `Z` or `±hh:mm`): what the ledger accepts
 * from sources. Hours 00–23 and minutes and seconds 00–59, in the time and the offset. RFC 3339 §5.6
 * has no hour 24 (ISO-8601's end of day `24:00:00` is the next day's `00:00:00`, which a source can
 * send as such) and leap seconds are refused, since `Date.parse` would roll them into a later minute
 * or day — as `asOf` is refused (`parseAsOf`). Facts stored before with `T24:00:00` still read: the
 * readers ({@link localDate}, {@link instantMs}) take them as the next midnight.
 */
const SOURCE_INSTANT = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const SOURCE_INSTANT_FORM = 'must be an ISO-8601 date-time with seconds and an offset (Z or ±hh:mm), e.g. 2024-06-01T10:00:00+02:00';

/**
 * Why `value` is not a real instant in the form sources and queries send (RFC 3339, {@link SOURCE_INSTANT}),
 * or undefined: the form, then a date that exists in the calendar (`2024-02-30` does not).
 */
export function instantFormProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !SOURCE_INSTANT.test(value) || Number.isNaN(Date.parse(value))) return SOURCE_INSTANT_FORM;
  if (!isCalendarDate(value.slice(0, 10))) return `names a date that does not exist (${value.slice(0, 10)})`;
  return undefined;
}
/** First and last instants (UTC) whose local date is within 0001-01-01…9999-12-31 in every timezone (offsets stay under a day). */
const FIRST_PERIOD_INSTANT_MS = Date.parse('0001-01-02T00:00:00Z');
const LAST_PERIOD_INSTANT_MS = Date.parse('9999-12-30T23:59:59.999Z');

/**
 * Why `value` cannot be a source time the ledger keeps (a Scayle `confirmedAt`, a PSP `bookedAt`, a
 * Business Central `lastModifiedDateTime`…), or undefined when it can: an ISO-8601 instant with
 * offset (RFC 3339: `2024-06-01T10:00:00+02:00`, `…Z`, fractions allowed), whose date exists in the
 * calendar (`2024-02-30T…` does not, though `Date.parse` rolls it over), between
 * 0001-01-02T00:00Z and 9999-12-30T23:59:59.999Z. That range keeps its accounting period
 * ({@link periodOfInstant}) within the years 0001–9999 in UTC and in any timezone the ledger may be
 * configured with (now or later), so no stored fact can name a period that no route reads or closes.
 * The one check every ingest path uses (DTOs, the Scayle and Business Central mappers).
 */
export function sourceInstantProblem(value: unknown): string | undefined {
  const form = instantFormProblem(value);
  if (form) return form;
  const ms = Date.parse(value as string);
  if (ms < FIRST_PERIOD_INSTANT_MS || ms > LAST_PERIOD_INSTANT_MS) return 'must lie between 0001-01-02 and 9999-12-30 (UTC), so that its accounting period has a year from 0001 to 9999 in every timezone';
  return undefined;
}

/** Milliseconds since the epoch of an ISO-8601 instant. @throws DomainError `invalid`/`invalid_instant`. */
export function instantMs(instant: string, field = 'instant'): number {
  const ms = ISO_INSTANT.test(instant) ? new Date(instant).getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw invalid('invalid_instant', `Not an ISO-8601 instant with offset: ${instant}`, field);
  return ms;
}
