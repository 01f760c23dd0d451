/**
 * Per-order settlement (DESIGN §6 `SETTLEMENT_DRIFT`: "PSP payout vs captured/invoiced amounts, after
 * itemised fees, does not add up"; case C10).
 *
 * - PSP side: the order's settlement lines in the order currency, gross — captures +, refunds and
 *   chargebacks −, adjustments ±. Their fees are itemised: the batch check explains each payout by
 *   its lines' net (payout = Σ gross − Σ fee, `settlement.batch.ts`), so per order gross is compared
 *   with the order's cash and fees never show up as drift.
 * - Expected cash: what Scayle captured minus what it refunded (successful payments); when Scayle
 *   reported no capture, what it billed — units not cancelled plus fees — minus refunds. Cash is
 *   compared with Scayle's cash, never with the ERP's books: an ERP amount or rounding difference is
 *   the sale comparison's finding, and with PSP = Scayle and Scayle = ERP checked separately each
 *   fault shows once.
 * - Timing: PSPs pay out days after a capture or refund. Per kind (captures, refunds), a
 *   difference that Scayle payments the PSP has not paid out yet, or PSP lines Scayle has not
 *   reported yet, explain exactly — some of those within `graceWindows.settlement` (default 7 days)
 *   of now, all on the side that is behind — keeps the order pending (`settlement`); once they are
 *   older it is `SETTLEMENT_DRIFT`. A difference they cannot explain (a wrong amount, a chargeback)
 *   is reported at once.
 * - Checked once the PSP settled a capture of the order (before, there is nothing to compare).
 * A realised FX rate other than the ERP's booking rate is `FX_DIFFERENCE`, not drift.
 */
import { dec } from '../../shared/decimal';
import { Money } from '../../shared/money';
import { instantMs } from '../../shared/period';
import type { Fact, PspLineRecord } from '../order.state';
import { graceMs } from '../reconciliation.policy';
import { report, saleEventIds, type RuleContext } from './context';

/** One movement of the order's expected cash (signed), its kind, when it happened and the events it rests on. */
interface CashFact {
  kind: 'capture' | 'refund';
  amount: Money;
  at: number;
  eventIds: string[];
}

/** Distinct subset sums tried at most; beyond, the difference counts as explained (pending). */
const MAX_SUBSET_SUMS = 4096;

export function settlementRule(ctx: RuleContext): void {
  const lines = ctx.view.pspLines.filter((l) => l.data.line.currency === ctx.currency);
  if (lines.length === 0) return;
  if (lines.some((l) => l.data.line.type === 'capture')) settlementDrift(ctx, lines);
  fxDifferences(ctx, lines);
}

function settlementDrift(ctx: RuleContext, lines: readonly Fact<PspLineRecord>[]): void {
  const gross = (l: Fact<PspLineRecord>): Money => Money.parse(l.data.line.gross, ctx.currency);
  const settled = lines.reduce((s, l) => s.add(gross(l)), Money.zero(ctx.currency));
  const { cash, byScayle } = expectedCash(ctx);
  const expected = cash.reduce((s, f) => s.add(f.amount), Money.zero(ctx.currency));
  const drift = settled.subtract(expected);
  if (drift.isZero()) return;
  if (onlyTiming(ctx, lines, cash, gross)) {
    ctx.pending.push('settlement');
    return;
  }
  const fees = lines.reduce((s, l) => s.add(Money.parse(l.data.line.fee, ctx.currency)), Money.zero(ctx.currency));
  const counterpart = byScayle ? `Scayle captured ${expected.toString()} net of refunds` : `Scayle billed ${expected.toString()} net of refunds (no capture reported)`;
  report(ctx, {
    code: 'SETTLEMENT_DRIFT',
    component: 'settlement',
    discriminator: 'order',
    psp: { currency: ctx.currency, gross: settled.toString() },
    scayle: { currency: ctx.currency, gross: expected.toString() },
    delta: { currency: ctx.currency, gross: drift.toString() },
    explanation: `PSP settled ${settled.toString()} ${ctx.currency} gross (fees ${fees.toString()} itemised) but ${counterpart}: ${drift.toString()} unexplained after the settlement window — ask the PSP for the missing line or book the difference`,
    eventIds: [...lines.map((l) => l.eventId), ...cash.flatMap((f) => f.eventIds)],
  });
}

/**
 * Whether payments not paid out yet explain the whole difference: per kind, a subset of the recent
 * facts of the side that is behind sums to it exactly; other lines (chargebacks, adjustments) have
 * no Scayle counterpart, so a non-zero one is never timing.
 */
function onlyTiming(ctx: RuleContext, lines: readonly Fact<PspLineRecord>[], cash: readonly CashFact[], gross: (l: Fact<PspLineRecord>) => Money): boolean {
  const cutoff = ctx.nowMs - graceMs(ctx.policy, 'settlement');
  const sum = (xs: readonly Money[]): Money => xs.reduce((x, m) => x.add(m), Money.zero(ctx.currency));
  if (lines.some((l) => l.data.line.type !== 'capture' && l.data.line.type !== 'refund' && !gross(l).isZero())) return false;
  return (['capture', 'refund'] as const).every((kind) => {
    const psp = lines.filter((l) => l.data.line.type === kind);
    const scayle = cash.filter((f) => f.kind === kind);
    const d = sum(psp.map(gross)).subtract(sum(scayle.map((f) => f.amount)));
    if (d.isZero()) return true;
    return sumsTo(d.negate(), scayle.filter((f) => f.at > cutoff).map((f) => f.amount)) || sumsTo(d, psp.filter((l) => l.at > cutoff).map(gross));
  });
}

/** The order's expected cash: Scayle's captures and refunds, or — with no capture — its billed sale and refunds. */
function expectedCash(ctx: RuleContext): { cash: CashFact[]; byScayle: boolean } {
  const cur = ctx.currency;
  const refunds = ctx.view.refunds.filter((r) => r.data.currency === cur).map((r) => ({ kind: 'refund' as const, amount: Money.parse(r.data.amount, cur).negate(), at: r.at, eventIds: [r.eventId] }));
  const captures = ctx.view.captures.filter((c) => c.data.currency === cur);
  if (captures.length > 0) return { byScayle: true, cash: [...captures.map((c) => ({ kind: 'capture' as const, amount: Money.parse(c.data.amount, cur), at: c.at, eventIds: [c.eventId] })), ...refunds] };
  const billed = [...ctx.view.items.filter((i) => !i.cancelled), ...ctx.view.fees].reduce((s, x) => s.add(x.gross), Money.zero(cur));
  return { byScayle: false, cash: [{ kind: 'capture', amount: billed, at: instantMs(ctx.view.saleAt!), eventIds: saleEventIds(ctx) }, ...refunds] };
}

/** Whether some non-empty subset of `candidates` sums to `target` (all on the currency's scale). */
function sumsTo(target: Money, candidates: readonly Money[]): boolean {
  const goal = target.toMinorUnits();
  let sums = new Set<bigint>([0n]);
  for (const c of candidates) {
    const minor = c.toMinorUnits();
    const next = new Set(sums);
    for (const s of sums) {
      if (s + minor === goal) return true;
      next.add(s + minor);
    }
    if (next.size > MAX_SUBSET_SUMS) return true;
    sums = next;
  }
  return false;
}

function fxDifferences(ctx: RuleContext, lines: readonly Fact<PspLineRecord>[]): void {
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
