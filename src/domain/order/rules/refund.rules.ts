/**
 * Refunds vs credit memos, per component (DESIGN §6 `REFUND_RECONCILIATION_FAILURE`, case C4).
 *
 * Scayle reports a refund as one amount (`payment-refund`), sometimes with item ids. The split over
 * components is inferred, exactly or not at all: the items it names (else the returned units, else the
 * returned and cancelled units), plus — when the amount says so — the shipping fees, plus the other
 * fees. If no split adds up to the amount, only totals are compared (component `refunds`).
 */
import { Money } from '../../shared/money';
import type { TaxedAmount } from '../../shared/tax';
import { addTaxed, zeroTaxed } from '../order.findings';
import type { OrderView, ViewFee, ViewItem } from '../order.view';
import { compareComponent } from './compare';
import { graceMs } from '../reconciliation.policy';
import { report, type RefundSplit, type RuleContext } from './context';
import { AMOUNT_COMPONENTS, type AmountComponent, erpRoundedCount, sumLines } from './erp-lines';
import { reportComparison } from './sale.rules';

const sumOf = (xs: readonly (ViewItem | ViewFee)[], currency: string): TaxedAmount =>
  xs.reduce<TaxedAmount>((a, x) => addTaxed(a, { gross: x.gross, net: x.net, tax: x.tax }), zeroTaxed(currency));

/** Splits Scayle's successful refunds (in the order currency) over components. */
export function splitRefunds(view: OrderView, currency: string): RefundSplit {
  const refunds = view.refunds.filter((r) => r.data.currency === currency);
  const total = refunds.reduce((s, r) => s.add(Money.parse(r.data.amount, currency)), Money.zero(currency));
  const named = new Set(refunds.flatMap((r) => r.data.itemIds ?? []));
  const split: RefundSplit = { total, parts: null, refundedFees: new Set(), refundedItemIds: new Set(named), eventIds: refunds.map((r) => r.eventId) };
  if (refunds.length > 0) split.latestAt = refunds[refunds.length - 1]!.occurredAt;
  if (!total.isPositive()) return split;
  const candidates: ViewItem[][] =
    named.size > 0 ? [view.items.filter((i) => named.has(i.itemId))] : [view.items.filter((i) => i.returned), view.items.filter((i) => i.returned || i.cancelled)];
  const shipping = view.fees.filter((f) => f.component === 'shipping');
  const other = view.fees.filter((f) => f.component === 'fees');
  const feeOptions: ViewFee[][] = [[], shipping, [...shipping, ...other]];
  for (const items of candidates) {
    for (const fees of feeOptions) {
      const amounts = sumOf([...items, ...fees], currency);
      if (!amounts.gross.equals(total)) continue;
      split.parts = {
        items: { amounts: sumOf(items, currency), rounded: items.length },
        shipping: { amounts: sumOf(fees.filter((f) => f.component === 'shipping'), currency), rounded: fees.filter((f) => f.component === 'shipping').length },
        fees: { amounts: sumOf(fees.filter((f) => f.component === 'fees'), currency), rounded: fees.filter((f) => f.component === 'fees').length },
      };
      fees.forEach((f) => split.refundedFees.add(f.component));
      items.forEach((i) => split.refundedItemIds.add(i.itemId));
      return split;
    }
  }
  return split;
}

/** Compares the refund split with the credit memos. */
export function refundRule(ctx: RuleContext): void {
  const r = ctx.refunds;
  if (ctx.suppressRefund || ctx.creditLines.length === 0) return;
  if (!r.total.isPositive()) {
    creditWithoutRefund(ctx);
    return;
  }
  // Credit memos that only undo cancellations are the sale's (BC corrects a posted invoice that way).
  const credits = ctx.refundCreditLines;
  if (credits.length === 0) return;
  const ids = [...r.eventIds, ...ctx.refundCreditDocs.map((d) => d.eventId)];
  if (r.parts === null) {
    const erp = AMOUNT_COMPONENTS.reduce((a, c) => addTaxed(a, sumLines(credits, c, ctx.currency)), zeroTaxed(ctx.currency));
    if (erp.gross.equals(r.total)) return;
    const delta = r.total.subtract(erp.gross);
    report(ctx, {
      code: 'REFUND_RECONCILIATION_FAILURE',
      component: 'refunds',
      discriminator: 'refund',
      scayle: { currency: ctx.currency, gross: r.total.toString() },
      erp: { currency: ctx.currency, gross: erp.gross.toString() },
      delta: { currency: ctx.currency, gross: delta.toString() },
      explanation: `Scayle refunded ${r.total.toString()} ${ctx.currency} in total but the credit memos sum to ${erp.gross.toString()} (Δ ${delta.toString()}); the refund could not be split over items and fees: check which lines it covered`,
      eventIds: ids,
    });
    return;
  }
  for (const component of AMOUNT_COMPONENTS) {
    const part = r.parts[component as AmountComponent]!;
    const erp = sumLines(credits, component, ctx.currency);
    const outcome = compareComponent({
      scayle: part.amounts,
      erp,
      scayleRounded: part.rounded,
      erpRounded: erpRoundedCount(credits, component, ctx.policy.erpProfile),
      pricesIncludeTax: ctx.policy.erpProfile.pricesIncludeTax,
      erpMode: ctx.policy.erpProfile.mode,
    });
    if (outcome.kind === 'equal') continue;
    reportComparison(ctx, { outcome, component, discriminator: 'refund', scayle: part.amounts, erp, eventIds: ids, what: 'refunded' });
  }
}

/** Credit-memo lines that undo nothing Scayle did, with no Scayle refund at all, after the grace window. */
function creditWithoutRefund(ctx: RuleContext): void {
  const attributable = new Set(ctx.saleCreditLines);
  const loose = ctx.creditLines.filter((l) => !attributable.has(l));
  if (loose.length === 0) return;
  const latest = loose.map((l) => l.doc).sort((a, b) => b.at - a.at)[0]!;
  if (ctx.nowMs <= latest.at + graceMs(ctx.policy, 'missingInErp')) {
    ctx.pending.push('refund');
    return;
  }
  const erp = AMOUNT_COMPONENTS.reduce((a, c) => addTaxed(a, sumLines(loose, c, ctx.currency)), zeroTaxed(ctx.currency));
  report(ctx, {
    code: 'REFUND_RECONCILIATION_FAILURE',
    component: 'refunds',
    discriminator: 'refund',
    scayle: { currency: ctx.currency, gross: Money.zero(ctx.currency).toString() },
    erp: { currency: ctx.currency, gross: erp.gross.toString() },
    delta: { currency: ctx.currency, gross: erp.gross.negate().toString() },
    explanation: `ERP credited ${erp.gross.toString()} ${ctx.currency} (${[...new Set(loose.map((l) => l.doc.data.documentNumber))].join(', ')}) for nothing Scayle returned, cancelled or refunded: refund the customer in Scayle or reverse the credit memo`,
    eventIds: loose.map((l) => l.doc.eventId),
  });
}
