import type { Router } from 'express';
import type { RetryIngestionFailureHandler } from '../../../application/ingest/retry-ingestion-failure.handler';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { actorOf } from '../auth/auth.middleware';
import { guard } from '../auth/route-roles';
import { HttpProblem } from '../problem-details';
import { ingestContext } from './ingest-response';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `POST /v1/ingest/failures/{failureId}/retry` (role `operations`). */
export class IngestFailuresController implements HttpRoutes {
  constructor(
    private readonly handler: RetryIngestionFailureHandler,
    private readonly apiKeys: ApiKeyRegistry,
  ) {}

  register(router: Router): void {
    router.post('/v1/ingest/failures/:failureId/retry', guard(this.apiKeys, 'POST /v1/ingest/failures/{failureId}/retry'), async (req, res) => {
      const failureId = String(req.params.failureId);
      if (!UUID.test(failureId)) throw HttpProblem.validation([{ field: 'failureId', message: 'must be a failure id (UUID)' }]);
      const result = await this.handler.retry(failureId, ingestContext(res, actorOf(res)));
      res.status(200).json({ ...result, position: String(result.position) });
    });
  }
}
