/**
 * Stages 4–6 for the sale (DESIGN §6): Scayle's lines still invoiced vs the ERP's invoices minus credit
 * memos, per component, gross/net/tax separately.
 *
 * "Still invoiced" (DESIGN §5): not cancelled, and not returned-and-credited (a returned unit the ERP
 * has not credited yet still counts: its credit is the refund side's business). A fee Scayle refunded
 * stops counting once the ERP credits a line of its kind. On the ERP side only credit-memo lines
 * that undo such returns, cancellations or refunded fees are subtracted (`attributableCredits`);
 * goodwill credits are the refund side's business alone. The ERP figures are never derived by
 * subtracting cancelled amounts: they are the documents' own lines, and the profile recomputation
 * from the lines still invoiced tells whether the ERP booked what its rounding profile says (case C3).
 */
import { type ReconciliationComponent } from '../../shared/findings';
import { expectedErpDocument, type TaxedAmount, type TaxLineInput } from '../../shared/tax';
import { addTaxed, describeDelta, equalTaxed, sideOf, zeroTaxed } from '../order.findings';
import type { ViewFee, ViewItem } from '../order.view';
import { compareComponent, type ComparisonOutcome } from './compare';
import { report, saleEventIds, type RuleContext } from './context';
import { creditedItemIds } from './credit-attribution';
import { AMOUNT_COMPONENTS, type AmountComponent, erpPosition, erpRoundedCount, sumLines } from './erp-lines';

export interface ScayleSale {
  items: ViewItem[];
  fees: ViewFee[];
}

/** Scayle's lines still invoiced. */
export function scayleSale(ctx: RuleContext): ScayleSale {
  const credited = creditedItemIds(ctx.saleCreditLines, ctx.invoiceLines, ctx.view, ctx.policy.itemMapping);
  const creditedKinds = new Set(ctx.saleCreditLines.map((l) => l.component));
  return {
    items: ctx.view.items.filter((i) => !i.cancelled && !(i.returned && credited.has(i.itemId))),
    fees: ctx.view.fees.filter((f) => !(ctx.refunds.refundedFees.has(f.component) && creditedKinds.has(f.component))),
  };
}

/** Σ of Scayle's figures per component. */
export function scayleSaleTotals(sale: ScayleSale, currency: string): Record<AmountComponent, TaxedAmount> {
  const sum = (xs: readonly { gross: TaxedAmount['gross']; net: TaxedAmount['net']; tax: TaxedAmount['tax'] }[]): TaxedAmount =>
    xs.reduce<TaxedAmount>((a, x) => addTaxed(a, { gross: x.gross, net: x.net, tax: x.tax }), zeroTaxed(currency));
  return {
    items: sum(sale.items),
    shipping: sum(sale.fees.filter((f) => f.component === 'shipping')),
    fees: sum(sale.fees.filter((f) => f.component === 'fees')),
  };
}

/** The expected ERP figures per component, recomputed under the profile from the lines still invoiced. */
export function expectedSale(ctx: RuleContext, sale: ScayleSale): Record<AmountComponent, TaxedAmount> {
  const incl = ctx.policy.erpProfile.pricesIncludeTax;
  const lines = new Map<string, TaxLineInput & { component: AmountComponent }>();
  for (const i of sale.items) {
    const key = `items:${i.variantReferenceKey ?? i.itemId}:${i.taxRate}`;
    const prev = lines.get(key);
    const amount = incl ? i.gross : i.net;
    lines.set(key, prev ? { ...prev, amount: prev.amount.add(amount) } : { key, amount, rate: i.taxRate, component: 'items' });
  }
  sale.fees.forEach((f, k) => lines.set(`${f.component}:${k}:${f.key}`, { key: `${f.component}:${k}:${f.key}`, amount: incl ? f.gross : f.net, rate: f.taxRate, component: f.component }));
  const doc = expectedErpDocument([...lines.values()], ctx.policy.erpProfile, ctx.currency);
  const out = { items: zeroTaxed(ctx.currency), shipping: zeroTaxed(ctx.currency), fees: zeroTaxed(ctx.currency) };
  doc.lines.forEach((l) => {
    const c = lines.get(l.key)!.component;
    out[c] = addTaxed(out[c], l);
  });
  return out;
}

