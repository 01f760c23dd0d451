/**
 * Credit attribution: which credit-memo lines undo what Scayle did to the order — returns,
 * cancellations, refunded fees — and so belong to the sale comparison, which credit memos only undo
 * unpaid cancellations and so stay out of the refund comparison, and which unit items a credit
 * line credits (DESIGN §5 "recompute from the lines still invoiced", §9 lines that aggregate units).
 */
import type { OrderView, ViewItem } from '../order.view';
import { coveredItems, lineVariant, quantityOf, type ParsedLine } from './erp-lines';

/**
 * Item ids credited by credit-memo item lines: named ids exactly; a line naming only a variant
 * credits `quantity` units of it, cancelled units first as far as the invoices billed them, then
 * returned units (lowest item id first), then any other cancelled ones. Invoiced units of a variant
 * beyond its units still live must be units cancelled after invoicing, which an ERP that cannot
 * revise a posted invoice credits; a unit cancelled before invoicing was never billed, so a credit
 * beyond the billed cancellations is for a returned unit. Counting, not dating, keeps this
 * independent of the order the documents arrive in.
 */
export function creditedItemIds(credits: readonly ParsedLine[], invoices: readonly ParsedLine[], view: OrderView, itemMapping?: Readonly<Record<string, string>>): Set<string> {
  const out = new Set<string>();
  const variantCredits = new Map<string, number>();
  for (const l of credits) {
    if (l.line.kind !== 'item') continue;
    if (l.line.orderItemIds && l.line.orderItemIds.length > 0) {
      l.line.orderItemIds.forEach((id) => out.add(id));
      continue;
    }
    const v = lineVariant(l.line, itemMapping);
    if (v !== undefined) variantCredits.set(v, (variantCredits.get(v) ?? 0) + quantityOf(l.line, 0));
  }
  const byId = (a: ViewItem, b: ViewItem): number => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);
  for (const [variant, qty] of variantCredits) {
    const units = view.items.filter((i) => i.variantReferenceKey === variant);
    const cancelled = units.filter((i) => i.cancelled).sort(byId);
    const billedCancelled = Math.min(cancelled.length, Math.max(0, billedUnits(invoices, variant, view, itemMapping) - (units.length - cancelled.length)));
    const returned = units.filter((i) => i.returned && !i.cancelled).sort(byId);
    const order = [...cancelled.slice(0, billedCancelled), ...returned, ...cancelled.slice(billedCancelled)].filter((i) => !out.has(i.itemId));
    order.slice(0, qty).forEach((i) => out.add(i.itemId));
  }
  return out;
}

/** Units of `variant` the invoice item lines bill: named ids of that variant, or the quantity of a line naming it. */
function billedUnits(invoices: readonly ParsedLine[], variant: string, view: OrderView, itemMapping?: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const l of invoices) {
    if (l.line.kind !== 'item') continue;
    if (l.line.orderItemIds && l.line.orderItemIds.length > 0) n += coveredItems(l.line, view, itemMapping).filter((i) => i.variantReferenceKey === variant).length;
    else if (lineVariant(l.line, itemMapping) === variant) n += quantityOf(l.line, 0);
  }
  return n;
}

/**
 * Credit-memo lines that undo part of the sale as Scayle sees it: item lines whose units are all
 * returned or cancelled in Scayle (named ids, or enough such units of the named variant), shipping/fee
 * lines for fee components Scayle refunded, and discount lines of a credit memo that has such item
 * lines. Other credits (goodwill, price adjustments) stay on the refund side only.
 */
export function attributableCredits(credits: readonly ParsedLine[], view: OrderView, refundedFees: ReadonlySet<string>, itemMapping?: Readonly<Record<string, string>>): ParsedLine[] {
  const undone = (i: ViewItem): boolean => i.returned || i.cancelled;
  const itemOk = (l: ParsedLine): boolean => {
    if (l.line.orderItemIds && l.line.orderItemIds.length > 0) {
      const covered = coveredItems(l.line, view, itemMapping);
      return covered.length === l.line.orderItemIds.length && covered.every(undone);
    }
    const qty = quantityOf(l.line, Number.POSITIVE_INFINITY);
    return coveredItems(l.line, view, itemMapping).filter(undone).length >= qty;
  };
  const docsWithItems = new Set(credits.filter((l) => l.line.kind === 'item' && itemOk(l)).map((l) => l.doc.data.documentNumber));
  return credits.filter((l) => {
    if (l.line.kind === 'item') return itemOk(l);
    if (l.line.kind === 'discount') return docsWithItems.has(l.doc.data.documentNumber);
    return refundedFees.has(l.component);
  });
}

/**
 * Credit memos that only undo cancellations nobody paid back: every line is an item (or discount)
 * line crediting units Scayle cancelled, that were not returned and that no Scayle refund covers
 * (`refundedItemIds`; named ids, or a variant with enough such units). ERPs that cannot revise a
 * posted invoice (Business Central) correct a cancellation after invoicing this way; such a credit
 * memo belongs to the sale, not to any refund. A cancellation Scayle refunded (the order was paid
 * before the unit was cancelled) is a refund like a return's: its credit memo is that refund's
 * counterpart. A document that returned or refunded units could explain just as well counts as a
 * refund's credit memo, unless it is dated before the first Scayle refund.
 */
export function cancellationCreditDocs(credits: readonly ParsedLine[], view: OrderView, refundedItemIds: ReadonlySet<string>, itemMapping?: Readonly<Record<string, string>>): Set<string> {
  const firstRefundAt = view.refunds.reduce((m, r) => Math.min(m, r.at), Number.POSITIVE_INFINITY);
  const refunded = (i: ViewItem): boolean => i.returned || refundedItemIds.has(i.itemId);
  const onlyCancelled = (i: ViewItem): boolean => i.cancelled && !refunded(i);
  const byDoc = new Map<string, ParsedLine[]>();
  for (const l of credits) byDoc.set(l.doc.data.documentNumber, [...(byDoc.get(l.doc.data.documentNumber) ?? []), l]);
  const out = new Set<string>();
  for (const [number, lines] of byDoc) {
    const items = lines.filter((l) => l.line.kind === 'item');
    if (items.length === 0 || lines.some((l) => l.line.kind !== 'item' && l.line.kind !== 'discount')) continue;
    const fits = (l: ParsedLine, unit: (i: ViewItem) => boolean): boolean => {
      const covered = coveredItems(l.line, view, itemMapping);
      if (l.line.orderItemIds && l.line.orderItemIds.length > 0) return covered.length === l.line.orderItemIds.length && covered.every(unit);
      return covered.filter(unit).length >= quantityOf(l.line, Number.POSITIVE_INFINITY);
    };
    const byCancellations = items.every((l) => fits(l, onlyCancelled));
    const byRefunds = items.every((l) => fits(l, refunded));
    const ok = byCancellations && (!byRefunds || lines[0]!.doc.at < firstRefundAt);
    if (ok) out.add(number);
  }
  return out;
}
