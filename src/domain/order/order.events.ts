/**
 * The order event catalogue: every fact that lands in an order stream
 * `order-<shopKey>-<countryCode>-<orderId>` (DESIGN §4). This is a contract shared with ingestion,
 * projections and the API.
 *
 * - Events are `{ type, data }`; the envelope (`id`, `metadata` with `source`, `sourceEventId`,
 *   `occurredAt`, `recordedAt`, `schemaVersion`) is the event-store port's. The types below are the
 *   latest shapes: version 1 unless noted; older versions are upcast on read (`order.upcasters.ts`).
 * - Amounts are decimal strings in major units with a currency (the enclosing object's `currency`),
 *   rates fraction strings, times ISO-8601 UTC.
 * - Source facts keep the raw payload in `data.raw` (typed `unknown`): stored for audit, never read
 *   by the domain.
 * - The domain ignores event types it does not know (forward compatibility; see {@link isOrderEvent}).
 */
import type { ErpDocument } from '../erp/erp-document';
import type { ErpExportFailed, OrderExportedToErp, OrderExportRequested } from '../erp-export/erp-export.events';
import type { PspSettlementLine } from '../settlement/psp-settlement-line';
import type { DecimalString } from '../shared/decimal';
import type { QuantisationWarning } from '../shared/money';
import type { ScayleOrderSnapshot } from './scayle-order.snapshot';

export { orderStreamId, erpUnlinkedStreamId, settlementStreamId, periodStreamId } from '../shared/streams';
export type { ScayleOrderSnapshot } from './scayle-order.snapshot';

/** Data of every Scayle order fact: the order as Scayle reported it at that moment. */
export interface ScayleOrderFactData {
  order: ScayleOrderSnapshot;
  /** Webhook delivery `key` (absent for Admin API polls). */
  webhookKey?: string;
  /** Webhook `type` as received (`order-item-canceled`, …); absent for polls. */
  scayleEventType?: string;
  /** Item ids the fact is about (cancelled, returned, unshippable, out-of-stock items), where known. */
  itemIds?: string[];
  /** Raw payload, kept for audit; not interpreted by the domain. */
  raw?: unknown;
}

/** Scayle order fact types, one per webhook type (+ `ScayleOrderSynced` for Admin API polls). */
export const SCAYLE_ORDER_FACT_TYPES = [
  'ScayleOrderConfirmed', // order-confirmed
  'ScayleOrderDelegated', // order-delegated
  'ScayleOrderPackageShipped', // order-package-shipped
  'ScayleOrderPartiallyInvoiced', // order-partially-invoiced
  'ScayleOrderInvoiced', // order-invoiced
  'ScayleOrderCorrectiveInvoiced', // order-corrective-invoiced
  'ScayleOrderItemCancelled', // order-item-cancelled / order-item-canceled
  'ScayleOrderCancelled', // order-cancelled / order-canceled
  'ScayleOrderItemReturned', // order-item-returned
  'ScayleOrderItemUnshippable', // order-item-unshippable
  'ScayleOrderItemOutOfStock', // order-item-out-of-stock
  'ScayleOrderSynced', // Admin API poll
] as const;
export type ScayleOrderFactType = (typeof SCAYLE_ORDER_FACT_TYPES)[number];

/** Scayle order fact. */
export interface ScayleOrderFact<T extends ScayleOrderFactType = ScayleOrderFactType> {
  type: T;
  data: ScayleOrderFactData;
}

/** Scayle `payment-capture` / `payment-refund` (may arrive before the order, case C6). */
export interface ScaylePaymentData {
  orderId: string;
  shopKey?: string;
  countryCode?: string;
  transactionId: string;
  /** `transaction.operationStatus` verbatim (`successful`, `failed`, `pending`, …). */
  operationStatus: string;
  /** Positive amount captured/refunded, major units. */
  amount: DecimalString;
  currency: string;
  /** Order item ids the operation covers, where Scayle says. */
  itemIds?: string[];
  webhookKey?: string;
  raw?: unknown;
}

export interface ScaylePaymentCaptured {
  type: 'ScaylePaymentCaptured';
  data: ScaylePaymentData;
}
export interface ScaylePaymentRefunded {
  type: 'ScaylePaymentRefunded';
  data: ScaylePaymentData;
}

/** A webhook of a type the ledger does not model: stored, ignored by the rules. */
export interface ScayleWebhookReceived {
  type: 'ScayleWebhookReceived';
  data: { webhookKey: string; scayleEventType: string; raw?: unknown };
}

/**
 * An amount the ingestion had to quantise to the currency's scale (Business Central sends e.g.
 * 1245.885 EUR): `field` names it in the source record. Each is a `DATA_QUALITY_WARNING`.
 */
export type ErpQuantisedAmount = QuantisationWarning & { field: string };

/**
 * ERP facts, **schema version 2**: the canonical document (a later revision replaces earlier ones).
 * v1 had an optional `warnings` instead of `quantisedAmounts` (see `erpDocumentDataV1toV2`).
 */
