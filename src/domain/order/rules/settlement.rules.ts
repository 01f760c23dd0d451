/**
 * Per-order settlement (DESIGN §6): what the PSP settled for the order (captures − refunds −
 * chargebacks ± adjustments, gross, fees itemised) vs what the ERP invoiced net of credit memos.
 * A realised FX rate other than the ERP's booking rate is `FX_DIFFERENCE`, not drift.
 */
import { dec } from '../../shared/decimal';
import { Money } from '../../shared/money';
import { report, type RuleContext } from './context';
import { AMOUNT_COMPONENTS, erpPosition } from './erp-lines';

export function settlementRule(ctx: RuleContext): void {
  const lines = ctx.view.pspLines.filter((l) => l.data.line.currency === ctx.currency);
  if (lines.length === 0) return;
  const settled = lines.reduce((s, l) => s.add(Money.parse(l.data.line.gross, ctx.currency)), Money.zero(ctx.currency));
  const fees = lines.reduce((s, l) => s.add(Money.parse(l.data.line.fee, ctx.currency)), Money.zero(ctx.currency));
  const ids = lines.map((l) => l.eventId);
  if (ctx.invoiceLines.length > 0 && lines.some((l) => l.data.line.type === 'capture')) {
    const invoiced = AMOUNT_COMPONENTS.reduce((s, c) => s.add(erpPosition(ctx.invoiceLines, ctx.creditLines, c, ctx.currency).gross), Money.zero(ctx.currency));
    const drift = settled.subtract(invoiced);
    if (!drift.isZero()) {
      report(ctx, {
        code: 'SETTLEMENT_DRIFT',
        component: 'settlement',
        discriminator: 'order',
        psp: { currency: ctx.currency, gross: settled.toString() },
        erp: { currency: ctx.currency, gross: invoiced.toString() },
        delta: { currency: ctx.currency, gross: drift.toString() },
        explanation: `PSP settled ${settled.toString()} ${ctx.currency} gross (fees ${fees.toString()} itemised) but the ERP invoiced ${invoiced.toString()} net of credit memos: ${drift.toString()} unexplained`,
        eventIds: [...ids, ...ctx.invoiceDocs.map((d) => d.eventId), ...ctx.creditDocs.map((d) => d.eventId)],
      });
    }
  }
  for (const l of lines) {
    const realised = l.data.line.fxRate;
    if (realised === undefined) continue;
    for (const doc of ctx.invoiceDocs) {
      const booked = doc.data.exchangeRate;
      if (booked === undefined || dec(booked).eq(dec(realised))) continue;
      report(ctx, {
        code: 'FX_DIFFERENCE',
        component: 'settlement',
        discriminator: `${l.data.line.lineId}/${doc.data.documentNumber}`,
        documentNumber: doc.data.documentNumber,
        psp: { currency: ctx.currency, gross: l.data.line.gross },
        explanation: `PSP line ${l.data.line.lineId} realised FX rate ${realised} but ERP ${doc.data.documentNumber} was booked at ${booked}: post the realised FX gain/loss (not a settlement drift)`,
        eventIds: [l.eventId, doc.eventId],
      });
    }
  }
}
