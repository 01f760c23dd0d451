/**
 * Ledger commands on an order (DESIGN §1, §8): the REST API builds them, the handler fills time and
 * ids from the Clock port and the request, and `decide` answers with events or a `DomainError`.
 */
import type { DecimalString } from '../shared/decimal';

/** Issue a refund: `amount` must equal the sum of `items[].amount` (REST `refund_items`). */
export interface RequestRefund {
  type: 'RequestRefund';
  data: {
    /** Client- or handler-supplied id; a retry with the same id and data is a no-op. */
    refundId: string;
    amount: DecimalString;
    currency: string;
    items: { orderItemId: string; amount: DecimalString }[];
    reason: string;
    requestedAt: string;
    requestedBy: string;
  };
}

/** Correct line items after a partial cancellation or a wrong price: gross = net + tax per item. */
export interface CorrectLineItems {
  type: 'CorrectLineItems';
  data: {
    correctionId: string;
    reason: string;
    items: { orderItemId: string; gross: DecimalString; net: DecimalString; tax: DecimalString; taxRate: DecimalString; taxCode?: string }[];
    correctedAt: string;
    correctedBy?: string;
  };
}

export type OrderCommand = RequestRefund | CorrectLineItems;
