/**
 * Stages 1–3 of DESIGN §6: currency, period, missing or pending counterpart, lifecycle.
 */
import type { ErpDocument } from '../../erp/erp-document';
import { Money } from '../../shared/money';
import { instantMs, periodOfDate, periodOfInstant } from '../../shared/period';
import type { Fact } from '../order.state';
import { graceMs } from '../reconciliation.policy';
import { report, saleEventIds, type RuleContext } from './context';
import { missingReason, type MissingReason } from './export.rules';

/** What to do, per reason of a missing ERP document. */
const NEXT_STEP: Record<MissingReason['reason'], string> = {
  not_yet_due: ': check its fulfilment and invoicing in Scayle',
  not_exported: ': export the order to the ERP',
  export_pending: ': check the ERP export target and GET /v1/erp/exports',
  export_failed: ': fix the export (see the SYNC_FAILURE exception)',
  exported_not_posted: ': post the document in the ERP',
};

/** Stage 1: every ERP document and Scayle refund must be in the order currency. */
export function currencyRule(ctx: RuleContext, allDocs: readonly Fact<ErpDocument>[]): void {
  for (const doc of allDocs) {
    const d = doc.data;
    if (d.currency === ctx.currency || (d.documentType !== 'invoice' && d.documentType !== 'credit_memo')) continue;
    const component = d.documentType === 'credit_memo' ? 'refunds' : 'order';
    report(ctx, {
      code: 'CURRENCY_MISMATCH',
      component,
      discriminator: d.documentNumber,
      documentNumber: d.documentNumber,
      scayle: { currency: ctx.currency },
      erp: { currency: d.currency, gross: d.totals.gross, net: d.totals.net, tax: d.totals.tax },
      explanation: `ERP ${d.documentType.replace('_', ' ')} ${d.documentNumber} is booked in ${d.currency} but the Scayle order is in ${ctx.currency}: rebook it in ${ctx.currency} (amounts were not compared)`,
      eventIds: [doc.eventId, ...saleEventIds(ctx)],
    });
  }
  for (const p of ctx.view.refunds.concat(ctx.view.captures)) {
    if (p.data.currency === ctx.currency) continue;
    report(ctx, {
      code: 'CURRENCY_MISMATCH',
      component: p.data.kind === 'refund' ? 'refunds' : 'settlement',
      discriminator: `${p.data.kind}:${p.data.transactionId}`,
      scayle: { currency: p.data.currency, gross: p.data.amount },
      explanation: `Scayle ${p.data.kind} ${p.data.transactionId} is in ${p.data.currency}, the order in ${ctx.currency}: check the payment's presentment currency`,
      eventIds: [p.eventId],
    });
  }
}

/** Stage 2 (DESIGN §7): the sale's period vs each invoice's, the refunds' vs each credit memo's. */
export function periodRule(ctx: RuleContext): void {
  const tz = ctx.policy.timezone;
  if (ctx.view.saleAt !== undefined) {
    const scaylePeriod = periodOfInstant(ctx.view.saleAt, tz);
    for (const doc of ctx.invoiceDocs) checkPeriod(ctx, doc, scaylePeriod, 'order', `sale (${ctx.view.saleAt})`, saleEventIds(ctx));
  }
  if (ctx.refunds.latestAt !== undefined) {
    const scaylePeriod = periodOfInstant(ctx.refunds.latestAt, tz);
    for (const doc of ctx.refundCreditDocs) checkPeriod(ctx, doc, scaylePeriod, 'refunds', `refund (${ctx.refunds.latestAt})`, ctx.refunds.eventIds);
  }
}

function checkPeriod(ctx: RuleContext, doc: Fact<ErpDocument>, scaylePeriod: string, component: 'order' | 'refunds', what: string, ids: string[]): void {
  const erpPeriod = periodOfDate(doc.data.postingDate);
  if (erpPeriod === scaylePeriod) return;
  report(ctx, {
    code: 'PERIOD_DRIFT',
    component,
    discriminator: doc.data.documentNumber,
    documentNumber: doc.data.documentNumber,
    periods: { scayle: scaylePeriod, erp: erpPeriod },
    explanation: `Scayle ${what} falls in ${scaylePeriod} (${ctx.policy.timezone}) but ERP ${doc.data.documentNumber} is posted in ${erpPeriod} (posting date ${doc.data.postingDate}): repost it in ${scaylePeriod} or book an accrual`,
    eventIds: [doc.eventId, ...ids],
  });
}

