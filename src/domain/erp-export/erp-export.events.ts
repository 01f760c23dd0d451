/**
 * The order flow to the ERP (issue 10): what the ledger decided to send, what it sent and what went
 * wrong. All three land in the order's stream `order-<shopKey>-<countryCode>-<orderId>`, so one
 * stream rebuilds the order's full history, export included (DESIGN §4). Schema version 1.
 *
 * Identities are deterministic (DESIGN §4): `exportId` is a UUID v5 of
 * `<orderStreamId>/<category>/<sequence>` (see {@link exportIdName}); the event ids are UUID v5 of
 * `ledger|<exportId>|OrderExportRequested`, `ledger|<exportId>|OrderExportedToErp` and
 * `ledger|<exportId>#<attempt>|ErpExportFailed`. Two schedulers deciding the same export append the
 * same event at the same expected revision, so it is stored once; an export is never created twice
 * in the ERP because the adapters read back by the ERP's external document number (= Scayle order
 * id) before any repeated attempt.
 */
import type { DecimalString } from '../shared/decimal';

/**
 * What kind of ERP document an export creates. `invoice` (BC `salesInvoices`) or `sales_order`
 * (BC `salesOrders`) for the sale, as configured; `credit_memo` (BC `salesCreditMemos`) for
 * returns, cancellations and refunded fees after export.
 */
export type ExportDocumentKind = 'invoice' | 'sales_order' | 'credit_memo';

/** `sale`: invoice or sales order; `credit`: credit memo. Sequences count per category. */
export type ExportCategory = 'sale' | 'credit';

/**
 * The Scayle state that makes an order due (configuration `LEDGER_ERP_EXPORT_TRIGGER`):
 * `order-invoiced` (default: `ScayleOrderInvoiced` exports the order, `ScayleOrderPartiallyInvoiced`
 * the items invoiced so far) or `order-confirmed` (any Scayle order fact: export at confirmation,
 * typically as a sales order).
 */
export type ExportTrigger = 'order-invoiced' | 'order-confirmed';

/** Why an export is due. */
export type ExportDueReason = 'order_invoiced' | 'order_partially_invoiced' | 'order_confirmed' | 'items_returned' | 'items_cancelled' | 'fees_refunded';

/** The ledger decided that (part of) an order is due for the ERP. The scope is fixed here; the document is mapped when it is sent. */
export interface OrderExportRequested {
  type: 'OrderExportRequested';
  data: {
    exportId: string;
    /** Scayle order id (the ERP's external document number). */
    orderId: string;
    documentKind: ExportDocumentKind;
    category: ExportCategory;
    /** 1 for the first sale (or credit) export of the order, 2 for the next… */
    sequence: number;
    /** The ledger's number of the document: `<orderId>-INV<n>`, `<orderId>-SO<n>` or `<orderId>-CR<n>`. */
    documentNumber: string;
    reason: ExportDueReason;
    /** Scayle order item ids (one per unit) the document bills or credits. */
    itemIds: string[];
    /** Keys of the fees (`cost.appliedFees[].key`) it bills or credits. */
    feeKeys: string[];
    /** For a credit: the sale exports whose items or fees it credits. */
    correctsExportIds?: string[];
    /** Id of the fact that made it due. */
    triggerEventId: string;
    /** Local date (company time zone) of that fact: the document's posting and document date. */
    postingDate: string;
    /** Ledger time of the decision (ISO-8601). */
    requestedAt: string;
  };
}

/** Where a document went. */
export type ExportTargetKind = 'business-central' | 'file' | 'http';

