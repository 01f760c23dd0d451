/**
 * The export state of one order, derived from its {@link OrderState} (the keyed export facts folded
 * by `evolve`), so it inherits the state's independence of arrival order and duplicates.
 */
import type { Fact, OrderState, ScayleOrderFactRecord } from '../order/order.state';
import type { ErpExportFailed, ExportCategory, ExportDueReason, MissingMapping, OrderExportedToErp, OrderExportRequested } from './erp-export.events';

/** The units a sale export is due for now, and the fact that made them due (see `saleDue`). */
export interface SaleDue {
  itemIds: string[];
  reason: ExportDueReason;
  trigger: Fact<ScayleOrderFactRecord>;
}

/**
 * Status of one export as the log tells it:
 * - `pending`: requested, not (yet) accepted by the ERP and not failed for good;
 * - `blocked`: the last attempt found a mapping missing (exported once the mapping exists);
 * - `failed`: the ERP refused it, or did not accept it within the attempts;
 * - `exported`: the ERP accepted it (`OrderExportedToErp`).
 */
export type ExportStatus = 'pending' | 'blocked' | 'failed' | 'exported';

/** One export with its outcome. */
export interface ExportRecord {
  exportId: string;
  category: ExportCategory;
  sequence: number;
  status: ExportStatus;
  request: Fact<OrderExportRequested['data']>;
  done?: Fact<OrderExportedToErp['data']>;
  /** Failures in source-time order; the last one decides `blocked`/`failed` until the export succeeds. */
  failures: Fact<ErpExportFailed['data']>[];
}

const byTime = <T>(a: Fact<T>, b: Fact<T>): number => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/** Every requested export of the order, sales first, then credits, each by sequence. */
export function exportRecords(state: OrderState): ExportRecord[] {
  const failures = new Map<string, Fact<ErpExportFailed['data']>[]>();
  for (const f of Object.values(state.exportFailures)) failures.set(f.data.exportId, [...(failures.get(f.data.exportId) ?? []), f]);
  return Object.values(state.exportRequests)
    .map((request) => {
      const done = state.exportsDone[request.data.exportId];
      const fails = (failures.get(request.data.exportId) ?? []).sort(byTime);
      const last = fails[fails.length - 1];
      const status: ExportStatus = done ? 'exported' : !last ? 'pending' : last.data.reason === 'mapping_missing' ? 'blocked' : 'failed';
      const record: ExportRecord = { exportId: request.data.exportId, category: request.data.category, sequence: request.data.sequence, status, request, failures: fails };
      if (done) record.done = done;
      return record;
    })
    .sort((a, b) => (a.category === b.category ? a.sequence - b.sequence : a.category === 'sale' ? -1 : 1));
}

/** What the order view and `GET /v1/orders/{orderId}/reconciliation` show of one export. */
export interface ExportSummaryEntry {
  exportId: string;
  documentKind: OrderExportRequested['data']['documentKind'];
  documentNumber: string;
  sequence: number;
  status: ExportStatus;
  itemIds: string[];
  feeKeys: string[];
  postingDate: string;
  requestedAt: string;
  erpDocumentNumber?: string;
  payloadHash?: string;
  exportedAt?: string;
  /** Of the last failure while not exported. */
  failureReason?: ErpExportFailed['data']['reason'];
  missing?: MissingMapping[];
  lastError?: string;
}

/**
 * The order's export state as a whole:
 * - `not_due`: the order has not reached the export trigger yet;
 * - `not_requested`: it is due but the ledger has not requested an export (no export scheduler ran);
 * - otherwise the worst status over its exports: `failed` > `blocked` > `pending` > `exported`.
 */
export type OrderExportStatus = 'not_due' | 'not_requested' | ExportStatus;

export interface OrderExportSummary {
  status: OrderExportStatus;
  exports: ExportSummaryEntry[];
}

const RANK: Record<ExportStatus, number> = { exported: 0, pending: 1, blocked: 2, failed: 3 };

/** The summary of `records`; `due` says whether the order has reached its export trigger. */
export function exportSummary(records: readonly ExportRecord[], due: boolean): OrderExportSummary {
  const exports = records.map((r): ExportSummaryEntry => {
    const d = r.request.data;
    const e: ExportSummaryEntry = {
      exportId: r.exportId,
      documentKind: d.documentKind,
      documentNumber: d.documentNumber,
      sequence: d.sequence,
      status: r.status,
      itemIds: d.itemIds,
      feeKeys: d.feeKeys,
      postingDate: d.postingDate,
      requestedAt: d.requestedAt,
    };
    if (r.done) Object.assign(e, { erpDocumentNumber: r.done.data.erpDocumentNumber, payloadHash: r.done.data.payloadHash, exportedAt: r.done.data.exportedAt });
    const last = r.failures[r.failures.length - 1];
    if (!r.done && last) {
      e.failureReason = last.data.reason;
      e.lastError = last.data.message;
      if (last.data.missing) e.missing = last.data.missing;
    }
    return e;
  });
  if (exports.length === 0) return { status: due ? 'not_requested' : 'not_due', exports };
  const worst = exports.reduce<ExportStatus>((w, e) => (RANK[e.status] > RANK[w] ? e.status : w), 'exported');
  return { status: worst, exports };
}
