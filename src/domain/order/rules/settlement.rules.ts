/**
 * Per-order settlement (DESIGN §6): what the PSP settled for the order (captures − refunds −
 * chargebacks ± adjustments, gross, fees itemised) vs the cash Scayle reports — successful captures
 * minus successful refunds — or, when Scayle reported no capture, what the ERP invoiced net of credit
 * memos. Cash is compared with cash: an ERP amount or rounding difference is the sale comparison's
 * finding (AMOUNT_MISMATCH, ROUNDING_DIFFERENCE…), not a second one here.
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
  const scayleCaptures = ctx.view.captures.filter((c) => c.data.currency === ctx.currency);
  const byScayle = scayleCaptures.length > 0;
  if ((byScayle || ctx.invoiceLines.length > 0) && lines.some((l) => l.data.line.type === 'capture')) {
    const expected = byScayle
      ? scayleCaptures.reduce((s, c) => s.add(Money.parse(c.data.amount, ctx.currency)), Money.zero(ctx.currency)).subtract(ctx.refunds.total)
      : AMOUNT_COMPONENTS.reduce((s, c) => s.add(erpPosition(ctx.invoiceLines, ctx.creditLines, c, ctx.currency).gross), Money.zero(ctx.currency));
    const drift = settled.subtract(expected);
    if (!drift.isZero()) {
      const counterpart = byScayle ? `Scayle captured ${expected.toString()} net of refunds` : `the ERP invoiced ${expected.toString()} net of credit memos`;
      report(ctx, {
        code: 'SETTLEMENT_DRIFT',
        component: 'settlement',
        discriminator: 'order',
        psp: { currency: ctx.currency, gross: settled.toString() },
        ...(byScayle ? { scayle: { currency: ctx.currency, gross: expected.toString() } } : { erp: { currency: ctx.currency, gross: expected.toString() } }),
        delta: { currency: ctx.currency, gross: drift.toString() },
        explanation: `PSP settled ${settled.toString()} ${ctx.currency} gross (fees ${fees.toString()} itemised) but ${counterpart}: ${drift.toString()} unexplained`,
        eventIds: byScayle ? [...ids, ...scayleCaptures.map((c) => c.eventId), ...ctx.refunds.eventIds] : [...ids, ...ctx.invoiceDocs.map((d) => d.eventId), ...ctx.creditDocs.map((d) => d.eventId)],
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
