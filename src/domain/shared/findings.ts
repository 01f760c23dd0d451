/**
 * Reconciliation findings: codes, owners and classification order (DESIGN §6), and the finding shape
 * every rule, projection and API shares.
 */
import type { DecimalString } from './decimal';
import type { Period } from './period';

/** Every finding code of DESIGN §6. */
export type FindingCode =
  | 'CURRENCY_MISMATCH'
  | 'PERIOD_DRIFT'
  | 'MISSING_IN_ERP'
  | 'MISSING_IN_SCAYLE'
  | 'ORPHAN_REFUND'
  | 'STATUS_DRIFT'
  | 'AMOUNT_MISMATCH'
  | 'REFUND_RECONCILIATION_FAILURE'
  | 'SETTLEMENT_DRIFT'
  | 'FX_DIFFERENCE'
  | 'TAX_MISMATCH'
  | 'MISSING_TAX_CODE'
  | 'TAX_MAPPING_ERROR'
  | 'ROUNDING_DIFFERENCE'
  | 'STALE_SYNC'
  | 'SYNC_FAILURE'
  | 'DATA_QUALITY_WARNING';

/** Who must act on a finding. */
export type FindingOwner = 'finance' | 'operations' | 'cx';

/** `info`: explained and auto-accepted; `warning`: look at it; `error`: books and cash disagree. */
export type FindingSeverity = 'info' | 'warning' | 'error';

/** What a code means and who owns it. `stage` is the classification step (1 = checked first). */
export interface FindingCodeInfo {
  owner: FindingOwner;
  severity: FindingSeverity;
  stage: number;
  meaning: string;
}

/** The table of DESIGN §6. Stages 7–8 are operational codes outside the per-order classification. */
export const FINDING_CODES: Readonly<Record<FindingCode, FindingCodeInfo>> = Object.freeze({
  CURRENCY_MISMATCH: { owner: 'finance', severity: 'error', stage: 1, meaning: 'documents compared in different currencies / presentment booked as shop money' },
  PERIOD_DRIFT: { owner: 'finance', severity: 'error', stage: 2, meaning: 'both sides agree but land in different accounting periods' },
  MISSING_IN_ERP: { owner: 'finance', severity: 'error', stage: 3, meaning: 'Scayle order/return/refund with no ERP document after the grace window' },
  MISSING_IN_SCAYLE: { owner: 'finance', severity: 'error', stage: 3, meaning: 'ERP document that names no Scayle order, after the grace window' },
  ORPHAN_REFUND: { owner: 'cx', severity: 'error', stage: 3, meaning: 'refund with no order after the grace window' },
  STATUS_DRIFT: { owner: 'operations', severity: 'warning', stage: 3, meaning: 'lifecycle disagrees (cancelled in Scayle, open in ERP; refund still pending)' },
  AMOUNT_MISMATCH: { owner: 'finance', severity: 'error', stage: 4, meaning: "a component's gross or net differs beyond rounding" },
  REFUND_RECONCILIATION_FAILURE: { owner: 'finance', severity: 'error', stage: 4, meaning: 'refund vs credit memo differ (shipping left out, voucher not allocated…)' },
  SETTLEMENT_DRIFT: { owner: 'finance', severity: 'error', stage: 4, meaning: 'PSP payout vs captured/invoiced amounts, after itemised fees, does not add up' },
  FX_DIFFERENCE: { owner: 'finance', severity: 'warning', stage: 4, meaning: 'realised PSP FX rate vs ERP booking rate' },
  TAX_MISMATCH: { owner: 'finance', severity: 'error', stage: 5, meaning: 'tax differs while the base matches (or beyond rounding)' },
  MISSING_TAX_CODE: { owner: 'finance', severity: 'error', stage: 5, meaning: 'ERP line with an amount and no tax code (typical on marketplace orders)' },
  TAX_MAPPING_ERROR: { owner: 'finance', severity: 'error', stage: 5, meaning: 'tax code unknown, or its rate differs from the Scayle rate' },
  ROUNDING_DIFFERENCE: { owner: 'finance', severity: 'info', stage: 6, meaning: 'difference explained by rounding level/mode; auto-accepted' },
  STALE_SYNC: { owner: 'operations', severity: 'warning', stage: 7, meaning: 'a source looks current but has stopped advancing, or a projection lags' },
  SYNC_FAILURE: { owner: 'operations', severity: 'error', stage: 7, meaning: 'a record failed to ingest, map or dispatch (kept, retriable)' },
  DATA_QUALITY_WARNING: { owner: 'operations', severity: 'warning', stage: 8, meaning: 'source-internal inconsistency (line sum ≠ header, sub-cent amounts)' },
});

/** The finding codes in classification order. */
export const FINDING_CODE_LIST: readonly FindingCode[] = Object.keys(FINDING_CODES) as FindingCode[];

/**
 * The part of an order a finding is about. `order` covers whole-order findings (currency, period,
 * missing counterpart); `shipping` is delivery fees, `fees` other fees.
 */
export type ReconciliationComponent = 'order' | 'items' | 'shipping' | 'fees' | 'discounts' | 'refunds' | 'settlement';

/** Every component, in report order. */
export const COMPONENTS: readonly ReconciliationComponent[] = ['order', 'items', 'shipping', 'fees', 'discounts', 'refunds', 'settlement'];

/** One side's figures in a finding (decimal strings, major units). */
export interface FindingSide {
  currency: string;
  gross?: DecimalString;
  net?: DecimalString;
  tax?: DecimalString;
}

/** A reconciliation finding (DESIGN §6). */
export interface Finding {
  /**
   * Stable id: `<subject>/<CODE>/<component>/<discriminator>` (e.g.
   * `order-msde-DE-901/ROUNDING_DIFFERENCE/items/tax`). It stays the same while the finding stays
   * open, so projections upsert on it and human decisions reference it.
   */
  findingId: string;
  code: FindingCode;
  owner: FindingOwner;
  severity: FindingSeverity;
  component: ReconciliationComponent;
  /** Scayle's figures (or the PSP's, for settlement findings, in `psp`). */
  scayle?: FindingSide;
  erp?: FindingSide;
  psp?: FindingSide;
  /** Scayle (or PSP) minus ERP, per figure, in `currency`. */
  delta?: FindingSide;
  /** Periods compared (`PERIOD_DRIFT`). */
  periods?: { scayle?: Period; erp?: Period };
  /** ERP document and line concerned, where one is. */
  documentNumber?: string;
  lineNumber?: number;
  /**
   * Finer classification of some codes (issue 10): for `MISSING_IN_ERP` why the ERP has no document
   * — `not_yet_due` (the order has not reached the export trigger), `not_exported` (due, no export
   * requested), `export_pending` (requested, not accepted by the ERP yet), `export_failed` (the
   * export failed or is blocked by a missing mapping), `exported_not_posted` (accepted by the ERP, not
   * posted within the grace window after the export); for `SYNC_FAILURE` of an export the failure
   * reason (`mapping_missing`, `rejected`, `unavailable`).
   */
  reason?: string;
  /** True for a `ROUNDING_DIFFERENCE` within the materiality cap. */
  autoAccepted: boolean;
  /** One line a finance user can act on. */
  explanation: string;
  /** Ids of the events the finding rests on, sorted. */
  eventIds: string[];
}
