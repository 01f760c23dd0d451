/**
 * Stage 3 while no Scayle order is known (case C6): Scayle refunds become `ORPHAN_REFUND` and ERP
 * documents `MISSING_IN_SCAYLE` once their grace windows have passed; until then the order is pending.
 */
import { Money } from '../../shared/money';
import { instantMs } from '../../shared/period';
import { makeFinding } from '../order.findings';
import type { OrderReconciliation } from '../reconciliation.types';
import type { OrderView } from '../order.view';
import { graceMs, type ReconciliationPolicy } from '../reconciliation.policy';

export function awaitingOrder(view: OrderView, policy: ReconciliationPolicy, nowMs: number, subject: string, result: OrderReconciliation): OrderReconciliation {
  for (const r of view.refunds) {
    if (nowMs > instantMs(r.occurredAt) + graceMs(policy, 'orphanRefund')) {
      result.findings.push(
        makeFinding(subject, {
          code: 'ORPHAN_REFUND',
          component: 'refunds',
          discriminator: `refund:${r.data.transactionId}`,
          scayle: { currency: r.data.currency, gross: r.data.amount },
          explanation: `Scayle refunded ${r.data.amount} ${r.data.currency} (transaction ${r.data.transactionId}) for order ${r.data.orderId}, which is still unknown after the grace window: check the order import or the refund`,
          eventIds: [r.eventId],
        }),
      );
    } else result.pending.push('order');
  }
  for (const doc of [...view.invoices, ...view.creditMemos, ...view.salesOrders]) {
    const d = doc.data;
    if (nowMs > instantMs(doc.occurredAt) + graceMs(policy, 'missingInScayle')) {
      result.findings.push(
        makeFinding(subject, {
          code: 'MISSING_IN_SCAYLE',
          component: d.documentType === 'credit_memo' ? 'refunds' : 'order',
          discriminator: d.documentNumber,
          documentNumber: d.documentNumber,
          erp: { currency: d.currency, ...d.totals },
          explanation: `ERP ${d.documentType.replace('_', ' ')} ${d.documentNumber} (${d.totals.gross} ${d.currency}) names ${d.orderReference ? `order ${d.orderReference}, unknown in Scayle` : 'no Scayle order'} after the grace window: link it or reverse it`,
          eventIds: [doc.eventId],
        }),
      );
    } else result.pending.push('order');
  }
  if (view.refunds.length === 0 && [...view.invoices, ...view.creditMemos, ...view.salesOrders, ...view.erpPayments].length === 0) result.pending.push('order');
  result.pending = [...new Set(result.pending)];
  for (const r of view.refunds) {
    const cur = (result.totals.scayle[r.data.currency] ??= {});
    const prev = cur.refunds ? Money.parse(cur.refunds.gross, r.data.currency) : Money.zero(r.data.currency);
    cur.refunds = { gross: prev.add(Money.parse(r.data.amount, r.data.currency)).toString() };
  }
  return result;
}

