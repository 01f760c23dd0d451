/**
 * Upcasters of the order event catalogue (see `event-schema/upcaster-registry.ts`). Each entry
 * documents what changed, when, and why.
 */
import type { Upcaster } from '../event-schema/upcaster-registry';
import type { ErpDocumentData, ErpQuantisedAmount } from './order.events';

/** `ErpDocumentData` as stored at schema version 1. */
export interface ErpDocumentDataV1 {
  document: ErpDocumentData['document'];
  raw?: unknown;
  /** Added after the first release, optional and left out when empty; never read by the rules. */
  warnings?: ErpQuantisedAmount[];
}

/**
 * ERP document facts v1 → v2. Version 1 carried the amounts the ingestion had quantised (Business
 * Central's `1245.885` EUR booked as `1245.89`) in an optional `warnings` list that the first
 * events did not have at all, and that the rules never read — so a sub-cent amount BC sent was
 * quantised silently, with no `DATA_QUALITY_WARNING`. Version 2 names the list for what it is,
 * `quantisedAmounts`, and makes it explicit: always present, empty when every amount was on scale.
 * A v1 event without the list had nothing quantised at ingestion (canonical documents keep their
 * sub-cent amounts and the rules quantise and report them when comparing).
 */
export const erpDocumentDataV1toV2: Upcaster = (data) => {
  const { warnings, ...rest } = data as ErpDocumentDataV1;
  return { ...rest, quantisedAmounts: warnings ?? [] } satisfies ErpDocumentData;
};

/** Upcaster chains of the order events, by type (index i raises version i + 1). */
export const ORDER_UPCASTERS: Readonly<Record<string, readonly Upcaster[]>> = {
  ErpInvoicePosted: [erpDocumentDataV1toV2],
  ErpCreditMemoPosted: [erpDocumentDataV1toV2],
  ErpSalesOrderRecorded: [erpDocumentDataV1toV2],
  ErpPaymentRecorded: [erpDocumentDataV1toV2],
};
