/**
 * Live period summaries (DESIGN §7): per accounting period, totals per currency, component and figure
 * for Scayle, the ERP and the PSP, and counts per reconciliation status and finding code. Kept
 * incrementally: when an order's reconciliation changes, its previous contribution is taken out of
 * its previous period and the new one added to its new period — exact decimal arithmetic (Money).
 * The runner commits the order document and the summaries in one batch, so they never disagree.
 */
import type { JsonObject } from '../application/ports/read-model-store.port';
import type { SideTotals } from '../domain/order/reconciliation.types';
import { currency } from '../domain/shared/currency';
import { Money } from '../domain/shared/money';
import { formatMinor, onScaleMinor } from '../domain/shared/money-text';

export const PERIOD_SUMMARIES = 'period_summaries';

/** What one order (or one PSP settlement batch) adds to its period. */
export interface Contribution {
  period: string;
  /**
   * False for a PSP settlement batch: only its finding codes count (`orders` and `byStatus` are the
   * orders'; its lines' amounts are in their orders' totals). Absent: an order.
   */
  order?: boolean;
  status: string;
  findingCodes: string[];
  totals: { scayle: SideTotals; erp: SideTotals; psp: SideTotals };
}

export interface PeriodSummaryDoc extends JsonObject {
  period: string;
  orders: number;
  byStatus: Record<string, number>;
  byFindingCode: Record<string, number>;
  totals: { scayle: JsonObject; erp: JsonObject; psp: JsonObject };
}

export function emptySummary(period: string): PeriodSummaryDoc {
  return { period, orders: 0, byStatus: {}, byFindingCode: {}, totals: { scayle: {}, erp: {}, psp: {} } };
}

/** Adds `by` to `counts[key]` in place (the caller's copy), dropping a count that reaches zero. */
function bump(counts: Record<string, number>, key: string, by: number): void {
  const n = (counts[key] ?? 0) + by;
  if (n === 0) delete counts[key];
  else counts[key] = n;
}

/** `o` itself when its keys are in sorted order (the usual case), else a copy with sorted keys (one level). */
function sortedLevel<T extends object>(o: T): T {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) return Object.fromEntries(keys.sort().map((k) => [k, (o as Record<string, unknown>)[k]])) as T;
  }
  return o;
}

/**
 * `total + sign × value` for decimal strings in major units of `code`: in integer minor units when
 * both are on the currency's scale (every total and contribution is: they come from `Money`), else
 * through exact `Money` arithmetic. The result is on the currency's scale, as `Money.toString` writes
 * it. Parsing both through `Money` for every figure of every contribution was a tenth of a rebuild.
 * @throws DomainError from `Money.parse` for a figure that is no decimal or an unknown currency.
 */
function addFigure(total: string | undefined, value: string, sign: 1 | -1, code: string): string {
  const c = currency(code);
  const a = total === undefined ? 0n : onScaleMinor(total, c);
  const b = onScaleMinor(value, c);
  if (a !== null && b !== null) return formatMinor(sign === 1 ? a + b : a - b, c.exponent);
  const m = Money.parse(value, code);
  return (total !== undefined ? Money.parse(total, code).add(sign === 1 ? m : m.negate()) : sign === 1 ? m : m.negate()).toString();
}

/**
 * One side's totals with `from` added or taken out, copy-on-write: the levels it touches are new
 * objects, the rest is shared with `into` (which is never modified).
 */
function addTotals(into: JsonObject, from: SideTotals, sign: 1 | -1): JsonObject {
  const out = { ...into } as Record<string, Record<string, Record<string, string>>>;
  for (const [currency, comps] of Object.entries(from)) {
    const byComp = { ...out[currency] };
    for (const [comp, figs] of Object.entries(comps ?? {})) {
      const byFig = { ...byComp[comp] };
      for (const [fig, value] of Object.entries(figs ?? {})) {
        if (typeof value !== 'string') continue;
        byFig[fig] = addFigure(byFig[fig], value, sign, currency);
      }
      byComp[comp] = sortedLevel(byFig);
    }
    out[currency] = sortedLevel(byComp);
  }
  return sortedLevel(out) as JsonObject;
}

/**
 * Returns the summary with `c` added (`sign` 1) or taken out (-1). Pure: `summary` is not modified;
 * the result shares the parts `c` does not touch with it (documents are never mutated in place).
 * Keys are sorted at every level, so equal summaries serialise identically whatever the update
 * order (as a recursive key sort would, without re-sorting and deep-copying the whole document per order:
 * that was a third of the projection's time in the ingest profile).
 */
export function applyContribution(summary: PeriodSummaryDoc, c: Contribution, sign: 1 | -1): PeriodSummaryDoc {
  const isOrder = c.order !== false;
  const byStatus = { ...summary.byStatus };
  if (isOrder) bump(byStatus, c.status, sign);
  const byFindingCode = { ...summary.byFindingCode };
  for (const code of c.findingCodes) bump(byFindingCode, code, sign);
  const totals = {
    erp: addTotals(summary.totals.erp, c.totals.erp, sign),
    psp: addTotals(summary.totals.psp, c.totals.psp, sign),
    scayle: addTotals(summary.totals.scayle, c.totals.scayle, sign),
  };
  return sortedLevel({ ...summary, byFindingCode: sortedLevel(byFindingCode), byStatus: sortedLevel(byStatus), orders: summary.orders + (isOrder ? sign : 0), totals });
}
