/**
 * Live period summaries (DESIGN §7): per accounting period, totals per currency, component and figure
 * for Scayle, the ERP and the PSP, and counts per reconciliation status and finding code. Kept
 * incrementally: when an order's reconciliation changes, its previous contribution is taken out of
 * its previous period and the new one added to its new period — exact decimal arithmetic (Money).
 * The runner commits the order document and the summaries in one batch, so they never disagree.
 */
import type { JsonObject } from '../application/ports/read-model-store.port';
import type { SideTotals } from '../domain/order/reconciliation.types';
import { Money } from '../domain/shared/money';

export const PERIOD_SUMMARIES = 'period_summaries';

/** What one order adds to its period. */
export interface Contribution {
  period: string;
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

function bump(counts: Record<string, number>, key: string, by: number): void {
  const n = (counts[key] ?? 0) + by;
  if (n === 0) delete counts[key];
  else counts[key] = n;
}

function addTotals(into: JsonObject, from: SideTotals, sign: 1 | -1): void {
  for (const [currency, comps] of Object.entries(from)) {
    const byComp = (into[currency] ??= {}) as Record<string, Record<string, string>>;
    for (const [comp, figs] of Object.entries(comps ?? {})) {
      const byFig = (byComp[comp] ??= {});
      for (const [fig, value] of Object.entries(figs ?? {})) {
        if (typeof value !== 'string') continue;
        const m = Money.parse(value, currency);
        const sum = byFig[fig] !== undefined ? Money.parse(byFig[fig], currency).add(sign === 1 ? m : m.negate()) : sign === 1 ? m : m.negate();
        byFig[fig] = sum.toString();
      }
    }
  }
}

/** Returns the summary with `c` added (`sign` 1) or taken out (-1). Pure: copies the document. */
export function applyContribution(summary: PeriodSummaryDoc, c: Contribution, sign: 1 | -1): PeriodSummaryDoc {
  const next = JSON.parse(JSON.stringify(summary)) as PeriodSummaryDoc;
  next.orders += sign;
  bump(next.byStatus, c.status, sign);
  for (const code of c.findingCodes) bump(next.byFindingCode, code, sign);
  for (const side of ['scayle', 'erp', 'psp'] as const) addTotals(next.totals[side], c.totals[side], sign);
  return sortKeys(next) as PeriodSummaryDoc;
}

/** Sorted keys at every level, so equal summaries serialise identically whatever the update order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
