/**
 * Per-batch settlement check (DESIGN §6, case C10): a payout is explained by its lines — captures,
 * refunds, chargebacks, adjustments — net of every itemised fee: payout = Σ gross − Σ fee. What is
 * left is `SETTLEMENT_DRIFT` (finance), labelled with the amount; a payout with no lines is all
 * drift. A line's stated `net` is not trusted for this sum: a line whose net ≠ gross − fee is a
 * `DATA_QUALITY_WARNING` (operations) on that line, and the payout is still compared with gross − fee,
 * so a payout that merely repeats the wrong net is drift too.
 * The per-order check (`order/rules/settlement.rules.ts`) is its counterpart: each order's lines,
 * gross, against the cash Scayle took; fees are explained here and never count there. A batch is a
 * complete report, so it has no grace window; the per-order check waits for payments not paid out yet.
 *
 * The batch stream `settlement-<provider>-<batchId>` holds `PspSettlementBatchRecorded` events
 * (psp-settlement-batch.events.ts). When a provider re-reports a batch, the report with the latest
 * source time wins (then the higher event id), whatever the arrival order.
 *
 * The service runs this check live (`reconciliation` projection) and in the close snapshot / audit
 * replay (`LogReplayEngine`) through {@link evaluateSettlementBatch}; its findings are about the
 * batch stream (subject and finding ids `settlement-<provider>-<batchId>/…`), never about an order,
 * so they do not repeat the per-order `SETTLEMENT_DRIFT` (discriminator `order`).
 */
import type { Finding } from '../shared/findings';
import { Money } from '../shared/money';
import { instantMs, periodOfDate, type Period } from '../shared/period';
import { settlementStreamId } from '../shared/streams';
import { makeFinding } from '../order/order.findings';
import type { PspLineType } from './psp-settlement-line';
import type { PspSettlementBatch, PspSettlementBatchRecorded } from './psp-settlement-batch.events';

/** The batch report that counts, with the id of its event. */
export interface SettlementBatchState {
  batch?: PspSettlementBatch;
  eventId?: string;
  at?: number;
}

export const initialSettlementBatchState = (): SettlementBatchState => ({});

/** Folds a batch-stream event; independent of arrival order and duplicates. Unknown types are ignored. */
export function evolveSettlementBatch(
  state: SettlementBatchState,
  event: { id: string; type: string; data: unknown; metadata: { occurredAt: string } },
): SettlementBatchState {
  if (event.type !== 'PspSettlementBatchRecorded') return state;
  const at = instantMs(event.metadata.occurredAt, 'metadata.occurredAt');
  if (state.at !== undefined && (state.at > at || (state.at === at && state.eventId! >= event.id))) return state;
  return { batch: (event.data as PspSettlementBatchRecorded['data']).batch, eventId: event.id, at };
}

export interface SettlementBatchCheck {
  provider: string;
  batchId: string;
  currency: string;
  /** Σ gross per line type, Σ fees, Σ (gross − fee) (= the payout the lines explain). */
  grossByType: Partial<Record<PspLineType, string>>;
  fees: string;
  expectedPayout: string;
  payout: string;
  /** payout − expectedPayout. */
  drift: string;
  status: 'matched' | 'drift';
  findings: Finding[];
}

/**
 * Checks one batch report (`eventIds`: the events it rests on).
 * @throws DomainError `invalid` for malformed amounts; CurrencyMismatchError when a line is in
 *   another currency than the payout.
 */
