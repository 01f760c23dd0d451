/**
 * Outcomes of the ledger → Scayle outbox that the order catalogue (`order.events.ts`) does not list.
 * They land in the order stream like `RefundRecordedInScayle`; `evolve` ignores them (they change
 * nothing the reconciliation compares), the outbox and the order history read them.
 */
import type { DecimalString } from '../shared/decimal';

/**
 * A `LineItemsCorrected` command was written to Scayle: each corrected item's values were stored in
 * its legacy custom data (`PUT …/items/{itemId}/legacy-custom-data`, the only item-level write
 * Scayle offers; line items cannot be re-priced there).
 */
export interface LineItemsCorrectionRecordedInScayle {
  type: 'LineItemsCorrectionRecordedInScayle';
  data: { correctionId: string; itemIds: string[]; recordedAt: string };
}

/** The legacy-custom-data body the ledger writes per corrected item, under the key `ledgerCorrection`. */
export interface LedgerCorrectionCustomData {
  ledgerCorrection: {
    correctionId: string;
    reason: string;
    gross: DecimalString;
    net: DecimalString;
    tax: DecimalString;
    taxRate: DecimalString;
    taxCode?: string;
    currency?: string;
    correctedAt: string;
  };
}
