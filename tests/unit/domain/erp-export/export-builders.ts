/**
 * Builders for export facts in domain tests: the planner's requests turned into envelopes, and the
 * outcomes the export runner appends.
 */
import type { ErpExportFailed, MissingMapping, OrderExportRequested } from '../../../../src/domain/erp-export/erp-export.events';
import { planExports, type PlanSettings } from '../../../../src/domain/erp-export/erp-export.plan';
import type { OrderState } from '../../../../src/domain/order/order.state';
import { env, type Env } from '../support/builders';

export const SETTINGS: PlanSettings = { trigger: 'order-invoiced', saleDocumentKind: 'invoice', timezone: 'Europe/Berlin' };

/** Deterministic stand-in for the application's UUID v5. */
export const idOf = (name: string): string => `x:${name}`;

export function plan(state: OrderState, settings: Partial<PlanSettings> = {}, now = '2024-06-11T00:00:00Z'): OrderExportRequested['data'][] {
  return planExports(state, { ...SETTINGS, ...settings }, idOf, now);
}

export function requested(data: OrderExportRequested['data'], at = data.requestedAt): Env {
  return env(`req:${data.exportId}`, 'OrderExportRequested', data, at, 'ledger');
}

export function exported(req: OrderExportRequested['data'], erpNumber: string, at = '2024-06-11T01:00:00Z'): Env {
  return env(`done:${req.exportId}`, 'OrderExportedToErp', {
    exportId: req.exportId,
    documentKind: req.documentKind,
    documentNumber: req.documentNumber,
    erpDocumentNumber: erpNumber,
    payloadHash: 'a'.repeat(64),
    target: 'business-central',
    attempt: 1,
    readBack: false,
    gross: '1.00',
    currency: 'EUR',
    exportedAt: at,
  }, at, 'ledger');
}

export function failed(req: OrderExportRequested['data'], attempt: number, reason: ErpExportFailed['data']['reason'], missing?: MissingMapping[], at = '2024-06-11T01:00:00Z'): Env {
  const data: ErpExportFailed['data'] = {
    exportId: req.exportId,
    documentKind: req.documentKind,
    documentNumber: req.documentNumber,
    reason,
    attempt,
    retriable: reason !== 'rejected',
    message: reason === 'mapping_missing' ? 'mapping missing' : 'HTTP 503',
    failedAt: at,
  };
  if (missing) data.missing = missing;
  return env(`fail:${req.exportId}#${attempt}`, 'ErpExportFailed', data, at, 'ledger');
}
