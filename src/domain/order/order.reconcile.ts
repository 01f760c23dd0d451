/**
 * `reconcileOrder`: everything the log knows about one order → status, findings and totals
 * (DESIGN §6). Classification order: currency → period → missing/pending counterpart → component
 * amounts → tax → rounding; data-quality warnings alongside. Pure: `now` is an input.
 */
import type { ErpDocument } from '../erp/erp-document';
import { FINDING_CODES, type Finding } from '../shared/findings';
import type { OrderReconciliation } from './reconciliation.types';
import { Money } from '../shared/money';
import { instantMs, periodOfInstant } from '../shared/period';
import { orderStreamId, erpUnlinkedStreamId } from '../shared/streams';
import type { Fact, OrderState } from './order.state';
import { orderView, type OrderView } from './order.view';
import { materialityCap, type ReconciliationPolicy } from './reconciliation.policy';
import type { RuleContext } from './rules/context';
import { dataQualityRule } from './rules/data-quality.rules';
import { attributableCredits, cancellationCreditDocs } from './rules/credit-attribution';
import { parseLines, type ErpParseWarning } from './rules/erp-lines';
import { awaitingOrder } from './rules/awaiting-order.rules';
import { erpTotals, figures, pspTotals } from './order.totals';
import { counterpartRule, currencyRule, periodRule } from './rules/lifecycle.rules';
import { refundRule, splitRefunds } from './rules/refund.rules';
import { saleRule, scayleSale, scayleSaleTotals } from './rules/sale.rules';
import { settlementRule } from './rules/settlement.rules';
import { taxCodeRule } from './rules/tax-code.rules';
import { exportFailureRule } from './rules/export.rules';
import { exportRecords, exportSummary } from '../erp-export/erp-export.state';
import { saleDue } from '../erp-export/erp-export.plan';

export type { ReconciliationStatus, ComponentFigures, SideTotals, OrderReconciliation } from './reconciliation.types';

export interface ReconcileOptions {
  /** Override the subject (default: derived from the order, the payments or the ERP document). */
  subject?: string;
}

/**
 * Reconciles one order stream's state at `now` (ISO-8601 instant).
 * @throws DomainError `invalid` for a malformed policy (timezone, durations), `now`, or figures.
 */
export function reconcileOrder(state: OrderState, policy: ReconciliationPolicy, now: string, options: ReconcileOptions = {}): OrderReconciliation {
  const nowMs = instantMs(now, 'now');
  const view = orderView(state, policy.erpProfile.mode);
  const subject = options.subject ?? subjectOf(view);
  const result: OrderReconciliation = { subject, status: 'pending', pending: [], findings: [], totals: { scayle: {}, erp: {}, psp: {} } };
  const orderId = view.order?.orderId ?? view.refunds[0]?.data.orderId ?? view.captures[0]?.data.orderId ?? firstDoc(view)?.data.orderReference ?? undefined;
  if (orderId) result.orderId = orderId;
  pspTotals(view, result.totals.psp);
  if (state.kind !== 'order_known') return withStatus(awaitingOrder(view, policy, nowMs, subject, result));

  const currency = view.currency!;
  const erpWarnings: ErpParseWarning[] = [];
  const mode = policy.erpProfile.mode;
  const parsed = [...view.invoices, ...view.creditMemos].map((doc) => ({ doc, lines: parseLines(doc, mode, erpWarnings) }));
  const same = (d: Fact<ErpDocument>) => d.data.currency === currency;
  const ctx: RuleContext = {
    subject,
    policy,
    nowMs,
    view,
    currency,
    invoiceDocs: view.invoices.filter(same),
    creditDocs: view.creditMemos.filter(same),
    invoiceLines: parsed.filter((p) => same(p.doc) && p.doc.data.documentType === 'invoice').flatMap((p) => p.lines),
    creditLines: parsed.filter((p) => same(p.doc) && p.doc.data.documentType === 'credit_memo').flatMap((p) => p.lines),
    refunds: splitRefunds(view, currency),
    saleCreditLines: [],
    refundCreditDocs: [],
    refundCreditLines: [],
    erpWarnings,
    findings: [],
    pending: [],
    suppressSale: false,
    suppressRefund: false,
    exports: { records: exportRecords(state), saleDue: saleDue(state, view, policy.exportTrigger ?? 'order-invoiced') },
  };
  ctx.saleCreditLines = attributableCredits(ctx.creditLines, view, ctx.refunds.refundedFees, policy.itemMapping);
  const cancellationCredits = cancellationCreditDocs(ctx.creditLines, view, ctx.refunds.refundedItemIds, policy.itemMapping);
  ctx.refundCreditDocs = ctx.creditDocs.filter((d) => !cancellationCredits.has(d.data.documentNumber));
  ctx.refundCreditLines = ctx.creditLines.filter((l) => !cancellationCredits.has(l.doc.data.documentNumber));
  currencyRule(ctx, [...view.invoices, ...view.creditMemos]);
  periodRule(ctx);
  counterpartRule(ctx, view.invoices.length > 0, view.creditMemos.some((d) => !cancellationCredits.has(d.data.documentNumber)));
  const sale = scayleSale(ctx);
  saleRule(ctx, sale);
  refundRule(ctx);
  taxCodeRule(ctx);
  settlementRule(ctx);
  dataQualityRule(ctx, parsed);
  exportFailureRule(ctx);
  applyMaterialityCap(ctx);

  result.period = periodOfInstant(view.saleAt!, policy.timezone);
  result.pending = ctx.pending;
  result.findings = ctx.findings;
  const scayle = scayleSaleTotals(sale, currency);
  const sold = [...view.items.filter((i) => !i.cancelled), ...view.fees].reduce((s, x) => s.add(x.gross), Money.zero(currency));
  result.totals.scayle[currency] = {
    items: figures(scayle.items),
    shipping: figures(scayle.shipping),
    fees: figures(scayle.fees),
    discounts: { gross: sale.items.reduce((s, i) => s.add(i.reductionsGross), Money.zero(currency)).toString() },
    refunds: { gross: ctx.refunds.total.toString() },
    order: { gross: sold.subtract(ctx.refunds.total).toString() },
  };
  erpTotals(parsed, result.totals.erp);
  result.erpExport = exportSummary(ctx.exports!.records, ctx.exports!.saleDue !== undefined);
  return withStatus(result);
}

