import type { Router } from 'express';
import { parseAsOf, type AsOfQuery } from '../../../application/period/as-of.query';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { EXCEPTION_FILTERS, limitUpTo, queryOf, type ParamCheck } from '../queries/query-params';
import { checkMinPosition, type LogHead } from '../read-your-writes';

/** Most exceptions one `asOf` answer lists (it is not paged: `truncated` says when more were open). */
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

const AS_OF: ParamCheck = {
  ok: (v) => {
    try {
      parseAsOf(v);
      return true;
    } catch {
      return false;
    }
  },
  expected: 'must be a log position (digits) or an ISO-8601 instant with offset, e.g. 2024-06-30T22:00:00Z',
};

/**
 * An `asOf` answer hands out no `nextCursor`, so no cursor is one of its cursors — the same rule as
 * the live queue's ("pass nextCursor of the previous page unchanged"), whatever the cursor holds.
 */
const NO_CURSOR: ParamCheck = {
  ok: () => false,
  expected: `is not a cursor of this list: answers with asOf are not paged (they hand out no nextCursor); leave cursor out, and raise limit (up to ${MAX_LIMIT}) when truncated is true`,
};

/**
 * The `asOf` form of the exception queue (issue 7): `GET /v1/exceptions?asOf=…[&period=YYYY-MM][&limit=n]`.
 * Mounted before the live queue route of the same path: a request without `asOf` passes on to it
 * (`next('route')`), so both forms share one path and one OpenAPI operation — and one set of
 * parameter checks (`EXCEPTION_FILTERS`): `owner`, `code` and `status` filter both forms (with `asOf`,
 * `status` is the queue status at that point, and only active exceptions are listed), and a bad value
 * is the same 400 in both, as is an unknown parameter. `minPosition` is met up to
 * the log head (the answer is read from the log), beyond it a 400. (The order reconciliation's
 * `asOf` lives in `OrderReconciliationController`.)
 */
export class AsOfController implements HttpRoutes {
  readonly order = 50;

  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly asOf: AsOfQuery,
    private readonly log: LogHead,
  ) {}

  register(router: Router): void {
    router.get('/v1/exceptions', guard(this.keys, 'GET /v1/exceptions'), async (req, res, next) => {
      if (req.query.asOf === undefined) return next('route');
      const q = queryOf(req, { asOf: AS_OF, ...EXCEPTION_FILTERS, limit: limitUpTo(MAX_LIMIT), cursor: NO_CURSOR });
      await checkMinPosition(req, this.log);
      const limit = q.limit ? Number(q.limit) : DEFAULT_LIMIT;
      const filter = { ...(q.owner ? { owner: q.owner } : {}), ...(q.code ? { code: q.code } : {}), ...(q.status ? { status: q.status } : {}) };
      res.json(await this.asOf.exceptions(parseAsOf(q.asOf!), { ...(q.period ? { period: q.period } : {}), limit, filter }));
    });
  }
}
