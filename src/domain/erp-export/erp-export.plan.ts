/**
 * Which exports an order is due for (issue 10 "Triggers"): the decider of the export flow. Pure:
 * ids come from the caller's `idOf` (UUID v5 of a name), time from `now`.
 *
 * - **Sale** (invoice or sales order, as configured): with the `order-invoiced` trigger,
 *   `ScayleOrderInvoiced` makes every unit not cancelled due; each `ScayleOrderPartiallyInvoiced`
 *   makes the units it invoiced due (its `itemIds`, else the units of its snapshot that are shipped:
 *   status `delivered`/`shipped`/`invoiced`/`returned` or in a package). With `order-confirmed`
 *   any Scayle order fact makes every unit not cancelled due. Units already in a sale export are not
 *   billed again; the order's fees go with its first sale export. Cancelled units are never billed.
 * - **Credit** (credit memo): units of *exported* sale documents that Scayle has since returned or
 *   cancelled, and exported fees once the order is fully cancelled or Scayle's refunds covered that
 *   fee component (the refund split of the reconciliation rules), each credited once.
 * - A sale export is dated (posting and document date) on the local date of the sale's Scayle
 *   invoicing time (DESIGN §7, the same instant the period rule uses); a credit on the local date of
 *   the latest fact that made it due.
 */
import { orderStreamId } from '../shared/streams';
import { localDate } from '../shared/period';
import type { OrderState } from '../order/order.state';
import { orderView, type OrderView } from '../order/order.view';
import { splitRefunds } from '../order/rules/refund.rules';
import { exportDocumentNumber, exportIdName, type ExportTrigger, type OrderExportRequested } from './erp-export.events';
import { exportRecords, type SaleDue } from './erp-export.state';

export interface PlanSettings {
  trigger: ExportTrigger;
  /** Document kind of sale exports: `invoice` (BC `salesInvoices`) or `sales_order` (BC `salesOrders`). */
  saleDocumentKind: 'invoice' | 'sales_order';
  /** Company time zone (IANA) for posting dates. */
  timezone: string;
}

/** Item statuses of a shipped unit (a partially invoiced fact that names no items bills these). */
const SHIPPED = new Set(['delivered', 'shipped', 'invoiced', 'returned']);
const CANCELLED = new Set(['cancelled', 'canceled']);

/** Whether and for which units the order's sale is due under `trigger`. */
export function saleDue(state: OrderState, view: OrderView, trigger: ExportTrigger): SaleDue | undefined {
  if (state.kind !== 'order_known') return undefined;
  const facts = Object.values(state.scayleFacts).sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : 1));
  const live = view.items.filter((i) => !i.cancelled).map((i) => i.itemId);
  if (trigger === 'order-confirmed') return live.length > 0 ? { itemIds: live, reason: 'order_confirmed', trigger: facts[0]! } : undefined;
  const invoiced = facts.find((f) => f.data.type === 'ScayleOrderInvoiced');
  if (invoiced) return live.length > 0 ? { itemIds: live, reason: 'order_invoiced', trigger: invoiced } : undefined;
  const partial = facts.filter((f) => f.data.type === 'ScayleOrderPartiallyInvoiced');
  if (partial.length === 0) return undefined;
  const liveSet = new Set(live);
  const ids = new Set<string>();
  for (const f of partial) {
    const named = f.data.itemIds.length > 0 ? f.data.itemIds : f.data.order.items.filter((i) => !CANCELLED.has(i.status) && (SHIPPED.has(i.status) || i.packageId !== undefined)).map((i) => i.itemId);
    named.filter((id) => liveSet.has(id)).forEach((id) => ids.add(id));
  }
  const itemIds = live.filter((id) => ids.has(id));
  return itemIds.length > 0 ? { itemIds, reason: 'order_partially_invoiced', trigger: partial[partial.length - 1]! } : undefined;
}

/**
 * The exports newly due for the order (none, a sale, a credit, or both), in that order.
 * `idOf(name)` turns {@link exportIdName} into the export id (UUID v5 in the application).
 * @throws DomainError `invalid`/`invalid_instant`, `invalid_timezone` for a bad time zone.
 */
