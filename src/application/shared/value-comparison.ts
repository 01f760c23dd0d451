/**
 * The one comparison of a re-sent source record (ERP document — canonical or Business Central — and
 * PSP settlement batch) with the one recorded first: a re-send that only writes a number or a time
 * differently is the same record (`duplicate`), any other difference is a change (409). Each caller
 * says how a leaf of its record reads ({@link LeafReading}); this module walks both records and
 * names where they differ, with the values as each was written.
 */
import { isCurrencyCode } from '../../domain/shared/currency';
import { isDecimalString, normaliseDecimal } from '../../domain/shared/decimal';
import { Money } from '../../domain/shared/money';
import { instantFormProblem } from '../../domain/shared/period';
import { canonicalJson } from './canonical-json';

/**
 * An amount in one spelling of its value in `currency`, for telling a re-sent document or report
 * from a changed one (`"13.9"`, `"13.90"` and `"13.900"` EUR are `"13.90"`; an amount off the scale
 * keeps its digits, `"1.0050"` → `"1.005"`). Text that is no amount in a known currency stays as it
 * is, so it still compares (and differs) as text.
 * @param text a decimal string in major units (anything else is answered unchanged).
 * @param currency an ISO 4217 code.
 */
export function amountValue(text: unknown, currency: unknown): unknown {
  if (typeof text !== 'string' || !isDecimalString(text) || typeof currency !== 'string' || !isCurrencyCode(currency)) return text;
  return Money.of(text, currency).toString();
}

/**
 * A decimal that is no money (a tax rate as a fraction, a quantity, an FX rate) in one spelling of
 * its value: `"0.190"`, `"0.19"` → `"0.19"`; `"01"`, `"1"`, `"1.0"` → `"1"`; `"-0"` → `"0"`. Exact
 * (decimal.js, no float). Text that is no decimal string stays as it is.
 */
export function decimalValue(text: unknown): unknown {
  return isDecimalString(text) ? normaliseDecimal(text) : text;
}

/**
 * An ISO-8601 instant with offset as the instant it names, exactly: epoch seconds and the fraction's
 * significant digits (`2024-06-04T12:00:00+02:00`, `2024-06-04T10:00:00Z` and
 * `2024-06-04T10:00:00.000Z` are one instant; sub-millisecond digits count). Dates without a time
 * (`postingDate`) are not instants and are not read by this. Text that is no such instant stays as it is.
 */
export function instantValue(text: unknown): unknown {
  if (typeof text !== 'string' || instantFormProblem(text) !== undefined) return text;
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return text;
  const seconds = Date.parse(`${m[1]}${m[3]}`) / 1000;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return fraction === '' ? `${seconds}` : `${seconds}.${fraction}`;
}

/** A path in a record: object keys and array indexes (`['lines', 0, 'fee']`). */
export type ValuePath = readonly (string | number)[];

/**
 * How a leaf reads: `value` at `path` of the record `root` (the whole record, so a reading can find
 * the currency an amount is in) → the value compared. Answer `value` itself for text compared as sent.
 */
export type LeafReading = (path: ValuePath, value: unknown, root: unknown) => unknown;

/** One place two records differ: its path (`lines[0].fee`) and the value as each record wrote it. */
export interface ValueDifference {
  path: string;
  /** As the recorded (first) record has it; `undefined` when absent there. */
  recorded: unknown;
  /** As the re-sent record has it; `undefined` when absent there. */
  posted: unknown;
}

/** `['lines', 0, 'fee']` → `lines[0].fee`. */
export function pathText(path: ValuePath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Where `recorded` and `posted` differ, leaf by leaf (object keys in sorted order, array entries by
 * index), each leaf read with `read` on both sides; an absent key and `null` are the same. A subtree
 * only one side has (another line, a missing `totals`) is one difference at its path.
 */
export function valueDifferences(recorded: unknown, posted: unknown, read: LeafReading): ValueDifference[] {
  const out: ValueDifference[] = [];
  const walk = (a: unknown, b: unknown, path: (string | number)[]) => {
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], [...path, i]);
      return;
    }
    if (isRecord(a) && isRecord(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[k], b[k], [...path, k]);
      return;
    }
    const same = canonicalJson(read(path, a ?? null, recorded) ?? null) === canonicalJson(read(path, b ?? null, posted) ?? null);
    if (!same) out.push({ path: pathText(path), recorded: a, posted: b });
  };
  walk(recorded, posted, []);
  return out;
}

/**
 * A few differences for a problem detail, `lines[0].fee: 0.20 vs 0.25`: at most `cap`, then how many
 * more. Values show as written (text as is, anything else as JSON, absent as `absent`).
 */
export function describeDifferences(diffs: readonly ValueDifference[], cap = 3): string {
  const show = (v: unknown): string => {
    if (v === undefined) return 'absent';
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  };
  const shown = diffs.slice(0, cap).map((d) => `${d.path}: ${show(d.recorded)} vs ${show(d.posted)}`);
  if (diffs.length > cap) shown.push(`${diffs.length - cap} more`);
  return shown.join(', ');
}
