/**
 * How the ledger's commands map onto the Scayle Admin API (DESIGN §8): a refund becomes a
 * billing-status update naming the refund id, a correction becomes legacy custom data on each
 * corrected item.
 */
import type { LedgerCorrectionCustomData } from '../../domain/order/order-dispatch.events';
import { isScayleOrderFact, type LineItemsCorrected, type RefundRequested, type ScayleOrderSnapshot } from '../../domain/order/order.events';
import { Money } from '../../domain/shared/money';
import type { RecordedEvent } from '../ports/event-store.port';
import type { BillingStatusUpdate, ScayleBillingCode, ScayleOrderRef } from '../ports/scayle-gateway.port';

/** Scayle limits free-text reasons; keep ours well inside. */
const MAX_REASON = 250;

/** The latest Scayle snapshot in an order stream (by source time, then log order), if any. */
export function latestSnapshot(events: readonly RecordedEvent[]): ScayleOrderSnapshot | undefined {
  let best: { at: string; snapshot: ScayleOrderSnapshot } | undefined;
  for (const e of events) {
    if (!isScayleOrderFact(e)) continue;
    const data = e.data as { order?: ScayleOrderSnapshot };
    if (!data.order) continue;
    const at = String(e.metadata.occurredAt);
    if (!best || Date.parse(at) >= Date.parse(best.at)) best = { at, snapshot: data.order };
  }
  return best?.snapshot;
}

/** Where the order lives in the Admin API, from its latest snapshot. */
export function orderRefOf(snapshot: ScayleOrderSnapshot): ScayleOrderRef {
  return { shopKey: snapshot.shopKey, countryCode: snapshot.countryCode, orderId: snapshot.orderId };
}

/**
 * `PATCH …/billing-status` body for a refund: the order is `billing_refunded` once the refunds
 * requested so far (this one included) cover what Scayle captured (`cost.costCapture`), otherwise
 * `billing_partially_refunded`; each refunded item is `billing_refunded` once its refunds cover its
 * gross price, otherwise `billing_partially_refunded`. The reason names the ledger refund id.
 */
export function billingStatusForRefund(refund: RefundRequested['data'], events: readonly RecordedEvent[], snapshot: ScayleOrderSnapshot): BillingStatusUpdate {
  const currency = refund.currency;
  const upToThis: RefundRequested['data'][] = [];
  for (const e of events) {
    if (e.type !== 'RefundRequested') continue;
    const data = e.data as RefundRequested['data'];
    if (data.currency === currency && !upToThis.some((r) => r.refundId === data.refundId)) upToThis.push(data);
    if (data.refundId === refund.refundId) break;
  }
  const total = Money.sum(upToThis.map((r) => Money.of(r.amount, currency)), currency);
  const captured = snapshot.currency === currency ? Money.of(snapshot.cost.capture, currency) : undefined;
  const code: ScayleBillingCode = captured && total.compare(captured) >= 0 ? 'billing_refunded' : 'billing_partially_refunded';
  const itemIds = [...new Set(refund.items.map((i) => i.orderItemId))];
  const items = itemIds.map((id) => {
    const refunded = Money.sum(
      upToThis.flatMap((r) => r.items.filter((i) => i.orderItemId === id).map((i) => Money.of(i.amount, currency))),
      currency,
    );
    const item = snapshot.items.find((i) => i.itemId === id);
    const full = item && snapshot.currency === currency && refunded.compare(Money.of(item.gross, currency)) >= 0;
    return { id, code: (full ? 'billing_refunded' : 'billing_partially_refunded') as ScayleBillingCode };
  });
  const reason = `Ledger refund ${refund.refundId}: ${refund.reason}`;
  return { code, reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason, items };
}

/** Legacy custom data for one corrected item (written under `ledgerCorrection`). */
export function legacyCustomDataForCorrection(
  correction: LineItemsCorrected['data'],
  item: LineItemsCorrected['data']['items'][number],
  currency: string | undefined,
): LedgerCorrectionCustomData {
  return {
    ledgerCorrection: {
      correctionId: correction.correctionId,
      reason: correction.reason,
      gross: item.gross,
      net: item.net,
      tax: item.tax,
      taxRate: item.taxRate,
      ...(item.taxCode !== undefined ? { taxCode: item.taxCode } : {}),
      ...(currency ? { currency } : {}),
      correctedAt: correction.correctedAt,
    },
  };
}
