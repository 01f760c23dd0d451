/**
 * The business-fault catalogue: one fault per finding code of DESIGN §6 that data can produce. Each
 * entry says how the simulator injects it and which finding (code, component) the ledger must report.
 * Delivery faults (duplicates, reordering, delays) are not here: they must cause no finding.
 */
import type { FindingCode, ReconciliationComponent } from '../../domain/shared/findings';

export interface FaultSpec {
  code: FindingCode;
  component: ReconciliationComponent;
  /** How it is injected, for the ground truth and the docs. */
  how: string;
}

export const FAULTS = {
  missing_invoice: { code: 'MISSING_IN_ERP', component: 'order', how: 'the ERP never receives an invoice for a shipped and invoiced Scayle order' },
  ghost_invoice: { code: 'MISSING_IN_SCAYLE', component: 'order', how: 'the ERP posts an invoice naming an order id Scayle never had' },
  orphan_refund: { code: 'ORPHAN_REFUND', component: 'refunds', how: 'Scayle sends payment-refund for an order id that never appears' },
  cancelled_but_invoiced: { code: 'STATUS_DRIFT', component: 'order', how: 'the order is cancelled in Scayle after the ERP invoiced it; the ERP never credits it' },
  wrong_line_amount: { code: 'AMOUNT_MISMATCH', component: 'items', how: 'an ERP invoice item line is priced higher than Scayle sold it (net and gross move together)' },
  wrong_tax_amount: { code: 'TAX_MISMATCH', component: 'items', how: 'an ERP invoice item line keeps the base but books tax off by more than rounding' },
  missing_tax_code: { code: 'MISSING_TAX_CODE', component: 'items', how: 'a marketplace order item line is booked without a tax code' },
  wrong_tax_code: { code: 'TAX_MAPPING_ERROR', component: 'items', how: "an ERP item line carries the tax code of the country's other VAT rate" },
  wrong_currency: { code: 'CURRENCY_MISMATCH', component: 'order', how: 'a CHF order is invoiced in the ERP in EUR with the CHF figures' },
  utc_posting_date: { code: 'PERIOD_DRIFT', component: 'order', how: "an order invoiced just after local midnight at month end is posted on the UTC date, i.e. in the previous month" },
  credit_memo_without_shipping: { code: 'REFUND_RECONCILIATION_FAILURE', component: 'shipping', how: 'a full return refunds the delivery fee but the credit memo credits the items only (case C4)' },
  psp_short_capture: { code: 'SETTLEMENT_DRIFT', component: 'settlement', how: 'the PSP capture line settles less than was captured, with no itemised fee explaining it' },
  fx_rate_differs: { code: 'FX_DIFFERENCE', component: 'settlement', how: "a CHF capture is converted at a realised rate other than the ERP invoice's booking rate" },
  header_total_gap: { code: 'DATA_QUALITY_WARNING', component: 'order', how: "the ERP invoice header gross disagrees with the sum of its lines" },
  rounding_above_cap: { code: 'ROUNDING_DIFFERENCE', component: 'items', how: 'one variant × 16–24 units whose per-unit VAT rounding all goes one way: a real rounding difference above the materiality cap' },
} as const satisfies Record<string, FaultSpec>;

export type FaultKind = keyof typeof FAULTS;

/** Every fault kind, in the order the simulator cycles through them. */
export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];
