import { Router } from 'express';
import type { HealthCheck } from '../di/tokens';
import { HttpProblem } from './problem-details';
import { refuseUndeclaredQueryParameters } from './query-parameters';
import { queryParam } from './validation';

/**
 * `GET /v1/health`: liveness (the process answers) and readiness (each store answers), naming the
 * adapter in use. 200 when every check passes, 503 otherwise.
 *
 * `?probe=live` is the liveness probe: 200 whenever the process answers HTTP, without asking the
 * stores (an orchestrator must not restart the service because a database is away). `?probe=ready`
 * (the default) asks every store. Any other query parameter is a 400 naming it, as on every route
 * (`refuseUndeclaredQueryParameters`).
 */
export function healthRouter(checks: readonly HealthCheck[], version: string): Router {
  const router = Router();
  router.get('/v1/health', refuseUndeclaredQueryParameters('GET /v1/health'), async (req, res, next) => {
    const probe = queryParam(req, 'probe');
    if (probe !== undefined && probe !== 'live' && probe !== 'ready') {
      next(HttpProblem.validation([{ field: 'probe', message: 'must be live or ready' }]));
      return;
    }
    if (probe === 'live') {
      res.status(200).json({ status: 'ok', live: true, ready: null, version, checks: [] });
      return;
    }
    const results = await Promise.all(
      checks.map(async (c) => {
        const started = process.hrtime.bigint();
        const outcome = await c.check().catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) }));
        const latencyMs = Number((process.hrtime.bigint() - started) / 1000n) / 1000;
        return { name: c.name, kind: c.kind, ok: outcome.ok, latencyMs, ...(outcome.detail ? { detail: outcome.detail } : {}) };
      }),
    );
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', live: true, ready, version, checks: results });
  });
  return router;
}
