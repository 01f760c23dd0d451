import type { Request, Response, Router } from 'express';
import type { ClosePeriodHandler } from '../../../application/period/close-period.handler';
import type { GetPeriodAdjustmentsQuery } from '../../../application/period/get-period-adjustments.query';
import type { GetPeriodSnapshotsQuery } from '../../../application/period/get-period-snapshots.query';
import type { ReopenPeriodHandler } from '../../../application/period/reopen-period.handler';
import type { ReplayPeriodHandler } from '../../../application/period/replay-period.handler';
import { BlockingExceptionsError, ProjectionsLaggingError } from '../../../domain/period/period.decide';
import { periodStreamId } from '../../../domain/shared/streams';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { principalOf } from '../auth/auth.middleware';
import { guard } from '../auth/route-roles';
import { commandContext } from '../commands';
import { HttpProblem } from '../problem-details';
import { checkMinPosition, type LogHead } from '../read-your-writes';
import { queryParam, requireContentType, validateDto } from '../validation';
import { ClosePeriodDto, ReopenPeriodDto, ReplayPeriodDto } from './periods.dto';
import { closeJson, snapshotJson, snapshotsJson } from './periods.json';
import { snapshotCsv, snapshotXlsx } from './snapshot-export';

export interface PeriodsServices {
  close: ClosePeriodHandler;
  reopen: ReopenPeriodHandler;
  replay: ReplayPeriodHandler;
  snapshots: GetPeriodSnapshotsQuery;
  adjustments: GetPeriodAdjustmentsQuery;
}

/** `{period}` path parameter, checked (`YYYY-MM`). @throws DomainError 400 `invalid_period`. */
function periodParam(req: Request): string {
  const period = String(req.params.period);
  periodStreamId(period);
  return period;
}

function ctxOf(res: Response) {
  return { ...commandContext(res), role: principalOf(res).role };
}

/** A body is optional; when one is sent it must be JSON. */
const optionalJson = (req: Request, res: Response, next: (err?: unknown) => void): void => {
  const length = req.headers['content-length'];
  if ((length !== undefined && length !== '0') || req.headers['transfer-encoding']) requireContentType('application/json')(req, res, next);
  else next();
};

/** Optional JSON body: an absent body counts as `{}`. */
const bodyOf = (req: Request): unknown => (req.body === undefined || (req.rawBody?.length ?? 0) === 0 ? {} : req.body);

/**
 * Period close, reopen, snapshots, exports, adjustments and audit replay (issue 7). Domain errors
 * become problems through the shared mapper; the two that name lists (blocking exceptions, lagging
 * projections) are worded here so the lists travel as JSON arrays. The snapshot and adjustment reads
 * come from the log itself, so a `minPosition` up to the log head is always met and one beyond it is a
 * 400 (`checkMinPosition`), as on every route that takes it.
 */
export class PeriodsController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly services: PeriodsServices,
    private readonly log: LogHead,
  ) {}

  register(router: Router): void {
    const s = this.services;
    router.post('/v1/periods/:period/close', guard(this.keys, 'POST /v1/periods/{period}/close'), optionalJson, async (req, res) => {
      const period = periodParam(req);
      const dto = await validateDto(ClosePeriodDto, bodyOf(req));
      try {
        const result = await s.close.close(period, ctxOf(res), dto.override ? { reason: dto.override.reason } : undefined);
        res.status(201).setHeader('Location', `/v1/periods/${period}/snapshots/${result.snapshot.snapshotId}`).json(closeJson(result));
      } catch (err) {
        throw translate(err);
      }
    });
    router.post('/v1/periods/:period/reopen', guard(this.keys, 'POST /v1/periods/{period}/reopen'), requireContentType('application/json'), async (req, res) => {
      const period = periodParam(req);
      const dto = await validateDto(ReopenPeriodDto, req.body);
      const { reopened, position } = await s.reopen.reopen(period, dto.reason, ctxOf(res));
      res.status(200).json({ period, status: 'reopened', reopenedSnapshotId: reopened.snapshotId, reason: reopened.reason, reopenedBy: reopened.reopenedBy, reopenedAt: reopened.reopenedAt, position: String(position) });
    });
    router.get('/v1/periods/:period/snapshots', guard(this.keys, 'GET /v1/periods/{period}/snapshots'), async (req, res) => {
      await checkMinPosition(req, this.log);
      res.json(snapshotsJson(await s.snapshots.list(periodParam(req))));
    });
    router.get('/v1/periods/:period/snapshots/latest', guard(this.keys, 'GET /v1/periods/{period}/snapshots/latest'), async (req, res) => {
      await checkMinPosition(req, this.log);
      res.json(snapshotJson(await s.snapshots.get(periodParam(req))));
    });
    router.get('/v1/periods/:period/snapshots/:snapshotId', guard(this.keys, 'GET /v1/periods/{period}/snapshots/{snapshotId}'), async (req, res) => {
      await checkMinPosition(req, this.log);
      res.json(snapshotJson(await s.snapshots.get(periodParam(req), String(req.params.snapshotId))));
    });
    router.get('/v1/periods/:period/snapshots/:snapshotId/export', guard(this.keys, 'GET /v1/periods/{period}/snapshots/{snapshotId}/export'), async (req, res) => {
      const format = queryParam(req, 'format') ?? 'csv';
      if (format !== 'csv' && format !== 'xlsx') throw HttpProblem.validation([{ field: 'format', message: 'must be csv or xlsx' }]);
      await checkMinPosition(req, this.log);
      const snapshot = await s.snapshots.get(periodParam(req), String(req.params.snapshotId));
      const name = `close-snapshot-${snapshot.snapshotId}.${format}`;
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
      res.setHeader('X-Snapshot-Hash', snapshot.hash);
      res.setHeader('X-Log-Position', snapshot.closed.position);
      if (format === 'csv') res.status(200).type('text/csv; charset=utf-8').send(snapshotCsv(snapshot));
      else res.status(200).type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await snapshotXlsx(snapshot));
    });
    router.get('/v1/periods/:period/adjustments', guard(this.keys, 'GET /v1/periods/{period}/adjustments'), async (req, res) => {
      await checkMinPosition(req, this.log);
      const snapshotId = queryParam(req, 'snapshotId');
      res.json(await s.adjustments.adjustments(periodParam(req), snapshotId));
    });
    router.post('/v1/periods/:period/replay', guard(this.keys, 'POST /v1/periods/{period}/replay'), optionalJson, async (req, res) => {
      const period = periodParam(req);
      const dto = await validateDto(ReplayPeriodDto, bodyOf(req));
      const report = await s.replay.replay(period, dto.snapshotId);
      res.status(200).json(report);
    });
  }
}

/** The two refusals that carry lists. */
function translate(err: unknown): unknown {
  if (err instanceof BlockingExceptionsError) {
    return new HttpProblem(422, 'blocking-exceptions', 'Business rule violated', err.message, { code: err.code, period: err.period, exceptions: err.exceptions });
  }
  if (err instanceof ProjectionsLaggingError) {
    return new HttpProblem(409, 'projections-lagging', 'Conflict', err.message, {
      code: err.code,
      headPosition: String(err.head),
      projections: err.lagging.map((p) => ({ name: p.name, position: String(p.position) })),
    });
  }
  return err;
}
