/**
 * Calendar helpers in the company timezone (Intl only; no clock is read).
 */
import { localDate } from '../../domain/shared/period';

const DAY = 86_400_000;

/** UTC ms of local midnight starting `date` (`YYYY-MM-DD`) in `timeZone`. */
export function localMidnight(date: string, timeZone: string): number {
  const guess = Date.parse(`${date}T00:00:00Z`);
  // The zone's offset is within ±14 h: find the first UTC instant whose local date is `date`.
  let lo = guess - 15 * 3_600_000;
  let hi = guess + 15 * 3_600_000;
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 2 / 60_000) * 60_000;
    if (localDate(new Date(mid).toISOString(), timeZone) < date) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Start (inclusive) and end (exclusive) of month `YYYY-MM` in `timeZone`, UTC ms. */
export function monthBounds(month: string, timeZone: string): { start: number; end: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { start: localMidnight(`${month}-01`, timeZone), end: localMidnight(`${next}-01`, timeZone) };
}

/** Local calendar date of a UTC ms instant. */
export function localDateOf(ms: number, timeZone: string): string {
  return localDate(new Date(ms).toISOString(), timeZone);
}

/** UTC calendar date of a ms instant (what an ERP that ignores the company timezone posts). */
export function utcDateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export { DAY };
