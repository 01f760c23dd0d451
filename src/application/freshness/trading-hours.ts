/**
 * Trading hours (`LEDGER_TRADING_HOURS`): when the shop takes orders, so silence of the Scayle
 * webhooks means something. Written `Mon-Fri 08:00-20:00,Sat 09:00-18:00`, in the company time zone;
 * `24:00` is the end of the day; `Mon-Sun 00:00-24:00` (the default) is always.
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** One span: the weekdays it applies to (0 = Sunday) and minutes after local midnight [from, to). */
export interface TradingSpan {
  days: number[];
  fromMinute: number;
  toMinute: number;
}

/** @throws Error naming the part that does not parse. */
export function parseTradingHours(input: string): TradingSpan[] {
  const parts = input.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('must list spans such as Mon-Fri 08:00-20:00');
  return parts.map((part) => {
    const m = /^([A-Z][a-z]{2})(?:-([A-Z][a-z]{2}))?\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(part);
    if (!m) throw new Error(`must list spans such as Mon-Fri 08:00-20:00, got "${part}"`);
    const first = DAYS.indexOf(m[1] as (typeof DAYS)[number]);
    const last = DAYS.indexOf((m[2] ?? m[1]) as (typeof DAYS)[number]);
    if (first < 0 || last < 0) throw new Error(`unknown weekday in "${part}" (use Mon Tue Wed Thu Fri Sat Sun)`);
    const fromMinute = Number(m[3]) * 60 + Number(m[4]);
    const toMinute = Number(m[5]) * 60 + Number(m[6]);
    if (Number(m[4]) > 59 || Number(m[6]) > 59 || fromMinute >= toMinute || toMinute > 24 * 60) throw new Error(`"${part}": the span must run forwards within one day (00:00-24:00)`);
    const days: number[] = [];
    for (let d = first; ; d = (d + 1) % 7) {
      days.push(d);
      if (d === last) break;
    }
    return { days, fromMinute, toMinute };
  });
}

/** Weekday and minute of the day of `at` in `timeZone`. */
function localTime(at: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: DAYS.indexOf(get('weekday') as (typeof DAYS)[number]), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Whether `at` falls in one of the spans, in the company time zone. */
export function inTradingHours(spans: readonly TradingSpan[], at: Date, timeZone: string): boolean {
  const { day, minute } = localTime(at, timeZone);
  return spans.some((s) => s.days.includes(day) && minute >= s.fromMinute && minute < s.toMinute);
}
