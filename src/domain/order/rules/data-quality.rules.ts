/**
 * `DATA_QUALITY_WARNING` (owner operations): inconsistencies inside one source — an ERP header that
 * disagrees with its lines, a line whose gross ≠ net + tax, a Scayle unit whose gross ≠ net + tax,
 * Scayle's `cost.withTax` that match neither all units nor the units still open, and sub-minor-unit amounts
 * that had to be quantised — by the rules when comparing, or by the ingestion (`quantisedAmounts` of
 * an ERP fact, e.g. Business Central's `1245.885` EUR). Never silently fixed; never affects the order's status.
 */
import type { ErpDocument } from '../../erp/erp-document';
import { Money } from '../../shared/money';
import { addTaxed, describeDelta, deltaOf, equalTaxed, zeroTaxed } from '../order.findings';
import type { Fact } from '../order.state';
import { report, type RuleContext } from './context';
import type { ParsedLine } from './erp-lines';

export function dataQualityRule(ctx: RuleContext, docs: readonly { doc: Fact<ErpDocument>; lines: ParsedLine[] }[]): void {
  for (const { doc, lines } of docs) {
    const d = doc.data;
    const header = { net: Money.parse(d.totals.net, d.currency, { quantise: ctx.policy.erpProfile.mode }).money, tax: Money.parse(d.totals.tax, d.currency, { quantise: ctx.policy.erpProfile.mode }).money, gross: Money.parse(d.totals.gross, d.currency, { quantise: ctx.policy.erpProfile.mode }).money };
    const sum = lines.reduce((a, l) => addTaxed(a, l.amounts), zeroTaxed(d.currency));
    if (!equalTaxed(sum, header)) {
      report(ctx, { code: 'DATA_QUALITY_WARNING', component: 'order', discriminator: `${d.documentNumber}/header`, documentNumber: d.documentNumber, eventIds: [doc.eventId], explanation: `ERP ${d.documentNumber}: lines sum to gross ${sum.gross.toString()} but the header says ${header.gross.toString()} (${describeDelta(deltaOf(sum, header))}): fix the document at the source` });
    }
    for (const l of lines) {
      if (l.amounts.net.add(l.amounts.tax).equals(l.amounts.gross)) continue;
      report(ctx, { code: 'DATA_QUALITY_WARNING', component: l.component, discriminator: `${d.documentNumber}#${l.line.lineNumber}/gross`, documentNumber: d.documentNumber, lineNumber: l.line.lineNumber, eventIds: [doc.eventId], explanation: `ERP ${d.documentNumber} line ${l.line.lineNumber}: gross ${l.line.gross} ≠ net ${l.line.net} + tax ${l.line.tax}` });
    }
    for (const q of ctx.view.erpQuantisations[doc.eventId] ?? []) {
      report(ctx, { code: 'DATA_QUALITY_WARNING', component: 'order', discriminator: `${d.documentNumber}/${q.field}/sub-minor`, documentNumber: d.documentNumber, eventIds: [doc.eventId], explanation: `ERP ${d.documentNumber} ${q.field} ${q.original} has more decimals than ${q.currency} allows; quantised to ${q.quantised} (${q.mode.replace('_', ' ')}) at ingestion` });
    }
  }
  for (const w of ctx.erpWarnings) {
    report(ctx, { code: 'DATA_QUALITY_WARNING', component: 'order', discriminator: `${w.documentNumber}/${w.field}/sub-minor`, documentNumber: w.documentNumber, eventIds: [w.eventId], explanation: `ERP ${w.documentNumber} ${w.field} ${w.warning.original} has more decimals than ${w.warning.currency} allows; compared as ${w.warning.quantised}` });
  }
  for (const w of ctx.view.warnings) {
    report(ctx, { code: 'DATA_QUALITY_WARNING', component: 'order', discriminator: `scayle/${w.field}/sub-minor`, eventIds: [w.eventId], explanation: `Scayle ${w.field} ${w.warning.original} has more decimals than ${w.warning.currency} allows; compared as ${w.warning.quantised}` });
  }
  const latestId = ctx.view.scayleEventIds.slice(-1);
  for (const i of ctx.view.items) {
    if (i.net.add(i.tax).equals(i.gross)) continue;
    report(ctx, { code: 'DATA_QUALITY_WARNING', component: 'items', discriminator: `scayle/item:${i.itemId}/gross`, eventIds: latestId, explanation: `Scayle item ${i.itemId}: gross ${i.gross.toString()} ≠ net ${i.net.toString()} + tax ${i.tax.toString()}` });
  }
  const order = ctx.view.order!;
  const cost = Money.parse(order.cost.gross, ctx.currency, { quantise: ctx.policy.erpProfile.mode }).money;
  // Scayle's own figures (before ledger corrections) against Scayle's own total.
  const q = (x: string): Money => Money.parse(x, ctx.currency, { quantise: ctx.policy.erpProfile.mode }).money;
  const cancelled = new Set(ctx.view.items.filter((i) => i.cancelled).map((i) => i.itemId));
  const fees = order.fees.reduce((s, f) => s.add(q(f.gross)), Money.zero(ctx.currency));
  const all = order.items.reduce((s, i) => s.add(q(i.gross)), fees);
  const open = order.items.filter((i) => !cancelled.has(i.itemId)).reduce((s, i) => s.add(q(i.gross)), fees);
  if (!cost.equals(all) && !cost.equals(open)) {
    report(ctx, { code: 'DATA_QUALITY_WARNING', component: 'order', discriminator: 'scayle/cost', eventIds: latestId, explanation: `Scayle order total ${cost.toString()} ${ctx.currency} matches neither its items + fees (${all.toString()}) nor the items still open + fees (${open.toString()})` });
  }
}