function pastGrace(ctx: RuleContext, since: string, which: Parameters<typeof graceMs>[1]): boolean {
  return ctx.nowMs > instantMs(since) + graceMs(ctx.policy, which);
}

/** Stage 3: missing invoice / credit memo, order cancelled in Scayle but live in the ERP, refunds pending. */
export function counterpartRule(ctx: RuleContext, anyInvoice: boolean, anyCredit: boolean): void {
  const v = ctx.view;
  const sold = v.items.some((i) => !i.cancelled);
  if (sold && !anyInvoice && v.saleAt !== undefined) {
    ctx.suppressSale = true;
    const why = missingReason(ctx, 'sale', v.saleAt);
    if (pastGrace(ctx, why?.since ?? v.saleAt, 'missingInErp')) {
      const base = `Scayle order ${v.order!.orderId} (${v.saleAt}) has no posted ERP invoice after the grace window`;
      report(ctx, {
        code: 'MISSING_IN_ERP',
        component: 'order',
        discriminator: 'invoice',
        ...(why ? { reason: why.reason } : {}),
        explanation: !why || why.reason === 'not_exported' ? `${base}: export the order to the ERP` : `${base}: ${why.detail}${NEXT_STEP[why.reason]}`,
        eventIds: [...saleEventIds(ctx), ...(why?.eventIds ?? [])],
      });
    } else ctx.pending.push('invoice');
  }
  if (v.fullyCancelled) {
    const live = ctx.view.salesOrders.filter((d) => d.data.status === 'open').map((d) => d.data.documentNumber);
    const invoiced = ctx.invoiceLines.reduce((s, l) => s.add(l.amounts.gross), Money.zero(ctx.currency));
    const credited = ctx.creditLines.reduce((s, l) => s.add(l.amounts.gross), Money.zero(ctx.currency));
    const open = invoiced.subtract(credited);
    if (live.length > 0 || open.isPositive()) {
      ctx.suppressSale = true;
      const since = v.latestScayleAt!;
      if (pastGrace(ctx, since, 'pendingRefund')) {
        report(ctx, {
          code: 'STATUS_DRIFT',
          component: 'order',
          discriminator: 'cancelled',
          erp: { currency: ctx.currency, gross: open.toString() },
          explanation: `Order is cancelled in Scayle but still live in the ERP (${[...live.map((n) => `open sales order ${n}`), ...(open.isPositive() ? [`${open.toString()} ${ctx.currency} invoiced and not credited`] : [])].join(', ')}): cancel or credit it in the ERP`,
          eventIds: [...saleEventIds(ctx), ...ctx.invoiceDocs.map((d) => d.eventId)],
        });
      } else ctx.pending.push('cancellation');
    }
  }
  if (ctx.refunds.total.isPositive() && !anyCredit && ctx.refunds.latestAt !== undefined) {
    ctx.suppressRefund = true;
    const why = missingReason(ctx, 'credit', ctx.refunds.latestAt);
    if (pastGrace(ctx, why?.since ?? ctx.refunds.latestAt, 'missingInErp')) {
      const base = `Scayle refunded ${ctx.refunds.total.toString()} ${ctx.currency} but the ERP has no credit memo after the grace window`;
      report(ctx, {
        code: 'MISSING_IN_ERP',
        component: 'refunds',
        discriminator: 'credit_memo',
        scayle: { currency: ctx.currency, gross: ctx.refunds.total.toString() },
        ...(why ? { reason: why.reason } : {}),
        explanation: why ? `${base}: ${why.detail}${NEXT_STEP[why.reason]}` : `${base}: post the credit memo`,
        eventIds: [...ctx.refunds.eventIds, ...(why?.eventIds ?? [])],
      });
    } else ctx.pending.push('credit_memo');
  }
  for (const r of ctx.view.refundRequests) {
    if (ctx.view.recordedRefundIds.has(r.data.refundId)) continue;
    if (pastGrace(ctx, r.data.requestedAt, 'pendingRefund')) {
      report(ctx, {
        code: 'STATUS_DRIFT',
        component: 'refunds',
        discriminator: `refund:${r.data.refundId}`,
        scayle: { currency: r.data.currency, gross: r.data.amount },
        explanation: `Refund ${r.data.refundId} of ${r.data.amount} ${r.data.currency} requested ${r.data.requestedAt} is still not recorded in Scayle: check the dispatch`,
        eventIds: [r.eventId],
      });
    } else ctx.pending.push(`refund:${r.data.refundId}`);
  }
}
