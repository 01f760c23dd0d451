/**
 * The result of reconciling one order (DESIGN §6): what projections store and the API returns.
 */
import type { Finding, ReconciliationComponent } from '../shared/findings';
import type { Period } from '../shared/period';
import type { OrderExportSummary } from '../erp-export/erp-export.state';

/** `matched`: no finding; `matched_with_rounding`: only auto-accepted rounding; `pending`: a counterpart is still inside its grace window; `drift`: anything else open. */
export type ReconciliationStatus = 'matched' | 'matched_with_rounding' | 'drift' | 'pending';

/** Figures of one component: decimal strings in major units; `net`/`tax` where they are known. */
export interface ComponentFigures {
  gross: string;
  net?: string;
  tax?: string;
  fee?: string;
}

/** Per currency, per component. */
export type SideTotals = Record<string, Partial<Record<ReconciliationComponent, ComponentFigures>>>;

export interface OrderReconciliation {
  /** Order stream id (or `erp-unlinked-<documentNumber>` for an ERP document with no order); prefixes every findingId. */
  subject: string;
  orderId?: string;
  status: ReconciliationStatus;
  /** The sale's accounting period (DESIGN §7), once the order is known. */
  period?: Period;
  /** Counterparts still inside their grace window (`invoice`, `credit_memo`, `refund:<id>`, `order`…). */
  pending: string[];
  /** Sorted by classification stage, then findingId. */
  findings: Finding[];
  /**
   * `scayle`: items/shipping/fees still invoiced, discounts (reductions), refunds, `order` = units not cancelled + fees − refunds (gross);
   * `erp`: invoices − credit memos per component, `discounts`, `refunds` (credit memos), `order` (position);
   * `psp`: `settlement` (gross, net, fee).
   */
  totals: { scayle: SideTotals; erp: SideTotals; psp: SideTotals };
  /** The order's exports to the ERP (issue 10), once the order is known. */
  erpExport?: OrderExportSummary;
}
