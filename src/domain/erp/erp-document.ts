/**
 * The canonical ERP document (DESIGN §9): what `/v1/ingest/erp/documents` takes and what the ERP
 * events carry. Real formats (Business Central `salesInvoices` / `salesCreditMemos`, NetSuite, SAP,
 * Odoo) are mapped onto it by the ingestion layer.
 *
 * Conventions:
 * - Amounts are decimal strings in major units of `currency` (`"19.90"`), never numbers.
 * - Amounts are **positive on invoices and credit memos alike**: the document type gives the
 *   direction. Discount lines carry **negative** amounts (they reduce the document they sit on).
 * - Header totals and line figures are both kept; a gap between them is a `DATA_QUALITY_WARNING`,
 *   never silently fixed.
 * - A later `revision` of the same `documentNumber` replaces earlier ones; a `cancelled` document
 *   stops counting.
 */
import type { DecimalString } from '../shared/decimal';

/** What the document is. `sales_order` and `payment` are informational for the sale comparison. */
export type ErpDocumentType = 'invoice' | 'credit_memo' | 'sales_order' | 'payment';

/** Lifecycle at the ERP: only `posted` invoices and credit memos are booked amounts. */
export type ErpDocumentStatus = 'open' | 'posted' | 'cancelled';

/**
 * What a line bills. BC `lineType` `Item` → `item`; G/L lines for freight → `shipping`; other
 * charges → `fee`; invoice/line discounts and vouchers → `discount`. BC `Comment` lines are skipped
 * by the mapper.
 */
export type ErpLineKind = 'item' | 'shipping' | 'fee' | 'discount';

/** Net, tax and gross as decimal strings in the document currency. */
export interface ErpAmounts {
  net: DecimalString;
  tax: DecimalString;
  gross: DecimalString;
}

/**
 * One ERP line. ERP lines aggregate units: a line usually covers several Scayle unit items of the
 * same variant, so it **names what it covers**, in this order of preference:
 * 1. `orderItemIds` — the Scayle order item ids it bills (exact);
 * 2. `variantReferenceKey` — the Scayle variant reference key; the line covers `quantity` units of it;
 * 3. `erpItemNumber` — the ERP item number, mapped to a variant by the reconciliation policy's
 *    `itemMapping`.
 * Shipping/fee lines may name nothing (they match the order's fees by kind).
 */
export interface ErpDocumentLine extends ErpAmounts {
  /** The ERP's line number (BC `sequence` / `lineNumber`), unique within the document. */
  lineNumber: number;
  kind: ErpLineKind;
  orderItemIds?: string[];
  variantReferenceKey?: string;
  erpItemNumber?: string;
  /** Units as an integer string (`"3"`). */
  quantity: string;
  /** ERP tax code (BC `taxCode`); empty/absent is `MISSING_TAX_CODE` when the line has an amount. */
  taxCode?: string | null;
  /** Rate as a fraction string (`"0.19"`; BC `taxPercent` 19 is mapped to `"0.19"`). */
  taxRate?: DecimalString;
  description?: string;
}

/** The canonical ERP document. */
export interface ErpDocument {
  documentType: ErpDocumentType;
  /** The ERP's document number (BC `number`). Stable across revisions. */
  documentNumber: string;
  /** Non-negative integer; the highest revision of a `documentNumber` wins. */
  revision: number;
  status: ErpDocumentStatus;
  /**
   * The Scayle order the document names (BC `externalDocumentNumber`), as the Scayle order id.
   * `null` when the document names none (it goes to the `erp-unlinked-<documentNumber>` stream).
   */
  orderReference: string | null;
  /** For a credit memo: the invoice it corrects, when the ERP says so. */
  appliesToDocumentNumber?: string;
  /** Accounting date `YYYY-MM-DD`: decides the document's period (DESIGN §7). */
  postingDate: string;
  /** Document date `YYYY-MM-DD`. */
  documentDate: string;
  /** ISO 4217 code of the document amounts (BC blank currency is mapped to the company currency). */
  currency: string;
  /** Whether line prices were entered including tax (BC `pricesIncludeTax`). */
  pricesIncludeTax: boolean;
  /** Header totals (BC `totalAmountExcludingTax`, `totalTaxAmount`, `totalAmountIncludingTax`). */
  totals: ErpAmounts;
  lines: ErpDocumentLine[];
  /**
   * Booking rate: units of the company's local currency per 1 unit of `currency`, as a decimal
   * string; absent when the document is in local currency. Compared with the PSP's realised rate
   * (`FX_DIFFERENCE`).
   */
  exchangeRate?: DecimalString;
}
