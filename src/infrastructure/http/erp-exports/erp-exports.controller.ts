import type { Router } from 'express';
import type { ErpExportScheduler, RunSummary } from '../../../application/erp-export/erp-export.scheduler';
import type { ErpExportEntry, ErpExportStore } from '../../../application/ports/erp-export-store.port';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { actorOf } from '../auth/auth.middleware';
import { guard } from '../auth/route-roles';
import { sendJsonWithEtag } from '../etag';
import { cursorList, type ListCursors, PAGE, POSITION_MAX } from '../pagination';
import { HttpProblem } from '../problem-details';
import { validateDto, validateQuery } from '../validation';
import { ErpExportsQueryDto, RunErpExportsDto } from './erp-exports.dto';

/** JSON of one export entry (positions as decimal strings). */
export function erpExportJson(e: ErpExportEntry) {
  return {
    exportId: e.exportId,
    orderId: e.orderId,
    documentKind: e.documentKind,
    category: e.category,
    sequence: e.sequence,
    documentNumber: e.documentNumber,
    postingDate: e.postingDate,
    period: e.period,
    status: e.status,
    attempts: e.attempts,
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
    ...(e.missing !== undefined ? { missing: e.missing } : {}),
    ...(e.lastError !== undefined ? { lastError: e.lastError } : {}),
    ...(e.nextAttemptAt !== undefined ? { nextAttemptAt: e.nextAttemptAt } : {}),
    ...(e.erpDocumentNumber !== undefined ? { erpDocumentNumber: e.erpDocumentNumber } : {}),
    ...(e.payloadHash !== undefined ? { payloadHash: e.payloadHash } : {}),
    ...(e.exportedAt !== undefined ? { exportedAt: e.exportedAt } : {}),
    requestedAt: e.requestedAt,
    updatedAt: e.updatedAt,
    position: String(e.position),
  };
}

/** JSON of a run summary. */
export function runJson(r: RunSummary) {
  return { ...r };
}

/**
 * `GET /v1/erp/exports`: every export the ledger requested, with status and outcome, in log order;
 * `POST /v1/erp/exports/run`: plan and send everything due now (operations).
 */
export class ErpExportsController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly store: ErpExportStore,
    private readonly scheduler: ErpExportScheduler,
    private readonly cursors: ListCursors,
  ) {}

  register(router: Router): void {
    router.get('/v1/erp/exports', guard(this.keys, 'GET /v1/erp/exports'), async (req, res) => {
      const query = await validateQuery(ErpExportsQueryDto, req);
      const list = cursorList('GET /v1/erp/exports', {}, query);
      const after = this.cursors.decode(list, query.cursor, { after: POSITION_MAX });
      const limit = query.limit ? Math.min(Number(query.limit), PAGE.max) : PAGE.default;
      const [page, counts] = await Promise.all([
        this.store.list({
          limit,
          ...(query.status ? { status: query.status } : {}),
          ...(query.period ? { period: query.period } : {}),
          ...(query.orderId ? { orderId: query.orderId } : {}),
          ...(after ? { after: after.after } : {}),
        }),
        this.store.counts(),
      ]);
      const last = this.scheduler.lastRun;
      sendJsonWithEtag(req, res, {
        export: {
          target: this.scheduler.target,
          sending: this.scheduler.sending,
          intervalMs: this.scheduler.options.intervalMs,
          ...(last ? { lastRun: runJson(last) } : {}),
        },
        counts,
        items: page.entries.map(erpExportJson),
        ...(page.nextAfter !== undefined ? { nextCursor: this.cursors.encode(list, { after: page.nextAfter }) } : {}),
      });
    });

    router.post('/v1/erp/exports/run', guard(this.keys, 'POST /v1/erp/exports/run'), async (req, res) => {
      const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
      if (hasBody && !req.is(['application/json', 'application/*+json'])) {
        throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json (or no body).', { errors: [{ field: 'Content-Type', message: 'must be application/json' }] });
      }
      const dto = await validateDto(RunErpExportsDto, req.body === undefined ? {} : req.body);
      req.log?.info({ actor: actorOf(res), retryFailed: dto.retry_failed === true }, 'ERP export run requested');
      const summary = await this.scheduler.run({ retryFailed: dto.retry_failed === true, correlationId: res.locals.correlationId as string });
      res.status(200).json(runJson(summary));
    });
  }
}