/** Compares each component of the sale and reports amount, tax and rounding findings. */
export function saleRule(ctx: RuleContext, sale: ScayleSale): void {
  if (ctx.suppressSale || ctx.invoiceLines.length === 0) return;
  const scayle = scayleSaleTotals(sale, ctx.currency);
  let expected: Record<AmountComponent, TaxedAmount> | undefined; // only needed to explain rounding
  const expectedFor = (c: AmountComponent): TaxedAmount => (expected ??= expectedSale(ctx, sale))[c];
  const docIds = [...ctx.invoiceDocs, ...ctx.creditDocs].map((d) => d.eventId);
  for (const component of AMOUNT_COMPONENTS) {
    const erp = erpPosition(ctx.invoiceLines, ctx.saleCreditLines, component, ctx.currency);
    const scayleRounded = component === 'items' ? sale.items.length : sale.fees.filter((f) => f.component === component).length;
    const erpLines = [...ctx.invoiceLines, ...ctx.saleCreditLines];
    if (equalTaxed(scayle[component], erp)) continue;
    const outcome = compareComponent({
      scayle: scayle[component],
      erp,
      scayleRounded,
      erpRounded: erpRoundedCount(erpLines, component, ctx.policy.erpProfile),
      pricesIncludeTax: ctx.policy.erpProfile.pricesIncludeTax,
      erpMode: ctx.policy.erpProfile.mode,
      expectedErp: expectedFor(component),
    });
    if (outcome.kind === 'equal') continue;
    let shown: ReconciliationComponent = component;
    if (outcome.kind === 'amount' && component === 'items') shown = discountExplains(ctx, sale, outcome.delta) ? 'discounts' : 'items';
    reportComparison(ctx, { outcome, component: shown, discriminator: 'sale', scayle: scayle[component], erp, eventIds: [...saleEventIds(ctx), ...docIds], what: 'invoiced' });
  }
}

/** Whether the items difference is exactly the difference between Scayle's reductions and the ERP's discount lines. */
function discountExplains(ctx: RuleContext, sale: ScayleSale, delta: TaxedAmount): boolean {
  const erpDiscounts = sumLines(ctx.invoiceLines, 'discounts', ctx.currency).gross.subtract(sumLines(ctx.saleCreditLines, 'discounts', ctx.currency).gross).negate();
  const scayleDiscounts = sale.items.reduce((s, i) => s.add(i.reductionsGross), erpDiscounts.subtract(erpDiscounts));
  return !erpDiscounts.equals(scayleDiscounts) && delta.gross.equals(erpDiscounts.subtract(scayleDiscounts));
}

const LABEL: Record<ReconciliationComponent, string> = {
  order: 'order',
  items: 'items',
  shipping: 'shipping',
  fees: 'fees',
  discounts: 'discounts/vouchers',
  refunds: 'refunds',
  settlement: 'settlement',
};

/** Reports one component's outcome (shared with the refund side). */
export function reportComparison(
  ctx: RuleContext,
  a: { outcome: Exclude<ComparisonOutcome, { kind: 'equal' }>; component: ReconciliationComponent; discriminator: string; scayle: TaxedAmount; erp: TaxedAmount; eventIds: string[]; what: 'invoiced' | 'refunded' },
): void {
  const o = a.outcome;
  const label = LABEL[a.component];
  const base = { component: a.component, discriminator: a.discriminator, scayle: sideOf(a.scayle), erp: sideOf(a.erp), delta: sideOf(o.delta), eventIds: a.eventIds };
  const side = a.what === 'invoiced' ? 'ERP invoices (net of credit memos)' : 'ERP credit memos';
  if (o.kind === 'amount') {
    const code = a.what === 'refunded' ? 'REFUND_RECONCILIATION_FAILURE' : 'AMOUNT_MISMATCH';
    const missing = a.erp.gross.isZero() ? `${side} have no ${label} at all` : `${side} differ`;
    const text =
      a.what === 'refunded'
        ? `Scayle refunded ${label} ${a.scayle.gross.toString()} but ${missing} (${describeDelta(o.delta)}): add the ${label} to the credit memo or correct it`
        : `Scayle ${label} ${a.scayle.gross.toString()} vs ERP ${a.erp.gross.toString()}: ${missing} (${describeDelta(o.delta)}); correct the ERP document`;
    report(ctx, { ...base, code, explanation: text });
  } else if (o.kind === 'tax') {
    report(ctx, { ...base, code: 'TAX_MISMATCH', explanation: `${label} base agrees but tax differs beyond rounding (${describeDelta(o.delta)}, rounding explains at most ${o.bound.toFixed()}): check the ERP tax rate/code` });
  } else {
    const how = o.explainedByProfile ? `the ERP booked exactly its ${ctx.policy.erpProfile.level} ${ctx.policy.erpProfile.mode} rounding` : `within ½ minor unit per rounded amount (≤ ${o.bound.toFixed()})`;
    report(ctx, { ...base, code: 'ROUNDING_DIFFERENCE', autoAccepted: true, explanation: `${label} ${a.what}: ${describeDelta(o.delta)} explained by rounding (${how}); no action unless above the materiality cap` });
  }
}
