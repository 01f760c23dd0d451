/**
 * Per-side totals of an order reconciliation (per currency, per component), for views and period
 * summaries.
 */
import type { ErpDocument } from '../erp/erp-document';
import { Money } from '../shared/money';
import type { TaxedAmount } from '../shared/tax';
import { addTaxed, negTaxed, zeroTaxed } from './order.findings';
import type { ComponentFigures, SideTotals } from './reconciliation.types';
import type { Fact } from './order.state';
import type { OrderView } from './order.view';
import { AMOUNT_COMPONENTS, erpPosition, sumLines, type ParsedLine } from './rules/erp-lines';

export function figures(t: TaxedAmount): ComponentFigures {
  return { gross: t.gross.toString(), net: t.net.toString(), tax: t.tax.toString() };
}

export function erpTotals(parsed: { doc: Fact<ErpDocument>; lines: ParsedLine[] }[], out: SideTotals): void {
  const currencies = [...new Set(parsed.map((p) => p.doc.data.currency))].sort();
  for (const cur of currencies) {
    const inv = parsed.filter((p) => p.doc.data.currency === cur && p.doc.data.documentType === 'invoice').flatMap((p) => p.lines);
    const cm = parsed.filter((p) => p.doc.data.currency === cur && p.doc.data.documentType === 'credit_memo').flatMap((p) => p.lines);
    const comps = Object.fromEntries(AMOUNT_COMPONENTS.map((c) => [c, erpPosition(inv, cm, c, cur)])) as Record<(typeof AMOUNT_COMPONENTS)[number], TaxedAmount>;
    const position = AMOUNT_COMPONENTS.reduce((a, c) => addTaxed(a, comps[c]), zeroTaxed(cur));
    const credits = AMOUNT_COMPONENTS.reduce((a, c) => addTaxed(a, sumLines(cm, c, cur)), zeroTaxed(cur));
    const discounts = negTaxed(addTaxed(sumLines(inv, 'discounts', cur), negTaxed(sumLines(cm, 'discounts', cur))));
    out[cur] = { items: figures(comps.items), shipping: figures(comps.shipping), fees: figures(comps.fees), discounts: figures(discounts), refunds: figures(credits), order: figures(position) };
  }
}

export function pspTotals(view: OrderView, out: SideTotals): void {
  for (const l of view.pspLines) {
    const { currency: cur, gross, net, fee } = l.data.line;
    const prev = out[cur]?.settlement;
    const add = (a: string | undefined, b: string): string => (a === undefined ? Money.parse(b, cur) : Money.parse(a, cur).add(Money.parse(b, cur))).toString();
    (out[cur] ??= {}).settlement = { gross: add(prev?.gross, gross), net: add(prev?.net, net), fee: add(prev?.fee, fee) };
  }
}
