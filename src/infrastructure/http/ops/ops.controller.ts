import type { Router } from 'express';
import type { FreshnessService } from '../../../application/freshness/freshness.service';
import type { LedgerMetrics } from '../../observability/metrics';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { HttpProblem } from '../problem-details';
import { checkMinPosition, type LogHead } from '../read-your-writes';

/**
 * `GET /v1/freshness` (per-source freshness, projection lag, STALE_SYNC) and `GET /metrics`
 * (Prometheus text format). `/metrics` is guarded like every other route — Prometheus scrapes it
 * with an `operations` (or `admin`) key as bearer token — so queue sizes and volumes are not public.
 */
export class OpsController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly freshness: FreshnessService,
    private readonly metrics: LedgerMetrics,
    private readonly log: LogHead,
  ) {}

  register(router: Router): void {
    router.get('/v1/freshness', guard(this.keys, 'GET /v1/freshness'), async (req, res) => {
      const minPosition = await checkMinPosition(req, this.log);
      res.setHeader('Cache-Control', 'no-store');
      res.json(await this.freshness.report(minPosition));
    });
    router.get('/metrics', guard(this.keys, 'GET /metrics'), async (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.type(this.metrics.registry.contentType).send(await this.metrics.text());
    });
  }
}

/**
 * Last resort for `GET /v1/exceptions` without `asOf` while no live exception queue is mounted: a
 * documented 400 naming `asOf` instead of an undocumented 404 (found by schemathesis). Mounted
 * after every other route module, so the live queue, once registered, answers first.
 */
export class ExceptionsFallbackRoutes implements HttpRoutes {
  readonly order = 10_000;

  constructor(private readonly keys: ApiKeyRegistry) {}

  register(router: Router): void {
    router.get('/v1/exceptions', guard(this.keys, 'GET /v1/exceptions'), () => {
      throw HttpProblem.validation([{ field: 'asOf', message: 'is required: this deployment answers the exception queue as of a log position or time only' }]);
    });
  }
}
