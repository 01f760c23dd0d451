import type { Request, Router } from 'express';
import type { DismissIngestionFailureHandler } from '../../../application/ingest/dismiss-ingestion-failure.handler';
import type { RetryIngestionFailureHandler } from '../../../application/ingest/retry-ingestion-failure.handler';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { actorOf } from '../auth/auth.middleware';
import { guard } from '../auth/route-roles';
import { commandContext } from '../commands';
import { HttpProblem } from '../problem-details';
import { requireContentType, validateDto } from '../validation';
import { DismissFailureDto } from './ingest-failures.dto';
import { ingestContext } from './ingest-response';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `{failureId}` of the path: a UUID in either case (RFC 9562 compares them case-insensitively; the
 * spec says `format: uuid`), read as the lower-case form the ledger writes in stream names.
 * @throws HttpProblem 400 naming `failureId` for anything else.
 */
function failureIdOf(req: Request): string {
  const failureId = String(req.params.failureId);
  if (!UUID.test(failureId)) throw HttpProblem.validation([{ field: 'failureId', message: 'must be a failure id (UUID)' }]);
  return failureId.toLowerCase();
}

/**
 * `POST /v1/ingest/failures/{failureId}/retry` and `…/dismiss` (role `operations`). Failed records
 * are listed in the exception queue (`GET /v1/exceptions?owner=operations&code=SYNC_FAILURE`, each
 * with `failure.failureId`), so there is no second list of them.
 */
export class IngestFailuresController implements HttpRoutes {
  constructor(
    private readonly handler: RetryIngestionFailureHandler,
    private readonly apiKeys: ApiKeyRegistry,
    private readonly dismissal: DismissIngestionFailureHandler,
  ) {}

  register(router: Router): void {
    router.post('/v1/ingest/failures/:failureId/retry', guard(this.apiKeys, 'POST /v1/ingest/failures/{failureId}/retry'), async (req, res) => {
      const result = await this.handler.retry(failureIdOf(req), ingestContext(res, actorOf(res)));
      res.status(200).json({ ...result, position: String(result.position) });
    });
    router.post('/v1/ingest/failures/:failureId/dismiss', guard(this.apiKeys, 'POST /v1/ingest/failures/{failureId}/dismiss'), requireContentType('application/json'), async (req, res) => {
      const failureId = failureIdOf(req);
      const dto = await validateDto(DismissFailureDto, req.body);
      const result = await this.dismissal.dismiss(failureId, dto.reason, commandContext(res));
      res.status(200).json({ ...result, status: 'dismissed', position: String(result.position) });
    });
  }
}
