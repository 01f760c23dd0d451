/**
 * Per-batch settlement check (DESIGN §6, case C10): a payout is explained by its lines — captures,
 * refunds, chargebacks, adjustments — net of every itemised fee. What is left is `SETTLEMENT_DRIFT`,
 * labelled with the amount. A line whose net ≠ gross − fee is a `DATA_QUALITY_WARNING`.
 */
import type { Finding } from '../shared/findings';
import { Money } from '../shared/money';
import { settlementStreamId } from '../shared/streams';
import { makeFinding } from '../order/order.findings';
import type { PspLineType, PspSettlementLine } from './psp-settlement-line';
import type { SettlementEvent } from './settlement.events';

/** Lines keyed by id (latest by event id wins on duplicates) and the payout header. */
export interface SettlementBatchState {
  provider?: string;
  batchId?: string;
  lines: Readonly<Record<string, { eventId: string; line: PspSettlementLine }>>;
  payout?: { eventId: string; amount: string; currency: string };
}

export const initialSettlementBatchState = (): SettlementBatchState => ({ lines: {} });

/** Folds a settlement-stream event; independent of arrival order and duplicates. */
export function evolveSettlementBatch(state: SettlementBatchState, event: SettlementEvent & { id: string }): SettlementBatchState {
  if (event.type === 'PspSettlementLineRecorded') {
    const cur = state.lines[event.data.line.lineId];
    if (cur && cur.eventId >= event.id) return state;
    return { ...state, provider: event.data.provider, batchId: event.data.batchId, lines: { ...state.lines, [event.data.line.lineId]: { eventId: event.id, line: event.data.line } } };
  }
  if (state.payout && state.payout.eventId >= event.id) return state;
  return { ...state, provider: event.data.provider, batchId: event.data.batchId, payout: { eventId: event.id, amount: event.data.payout, currency: event.data.currency } };
}

export interface SettlementBatchCheck {
  provider: string;
  batchId: string;
  currency: string;
  /** Σ gross per line type, Σ fees, Σ net (= the payout the lines explain). */
  grossByType: Partial<Record<PspLineType, string>>;
  fees: string;
  expectedPayout: string;
  /** Reported payout, when the header has arrived. */
  payout?: string;
  /** payout − expectedPayout. */
  drift?: string;
  status: 'matched' | 'drift' | 'pending';
  findings: Finding[];
}

/**
 * Checks a batch. `pending` until the payout header is known.
 * @throws DomainError `invalid` for malformed amounts; CurrencyMismatchError for mixed line currencies.
 */
export function checkSettlementBatch(state: SettlementBatchState): SettlementBatchCheck {
  const provider = state.provider ?? '?';
  const batchId = state.batchId ?? '?';
  const subject = settlementStreamId(provider, batchId);
  const entries = Object.values(state.lines).sort((a, b) => (a.line.lineId < b.line.lineId ? -1 : 1));
  const currency = state.payout?.currency ?? entries[0]?.line.currency ?? 'XXX';
  const findings: Finding[] = [];
  const byType = new Map<PspLineType, Money>();
  let fees = Money.zero(currency);
  let net = Money.zero(currency);
  for (const { eventId, line } of entries) {
    const gross = Money.parse(line.gross, line.currency);
    const fee = Money.parse(line.fee, line.currency);
    const lineNet = Money.parse(line.net, line.currency);
    byType.set(line.type, (byType.get(line.type) ?? Money.zero(currency)).add(gross));
    fees = fees.add(fee);
    net = net.add(lineNet);
    if (!gross.subtract(fee).equals(lineNet)) {
      findings.push(makeFinding(subject, { code: 'DATA_QUALITY_WARNING', component: 'settlement', discriminator: `line:${line.lineId}`, eventIds: [eventId], explanation: `PSP line ${line.lineId}: net ${line.net} ≠ gross ${line.gross} − fee ${line.fee}` }));
    }
  }
  const check: SettlementBatchCheck = {
    provider,
    batchId,
    currency,
    grossByType: Object.fromEntries([...byType].map(([t, m]) => [t, m.toString()])),
    fees: fees.toString(),
    expectedPayout: net.toString(),
    status: 'pending',
    findings,
  };
  if (state.payout) {
    const payout = Money.parse(state.payout.amount, state.payout.currency);
    const drift = payout.subtract(net);
    check.payout = payout.toString();
    check.drift = drift.toString();
    check.status = drift.isZero() ? 'matched' : 'drift';
    if (!drift.isZero()) {
      findings.push(
        makeFinding(subject, {
          code: 'SETTLEMENT_DRIFT',
          component: 'settlement',
          discriminator: 'payout',
          psp: { currency, gross: payout.toString() },
          delta: { currency, gross: drift.toString() },
          eventIds: [state.payout.eventId, ...entries.map((e) => e.eventId)],
          explanation: `Payout ${payout.toString()} ${currency} vs ${net.toString()} explained by ${entries.length} lines after ${fees.toString()} itemised fees: ${drift.toString()} ${currency} unexplained — ask ${provider} for the missing line`,
        }),
      );
    }
  }
  return check;
}
