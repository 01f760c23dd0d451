import type { Router } from 'express';
import { parseAsOf, type AsOfQuery } from '../../../application/period/as-of.query';
import { periodStreamId } from '../../../domain/shared/streams';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { HttpProblem } from '../problem-details';

const MAX_LIMIT = 1000;

/**
 * The `asOf` form of the exception queue (issue 7): `GET /v1/exceptions?asOf=…[&period=YYYY-MM][&limit=n]`.
 * Mounted before the live queue route of the same path: a request without `asOf` passes on to it
 * (`next('route')`), so both forms share one path and one OpenAPI operation. (The order
 * reconciliation's `asOf` lives in `OrderReconciliationController`.)
 */
export class AsOfController implements HttpRoutes {
  readonly order = 50;

  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly asOf: AsOfQuery,
  ) {}

  register(router: Router): void {
    router.get('/v1/exceptions', guard(this.keys, 'GET /v1/exceptions'), async (req, res, next) => {
      if (req.query.asOf === undefined) return next('route');
      const period = req.query.period === undefined ? undefined : String(req.query.period);
      if (period !== undefined) periodStreamId(period);
      const limitText = req.query.limit === undefined ? '100' : String(req.query.limit);
      if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) throw HttpProblem.validation([{ field: 'limit', message: `must be an integer 1–${MAX_LIMIT}` }]);
      res.json(await this.asOf.exceptions(parseAsOf(String(req.query.asOf)), { ...(period ? { period } : {}), limit: Number(limitText) }));
    });
  }
}