export function checkSettlementBatch(batch: PspSettlementBatch, eventIds: readonly string[] = []): SettlementBatchCheck {
  const subject = settlementStreamId(batch.provider, batch.batchId);
  const currency = batch.currency;
  const findings: Finding[] = [];
  const byType = new Map<PspLineType, Money>();
  let fees = Money.zero(currency);
  let net = Money.zero(currency);
  const lines = [...batch.lines].sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0));
  for (const line of lines) {
    const gross = Money.parse(line.gross, line.currency, `lines[${line.lineId}].gross`);
    const fee = Money.parse(line.fee, line.currency, `lines[${line.lineId}].fee`);
    const lineNet = Money.parse(line.net, line.currency, `lines[${line.lineId}].net`);
    byType.set(line.type, (byType.get(line.type) ?? Money.zero(currency)).add(gross));
    fees = fees.add(fee);
    net = net.add(gross.subtract(fee));
    if (!gross.subtract(fee).equals(lineNet)) {
      findings.push(makeFinding(subject, { code: 'DATA_QUALITY_WARNING', component: 'settlement', discriminator: `line:${line.lineId}`, eventIds, explanation: `PSP line ${line.lineId}: net ${line.net} ≠ gross ${line.gross} − fee ${line.fee}` }));
    }
  }
  const payout = Money.parse(batch.payoutAmount, currency, 'payoutAmount');
  const drift = payout.subtract(net);
  if (!drift.isZero()) {
    findings.push(
      makeFinding(subject, {
        code: 'SETTLEMENT_DRIFT',
        component: 'settlement',
        discriminator: 'payout',
        psp: { currency, gross: payout.toString() },
        delta: { currency, gross: drift.toString() },
        eventIds,
        explanation: `PSP batch ${batch.provider} ${batch.batchId} (payout ${batch.payoutDate}): payout ${payout.toString()} ${currency} vs ${net.toString()} explained by ${lines.length} ${lines.length === 1 ? 'line' : 'lines'} (gross ${gross(byType, currency).toString()} − ${fees.toString()} itemised fees): ${drift.toString()} ${currency} unexplained — ask ${batch.provider} for the missing line or the corrected report`,
      }),
    );
  }
  return {
    provider: batch.provider,
    batchId: batch.batchId,
    currency,
    grossByType: Object.fromEntries([...byType].map(([t, m]) => [t, m.toString()])),
    fees: fees.toString(),
    expectedPayout: net.toString(),
    payout: payout.toString(),
    drift: drift.toString(),
    status: drift.isZero() ? 'matched' : 'drift',
    findings,
  };
}

function gross(byType: ReadonlyMap<PspLineType, Money>, currency: string): Money {
  return [...byType.values()].reduce((s, m) => s.add(m), Money.zero(currency));
}

/** Accounting period of a batch: the month of its payout date, a calendar date like an ERP posting date (DESIGN §7). */
export function settlementBatchPeriod(batch: Pick<PspSettlementBatch, 'payoutDate'>): Period {
  return periodOfDate(batch.payoutDate);
}

/** What the service makes of a batch stream: the report that counts, its period, its check and findings. */
export interface SettlementBatchEvaluation {
  /** The batch stream (`settlement-<provider>-<batchId>`), subject of every finding. */
  subject: string;
  /** {@link settlementBatchPeriod}; null when the payout date is no calendar date. */
  period: Period | null;
  /** The check, absent when the report could not be checked (see `findings`). */
  check?: SettlementBatchCheck;
  /** Sorted by finding id. */
  findings: Finding[];
}

/**
 * Evaluates the report that counts in a folded batch stream (undefined before any report). Pure and
 * independent of arrival order, of the batch's orders and of `now` (a batch is a complete report,
 * no grace window). A report the check cannot sum (a malformed amount, a line in another currency
 * than the payout) yields one `DATA_QUALITY_WARNING` saying why instead of a throw, so a live
 * projection and an audit replay agree on it.
 */
export function evaluateSettlementBatch(state: SettlementBatchState): SettlementBatchEvaluation | undefined {
  const batch = state.batch;
  if (!batch) return undefined;
  const subject = settlementStreamId(batch.provider, batch.batchId);
  let period: Period | null;
  try {
    period = settlementBatchPeriod(batch);
  } catch {
    period = null;
  }
  const eventIds = state.eventId ? [state.eventId] : [];
  try {
    const check = checkSettlementBatch(batch, eventIds);
    return { subject, period, check, findings: [...check.findings].sort((a, b) => (a.findingId < b.findingId ? -1 : a.findingId > b.findingId ? 1 : 0)) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const finding = makeFinding(subject, {
      code: 'DATA_QUALITY_WARNING',
      component: 'settlement',
      discriminator: 'unchecked',
      eventIds,
      explanation: `PSP batch ${batch.provider} ${batch.batchId} could not be checked against its payout: ${message}`,
    });
    return { subject, period, findings: [finding] };
  }
}
