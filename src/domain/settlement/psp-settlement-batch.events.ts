/**
 * PSP settlement batch facts (DESIGN §4 `settlement-<provider>-<batchId>`): the whole batch as the
 * provider reported it. Lines that name an order are also recorded in the order's stream as
 * `PspSettlementLineRecorded` (order.events.ts).
 */
import type { DecimalString } from '../shared/decimal';
import type { PspSettlementLine } from './psp-settlement-line';

export { settlementStreamId } from '../shared/streams';

/** One settlement batch (payout) of a provider. Amounts are decimal strings in major units. */
export interface PspSettlementBatch {
  /** Provider key as configured/sent (`adyen`, `paypal`, …). */
  provider: string;
  /** The provider's batch (payout) id, unique per provider. */
  batchId: string;
  /** ISO 4217 code of `payoutAmount`. */
  currency: string;
  /** Date of the payout `YYYY-MM-DD`. */
  payoutDate: string;
  /** What the provider paid out (Σ line `net` when nothing is missing). */
  payoutAmount: DecimalString;
  lines: PspSettlementLine[];
}

/** The batch was received (raw payload kept for audit). */
export interface PspSettlementBatchRecorded {
  type: 'PspSettlementBatchRecorded';
  data: { batch: PspSettlementBatch; raw?: unknown };
}

export type SettlementEvent = PspSettlementBatchRecorded;
