import type { Request, Router } from 'express';
import type { ProjectionMonitor } from '../../../application/ports/projection-monitor.port';
import type { ReadModelQueries } from '../../../application/read-models/read-model.queries';
import { CarriedAdjustmentsBehindError, type CarriedAdjustment, type CarriedAdjustmentsQuery } from '../../../application/period/carried-adjustments.query';
import { FINDING_CODE_LIST } from '../../../domain/shared/findings';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { sendJsonWithEtag } from '../etag';
import { CURSOR_MESSAGE, CURSOR_PATTERN, PAGE } from '../pagination';
import { HttpProblem } from '../problem-details';
import { awaitMinPosition } from '../read-your-writes';
import { withEtag } from '../exceptions/exception-json';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const RECONCILIATION_STATUSES = ['matched', 'matched_with_rounding', 'pending', 'drift'];
const EXCEPTION_STATUSES = ['open', 'acknowledged', 'assigned', 'resolved', 'written_off', 'auto_resolved'];
const OWNERS = ['finance', 'operations', 'cx'];

/** A query parameter's check and what it expects (the message when the check fails). */
interface ParamCheck {
  ok: (v: string) => boolean;
  expected: string;
}

/** Reads the allowed query parameters, 400 naming every bad or unknown one and what it expects. */
function queryOf(req: Request, allowed: Record<string, ParamCheck>): Record<string, string> {
  const out: Record<string, string> = {};
  const errors: { field: string; message: string }[] = [];
  for (const [key, value] of Object.entries(req.query)) {
    if (key === 'minPosition') continue;
    const check = allowed[key];
    if (!check) errors.push({ field: key, message: 'is not a parameter of this query' });
    else if (typeof value !== 'string') errors.push({ field: key, message: 'must be given once' });
    else if (!check.ok(value)) errors.push({ field: key, message: check.expected });
    else out[key] = value;
  }
  if (errors.length > 0) throw HttpProblem.validation(errors);
  return out;
}

const oneOf = (values: readonly string[]): ParamCheck => ({ ok: (v) => values.includes(v), expected: `must be one of ${values.join(', ')}` });
const PERIOD_PARAM: ParamCheck = { ok: (v) => PERIOD.test(v), expected: 'must be YYYY-MM' };
const LIMIT: ParamCheck = { ok: (v) => /^[1-9]\d{0,3}$/.test(v) && Number(v) <= PAGE.max, expected: `must be a whole number from 1 to ${PAGE.max}` };
const CURSOR: ParamCheck = { ok: (v) => CURSOR_PATTERN.test(v), expected: CURSOR_MESSAGE };
const FINDING_CODE: ParamCheck = { ok: (v) => (FINDING_CODE_LIST as readonly string[]).includes(v), expected: 'must be a finding code such as AMOUNT_MISMATCH' };
const limitOf = (q: Record<string, string>) => (q.limit ? Number(q.limit) : PAGE.default);

/**
 * The read-model queries (issue 5): `GET /v1/reconciliations`, the live `GET /v1/exceptions` (the
 * `asOf` form is the periods controller's, mounted first), `GET /v1/periods/{period}` (with the
 * post-close adjustments of the closed months before it, `CarriedAdjustmentsQuery`). Every one
 * takes `minPosition` (read-your-writes: waits until the projections reached it, else 503) and
 * answers with a weak ETag.
 */
export class ReadModelController implements HttpRoutes {
  readonly order = 200;

  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly queries: ReadModelQueries,
    private readonly monitor: ProjectionMonitor,
    private readonly carried?: CarriedAdjustmentsQuery,
    private readonly minPositionTimeoutMs = 5_000,
  ) {}

  register(router: Router): void {
    router.get('/v1/reconciliations', guard(this.keys, 'GET /v1/reconciliations'), async (req, res) => {
      const q = queryOf(req, {
        period: PERIOD_PARAM,
        status: oneOf(RECONCILIATION_STATUSES),
        code: FINDING_CODE,
        limit: LIMIT,
        cursor: CURSOR,
      });
      await awaitMinPosition(req, res, this.monitor, this.minPositionTimeoutMs);
      const page = await this.queries.listReconciliations({ ...q, limit: limitOf(q) });
      sendJsonWithEtag(req, res, page);
    });

    router.get('/v1/exceptions', guard(this.keys, 'GET /v1/exceptions'), async (req, res) => {
      const q = queryOf(req, {
        owner: oneOf(OWNERS),
        code: FINDING_CODE,
        status: oneOf(EXCEPTION_STATUSES),
        period: PERIOD_PARAM,
        limit: LIMIT,
        cursor: CURSOR,
      });
      await awaitMinPosition(req, res, this.monitor, this.minPositionTimeoutMs);
      const page = await this.queries.listExceptions({ ...q, limit: limitOf(q) });
      sendJsonWithEtag(req, res, { ...page, items: page.items.map(withEtag) });
    });

    router.get('/v1/periods/:period', guard(this.keys, 'GET /v1/periods/{period}'), async (req, res) => {
      const period = String(req.params.period);
      if (!PERIOD.test(period)) throw HttpProblem.validation([{ field: 'period', message: 'must be YYYY-MM' }]);
      queryOf(req, {});
      await awaitMinPosition(req, res, this.monitor, this.minPositionTimeoutMs);
      let postCloseAdjustments: CarriedAdjustment[] = [];
      try {
        postCloseAdjustments = (await this.carried?.into(period)) ?? [];
      } catch (err) {
        if (!(err instanceof CarriedAdjustmentsBehindError)) throw err;
        res.setHeader('Retry-After', '1');
        throw new HttpProblem(503, 'read-model-behind', 'Read models have not reached a close yet', `${err.message}; retry shortly.`, { minPosition: String(err.position) });
      }
      sendJsonWithEtag(req, res, { ...(await this.queries.periodSummary(period)), postCloseAdjustments });
    });
  }
}
