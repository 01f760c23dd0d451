/**
 * Events of a settlement batch stream `settlement-<provider>-<batchId>` (DESIGN §4, §6).
 * Lines that name an order are also appended to that order's stream (same `PspSettlementLineRecorded`
 * shape, see order.events.ts).
 */
import type { DecimalString } from '../shared/decimal';
import type { PspSettlementLineRecorded } from '../order/order.events';

/** The provider's batch header: what it paid out. */
export interface PspSettlementBatchReported {
  type: 'PspSettlementBatchReported';
  data: {
    provider: string;
    batchId: string;
    /** Amount paid out, major units of `currency` (the payout currency). */
    payout: DecimalString;
    currency: string;
    /** When the provider paid out (ISO-8601 UTC). */
    paidOutAt: string;
    raw?: unknown;
  };
}

export type SettlementEvent = PspSettlementLineRecorded | PspSettlementBatchReported;

export const SETTLEMENT_EVENT_TYPES = ['PspSettlementLineRecorded', 'PspSettlementBatchReported'] as const satisfies readonly SettlementEvent['type'][];