/** The ERP accepted the document. */
export interface OrderExportedToErp {
  type: 'OrderExportedToErp';
  data: {
    exportId: string;
    documentKind: ExportDocumentKind;
    /** The ledger's document number (as requested). */
    documentNumber: string;
    /** The ERP's number of the created document (BC `number`; the ledger's number for file/webhook exports). */
    erpDocumentNumber: string;
    /** The ERP's id of the document, where it has one (BC `id`). */
    erpDocumentId?: string;
    /** SHA-256 (hex) of the canonical JSON (sorted keys, no whitespace) of the canonical ERP document sent. */
    payloadHash: string;
    target: ExportTargetKind;
    /** Attempt that succeeded (1 = first). */
    attempt: number;
    /** True when the document was found by reading back after an attempt whose outcome was unknown. */
    readBack: boolean;
    /** Gross total of the document, decimal string in `currency`. */
    gross: DecimalString;
    currency: string;
    exportedAt: string;
  };
}

/** A mapping the export needs and does not have. */
export type MissingMapping =
  /** No ERP item number for the variant (or the unit names no variant at all). */
  | { kind: 'item'; variantReferenceKey?: string; itemIds: string[] }
  /** No ERP tax code for the shop country and VAT rate (fraction string). */
  | { kind: 'tax_code'; countryCode: string; rate: DecimalString; channelType?: string }
  /** No G/L account for a fee category (`delivery`, `payment`, …); `LEDGER_ERP_FEE_ACCOUNTS`. */
  | { kind: 'fee_account'; category: string }
  /** No G/L account for discount lines; `LEDGER_ERP_DISCOUNT_ACCOUNT`. */
  | { kind: 'discount_account' };

/**
 * - `mapping_missing`: not sent, a mapping is missing (`missing` names it); exported automatically
 *   once it exists.
 * - `rejected`: the ERP refused the document (4xx other than 408/429); not retried automatically.
 * - `unavailable`: the ERP did not accept it within the attempts (timeouts, 5xx, 429).
 */
export type ErpExportFailureReason = 'mapping_missing' | 'rejected' | 'unavailable';

/** An export attempt failed for good or is blocked (`SYNC_FAILURE`, operations). */
export interface ErpExportFailed {
  type: 'ErpExportFailed';
  data: {
    exportId: string;
    documentKind: ExportDocumentKind;
    documentNumber: string;
    reason: ErpExportFailureReason;
    /** Attempts made so far (a mapping check counts as one). */
    attempt: number;
    /** Whether repeating it may succeed (a mapping added, the ERP back). */
    retriable: boolean;
    missing?: MissingMapping[];
    /** The ERP's error code (`BadRequest_NotFound`, `http_503`, `timeout`), where there is one. */
    errorKey?: string;
    message: string;
    failedAt: string;
  };
}

export type ErpExportEvent = OrderExportRequested | OrderExportedToErp | ErpExportFailed;

export const ERP_EXPORT_EVENT_TYPES = ['OrderExportRequested', 'OrderExportedToErp', 'ErpExportFailed'] as const satisfies readonly ErpExportEvent['type'][];

/** The name hashed into an `exportId` (UUID v5 in the ledger namespace). */
export function exportIdName(orderStreamId: string, category: ExportCategory, sequence: number): string {
  return `erp-export:${orderStreamId}/${category}/${sequence}`;
}

/** The ledger's document number of an export. */
export function exportDocumentNumber(orderId: string, kind: ExportDocumentKind, sequence: number): string {
  return `${orderId}-${kind === 'credit_memo' ? 'CR' : kind === 'sales_order' ? 'SO' : 'INV'}${sequence}`;
}

/** One line for operations naming a missing mapping. */
export function describeMissing(m: MissingMapping): string {
  switch (m.kind) {
    case 'item':
      return m.variantReferenceKey
        ? `no ERP item number for variant ${m.variantReferenceKey} (PUT /v1/mappings/items)`
        : `order items ${m.itemIds.join(', ')} name no variant referenceKey`;
    case 'tax_code':
      return `no ERP tax code for ${m.countryCode} at rate ${m.rate}${m.channelType ? ` (${m.channelType})` : ''} (PUT /v1/mappings/tax-codes)`;
    case 'fee_account':
      return `no G/L account for fee category ${m.category} (LEDGER_ERP_FEE_ACCOUNTS)`;
    case 'discount_account':
      return 'no G/L account for discount lines (LEDGER_ERP_DISCOUNT_ACCOUNT)';
  }
}
