/**
 * A payment-provider settlement line (DESIGN §6 settlement), as recorded by the
 * `PspSettlementLineRecorded` event in the order stream (when it names an order) and in the batch's
 * `settlement-<provider>-<batchId>` stream.
 *
 * Sign convention (what the line does to the payout):
 * - `gross`: positive for captures, negative for refunds and chargebacks, zero for pure fee lines,
 *   either sign for adjustments.
 * - `fee`: what the PSP keeps, positive when charged (a refunded fee is negative).
 * - `net` = `gross − fee`: the line's contribution to the payout.
 */
import type { DecimalString } from '../shared/decimal';

export type PspLineType = 'capture' | 'refund' | 'chargeback' | 'fee' | 'adjustment';

export interface PspSettlementLine {
  /** The provider's line id, unique within the provider. */
  lineId: string;
  type: PspLineType;
  /** The payment the line belongs to (Scayle `transactionKey` / PSP reference). */
  paymentReference: string;
  /** The Scayle order id when the provider reports it or the ingestion resolved it. */
  orderId?: string;
  gross: DecimalString;
  fee: DecimalString;
  net: DecimalString;
  /** ISO 4217 code of gross/fee/net (the presentment currency of the payment). */
  currency: string;
  /** When the provider booked the line (ISO-8601 UTC). */
  bookedAt: string;
  /**
   * Realised rate: units of the settlement (payout) currency per 1 unit of `currency`, when the
   * provider converted. Compared with the ERP's booking `exchangeRate` (`FX_DIFFERENCE`).
   */
  fxRate?: DecimalString;
  /** Payout currency when it differs from `currency`. */
  settlementCurrency?: string;
}
