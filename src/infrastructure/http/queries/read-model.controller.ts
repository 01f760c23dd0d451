import type { Router } from 'express';
import type { ProjectionMonitor } from '../../../application/ports/projection-monitor.port';
import type { ListAnswer, ReadModelQueries } from '../../../application/read-models/read-model.queries';
import { CarriedAdjustmentsBehindError, type CarriedAdjustment, type CarriedAdjustmentsQuery } from '../../../application/period/carried-adjustments.query';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { sendJsonWithEtag } from '../etag';
import { HttpProblem } from '../problem-details';
import { cursorList, type CursorList, type ListCursors } from '../pagination';
import { awaitMinPosition, MIN_POSITION_TIMEOUT_MS } from '../read-your-writes';
import { withEtag } from '../exceptions/exception-json';
import { CURSOR, EXCEPTION_FILTERS, FINDING_CODE, LIMIT, limitOf, oneOf, PERIOD_PARAM, queryOf, RECONCILIATION_STATUSES } from './query-params';
import { PERIOD_PATTERN } from '../../../domain/shared/streams';

/** `{period}` of `GET /v1/periods/{period}` (year 0000 is refused where the period is read, `periodStreamId`). */

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
    private readonly cursors: ListCursors,
    private readonly monitor: ProjectionMonitor,
    private readonly carried?: CarriedAdjustmentsQuery,
    private readonly minPositionTimeoutMs = MIN_POSITION_TIMEOUT_MS,
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
      const list = cursorList('GET /v1/reconciliations', {}, q);
      const cursor = this.cursors.open(list, q.cursor);
      await awaitMinPosition(req, res, this.monitor, this.minPositionTimeoutMs);
      const page = await this.queries.listReconciliations({ ...q, limit: limitOf(q), ...(cursor !== undefined ? { cursor } : {}) });
      sendJsonWithEtag(req, res, this.signed(list, page));
    });

    router.get('/v1/exceptions', guard(this.keys, 'GET /v1/exceptions'), async (req, res) => {
      const q = queryOf(req, { ...EXCEPTION_FILTERS, limit: LIMIT, cursor: CURSOR });
      const list = cursorList('GET /v1/exceptions', {}, q);
      const cursor = this.cursors.open(list, q.cursor);
      await awaitMinPosition(req, res, this.monitor, this.minPositionTimeoutMs);
      const page = await this.queries.listExceptions({ ...q, limit: limitOf(q), ...(cursor !== undefined ? { cursor } : {}) });
      sendJsonWithEtag(req, res, this.signed(list, { ...page, items: page.items.map(withEtag) }));
    });

    router.get('/v1/periods/:period', guard(this.keys, 'GET /v1/periods/{period}'), async (req, res) => {
      const period = String(req.params.period);
      if (!PERIOD_PATTERN.test(period)) throw HttpProblem.validation([{ field: 'period', message: 'must be YYYY-MM' }]);
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

  /** The page with its `nextCursor` (the read-model store's keyset cursor) signed for `list`. */
  private signed<P extends ListAnswer<unknown>>(list: CursorList, page: P): P {
    return page.nextCursor === undefined ? page : { ...page, nextCursor: this.cursors.seal(list, page.nextCursor) };
  }
}
