/**
 * The ERP, as the export flow sees it (issue 10): it takes canonical ERP documents (DESIGN §9) and
 * answers with the number it gave them. Adapters (`src/infrastructure/erp/`):
 * - **Business Central API v2.0**: `salesInvoices` / `salesOrders` / `salesCreditMemos` created with
 *   their lines in one request (deep insert), `externalDocumentNumber` = Scayle order id, OAuth2
 *   client-credentials bearer token; read back by `externalDocumentNumber` before any repeated
 *   attempt, so a document is never created twice;
 * - **NDJSON** of the canonical document to a directory (`file:<dir>`) or POSTed to an HTTP endpoint
 *   (`http:<url>`), for ERPs without an adapter.
 * - none configured: every call is refused and exports stay pending (never faked as sent).
 */
import type { ErpDocument } from '../../domain/erp/erp-document';
import type { ExportTargetKind } from '../../domain/erp-export/erp-export.events';

/** Where exports go (`LEDGER_ERP_EXPORT_TARGET`). */
export type ErpTarget = 'none' | ExportTargetKind;

/** One document to create. */
export interface ErpExportCall {
  exportId: string;
  document: ErpDocument;
  /**
   * Canonical JSON of `document` (keys sorted, no whitespace): the NDJSON line, and what
   * `OrderExportedToErp.payloadHash` hashes.
   */
  canonical: string;
  /**
   * An earlier attempt may have reached the ERP (it timed out, or the process stopped mid-call):
   * the adapter looks for the document before creating it.
   */
  mayExist: boolean;
  /** ERP numbers of the order's documents of this kind the ledger already recorded (a read-back skips them). */
  knownErpNumbers: readonly string[];
}

/** What the ERP answered for a created (or found) document. */
export interface ErpExportReceipt {
  erpDocumentNumber: string;
  erpDocumentId?: string;
  /** True when the document was found by a read-back rather than created by this call. */
  readBack: boolean;
}

/** Whether a failed call may succeed when repeated: no answer (0), 408, 429, 5xx. */
export const isRetriableErpStatus = (status: number): boolean => status === 0 || status === 408 || status === 429 || status >= 500;

/**
 * A failed export call: an error answer, or none at all (`status` 0: timeout `timeout`, network
 * `network_error`, local I/O `io_error`). `retriable` says whether repeating may succeed;
 * `retryAfterMs` is what the ERP asked for (`Retry-After` on 429/503).
 */
export class ErpGatewayError extends Error {
  override readonly name = 'ErpGatewayError';
  constructor(
    readonly status: number,
    readonly errorKey: string,
    message: string,
    readonly retriable: boolean = isRetriableErpStatus(status),
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** The ERP throttles us (429): pause every export, never give one up for it. */
  get rateLimited(): boolean {
    return this.status === 429;
  }
}

export type ErpExportResult = { ok: true; receipt: ErpExportReceipt } | { ok: false; error: ErpGatewayError };

export interface ErpCallOptions {
  /** Cancels outstanding calls (service shutdown). */
  signal?: AbortSignal;
}

export interface ErpGateway {
  readonly target: ErpTarget;
  /** False when no target is configured: nothing is sent, exports stay pending. */
  readonly configured: boolean;
  /**
   * Creates the documents, in order, one result per call (a failed document never throws). After a
   * rate-limit answer the adapter does not call the ERP for the rest of the batch and answers them
   * with the same 429 error.
   */
  exportDocuments(calls: readonly ErpExportCall[], options?: ErpCallOptions): Promise<ErpExportResult[]>;
}