function firstDoc(view: OrderView): Fact<ErpDocument> | undefined {
  return [...view.invoices, ...view.creditMemos, ...view.salesOrders, ...view.erpPayments][0];
}

function subjectOf(view: OrderView): string {
  if (view.order) return orderStreamId(view.order.shopKey, view.order.countryCode, view.order.orderId);
  const p = [...view.refunds, ...view.captures, ...view.pendingPayments].find((x) => x.data.shopKey && x.data.countryCode);
  if (p) return orderStreamId(p.data.shopKey!, p.data.countryCode!, p.data.orderId);
  const doc = firstDoc(view);
  if (doc && doc.data.orderReference === null) return erpUnlinkedStreamId(doc.data.documentNumber);
  const orderId = view.refunds[0]?.data.orderId ?? view.captures[0]?.data.orderId ?? doc?.data.orderReference ?? 'unknown';
  return `order-unknown-${orderId}`;
}

function applyMaterialityCap(ctx: RuleContext): void {
  for (const side of ['sale', 'refund']) {
    const rounding = ctx.findings.filter((f) => f.code === 'ROUNDING_DIFFERENCE' && f.findingId.endsWith(`/${side}`));
    if (rounding.length === 0) continue;
    const cap = materialityCap(ctx.policy, ctx.currency);
    const total = rounding.reduce((s, f) => s.add(Money.parse(largestDelta(f), ctx.currency)), Money.zero(ctx.currency));
    if (total.amount.lte(cap)) continue;
    for (const f of rounding) {
      f.autoAccepted = false;
      f.severity = 'warning';
      f.explanation += ` — above the materiality cap ${cap.toFixed()} ${ctx.currency} (total ${total.toString()}): book the difference`;
    }
  }
  ctx.findings.sort((a, b) => FINDING_CODES[a.code].stage - FINDING_CODES[b.code].stage || (a.findingId < b.findingId ? -1 : a.findingId > b.findingId ? 1 : 0));
}

function largestDelta(f: Finding): string {
  const ds = [f.delta?.gross, f.delta?.net, f.delta?.tax].filter((x): x is string => x !== undefined).map((x) => x.replace('-', ''));
  return ds.reduce((a, b) => (Money.parse(a, f.delta!.currency).compare(Money.parse(b, f.delta!.currency)) >= 0 ? a : b), '0');
}

function withStatus(r: OrderReconciliation): OrderReconciliation {
  const open = r.findings.filter((f) => f.code !== 'DATA_QUALITY_WARNING' && !f.autoAccepted);
  r.status = open.length > 0 ? 'drift' : r.pending.length > 0 ? 'pending' : r.findings.some((f) => f.code === 'ROUNDING_DIFFERENCE') ? 'matched_with_rounding' : 'matched';
  return r;
}