export function planExports(state: OrderState, settings: PlanSettings, idOf: (name: string) => string, now: string): OrderExportRequested['data'][] {
  if (state.kind !== 'order_known') return [];
  const view = orderView(state);
  const order = view.order!;
  const stream = orderStreamId(order.shopKey, order.countryCode, order.orderId);
  const records = exportRecords(state);
  const sales = records.filter((r) => r.category === 'sale');
  const credits = records.filter((r) => r.category === 'credit');
  const out: OrderExportRequested['data'][] = [];
  const make = (category: 'sale' | 'credit', sequence: number, rest: Pick<OrderExportRequested['data'], 'reason' | 'itemIds' | 'feeKeys' | 'triggerEventId' | 'postingDate'> & { correctsExportIds?: string[] }) => {
    const documentKind = category === 'credit' ? 'credit_memo' : settings.saleDocumentKind;
    out.push({
      exportId: idOf(exportIdName(stream, category, sequence)),
      orderId: order.orderId,
      documentKind,
      category,
      sequence,
      documentNumber: exportDocumentNumber(order.orderId, documentKind, sequence),
      ...rest,
      requestedAt: now,
    });
  };

  const due = saleDue(state, view, settings.trigger);
  if (due) {
    const billed = new Set(sales.flatMap((r) => r.request.data.itemIds));
    const itemIds = due.itemIds.filter((id) => !billed.has(id));
    if (itemIds.length > 0) {
      const saleAt = view.saleAt ?? due.trigger.occurredAt;
      make('sale', sales.length + 1, {
        reason: due.reason,
        itemIds,
        feeKeys: sales.length === 0 ? view.fees.map((f) => f.key) : [],
        triggerEventId: due.trigger.eventId,
        postingDate: localDate(saleAt, settings.timezone),
      });
    }
  }

  const exported = sales.filter((r) => r.status === 'exported');
  const billedItems = new Set(exported.flatMap((r) => r.request.data.itemIds));
  const billedFees = new Set(exported.flatMap((r) => r.request.data.feeKeys));
  const creditedItems = new Set(credits.flatMap((r) => r.request.data.itemIds));
  const creditedFees = new Set(credits.flatMap((r) => r.request.data.feeKeys));
  const undone = view.items.filter((i) => billedItems.has(i.itemId) && !creditedItems.has(i.itemId) && (i.returned || i.cancelled));
  const refunds = splitRefunds(view, view.currency!);
  const fees = view.fees.filter((f) => billedFees.has(f.key) && !creditedFees.has(f.key) && (view.fullyCancelled || refunds.refundedFees.has(f.component)));
  if (undone.length > 0 || fees.length > 0) {
    const itemIds = undone.map((i) => i.itemId);
    const latest = latestCause(state, view);
    const itemSet = new Set(itemIds);
    const feeSet = new Set(fees.map((f) => f.key));
    make('credit', credits.length + 1, {
      reason: undone.length === 0 ? 'fees_refunded' : undone.every((i) => i.cancelled && !i.returned) ? 'items_cancelled' : 'items_returned',
      itemIds,
      feeKeys: fees.map((f) => f.key),
      correctsExportIds: exported.filter((r) => r.request.data.itemIds.some((id) => itemSet.has(id)) || r.request.data.feeKeys.some((k) => feeSet.has(k))).map((r) => r.exportId),
      triggerEventId: latest.eventId,
      postingDate: localDate(latest.occurredAt, settings.timezone),
    });
  }
  return out;
}

/** The latest Scayle order fact or refund: what a credit is dated by. */
function latestCause(state: OrderState & { kind: 'order_known' }, view: OrderView): { eventId: string; occurredAt: string; at: number } {
  const candidates: { eventId: string; occurredAt: string; at: number }[] = [state.latest, ...view.refunds];
  return candidates.reduce((a, b) => (b.at > a.at || (b.at === a.at && b.eventId > a.eventId) ? b : a));
}