export interface ErpDocumentData {
  document: ErpDocument;
  raw?: unknown;
  /** Amounts the ingestion quantised, in source order; empty when every amount was on scale. */
  quantisedAmounts: ErpQuantisedAmount[];
}
export interface ErpInvoicePosted {
  type: 'ErpInvoicePosted';
  data: ErpDocumentData;
}
export interface ErpCreditMemoPosted {
  type: 'ErpCreditMemoPosted';
  data: ErpDocumentData;
}
export interface ErpSalesOrderRecorded {
  type: 'ErpSalesOrderRecorded';
  data: ErpDocumentData;
}
export interface ErpPaymentRecorded {
  type: 'ErpPaymentRecorded';
  data: ErpDocumentData;
}

/** A PSP settlement line that names this order (also recorded in its batch stream). */
export interface PspSettlementLineRecorded {
  type: 'PspSettlementLineRecorded';
  data: { provider: string; batchId: string; line: PspSettlementLine; raw?: unknown };
}

/** Ledger command: refund requested through the REST API (amount = Σ item amounts). */
export interface RefundRequested {
  type: 'RefundRequested';
  data: {
    refundId: string;
    amount: DecimalString;
    currency: string;
    items: { orderItemId: string; amount: DecimalString }[];
    reason: string;
    requestedAt: string;
    requestedBy: string;
  };
}

/** The refund was recorded in Scayle (billing-status PATCH succeeded). */
export interface RefundRecordedInScayle {
  type: 'RefundRecordedInScayle';
  data: { refundId: string; recordedAt: string };
}

/** A ledger → Scayle dispatch failed (kept, retriable; `SYNC_FAILURE`). */
export interface ScayleDispatchFailed {
  type: 'ScayleDispatchFailed';
  data: { commandId: string; commandType: string; errorKey?: string; message: string; failedAt: string; retriable: boolean };
}

/**
 * Ledger command: line items corrected after a partial cancellation or a wrong price. From then on
 * the corrected values replace Scayle's for those items in every comparison.
 */
export interface LineItemsCorrected {
  type: 'LineItemsCorrected';
  data: {
    correctionId: string;
    reason: string;
    items: { orderItemId: string; gross: DecimalString; net: DecimalString; tax: DecimalString; taxRate: DecimalString; taxCode?: string }[];
    correctedAt: string;
    correctedBy?: string;
  };
}

/** Every event the order domain understands. */
export type OrderEvent =
  | ScayleOrderFact
  | ScaylePaymentCaptured
  | ScaylePaymentRefunded
  | ScayleWebhookReceived
  | ErpInvoicePosted
  | ErpCreditMemoPosted
  | ErpSalesOrderRecorded
  | ErpPaymentRecorded
  | PspSettlementLineRecorded
  | RefundRequested
  | RefundRecordedInScayle
  | ScayleDispatchFailed
  | LineItemsCorrected
  | OrderExportRequested
  | OrderExportedToErp
  | ErpExportFailed;

/** Every `OrderEvent` type name. */
export const ORDER_EVENT_TYPES = [
  ...SCAYLE_ORDER_FACT_TYPES,
  'ScaylePaymentCaptured',
  'ScaylePaymentRefunded',
  'ScayleWebhookReceived',
  'ErpInvoicePosted',
  'ErpCreditMemoPosted',
  'ErpSalesOrderRecorded',
  'ErpPaymentRecorded',
  'PspSettlementLineRecorded',
  'RefundRequested',
  'RefundRecordedInScayle',
  'ScayleDispatchFailed',
  'LineItemsCorrected',
  'OrderExportRequested',
  'OrderExportedToErp',
  'ErpExportFailed',
] as const satisfies readonly OrderEvent['type'][];

export type OrderEventType = OrderEvent['type'];

/** ERP event type for each document type. */
export const ERP_EVENT_TYPE_BY_DOCUMENT = {
  invoice: 'ErpInvoicePosted',
  credit_memo: 'ErpCreditMemoPosted',
  sales_order: 'ErpSalesOrderRecorded',
  payment: 'ErpPaymentRecorded',
} as const;

const TYPE_SET: ReadonlySet<string> = new Set(ORDER_EVENT_TYPES);

/**
 * Whether `event` has a type of the catalogue (shape is trusted: ingestion validates data). Events of
 * other types (added by other layers, e.g. exception decisions) are ignored by `evolve`.
 */
export function isOrderEvent(event: { type: string }): event is OrderEvent {
  return TYPE_SET.has(event.type);
}

/** Whether `event` is a Scayle order fact carrying a snapshot. */
export function isScayleOrderFact(event: { type: string }): event is ScayleOrderFact {
  return (SCAYLE_ORDER_FACT_TYPES as readonly string[]).includes(event.type);
}

/**
 * An order event with the envelope fields the domain reads: `id` (tie-breaker and evidence),
 * `metadata.occurredAt` (source time, orders facts). `RecordedEvent` of the event-store port fits.
 */
export type OrderEventEnvelope<E extends { type: string; data: unknown } = OrderEvent> = E & {
  id: string;
  metadata: { occurredAt: string; source?: string; recordedAt?: string; [key: string]: unknown };
};
