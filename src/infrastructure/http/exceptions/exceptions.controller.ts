import type { Request, Response, Router } from 'express';
import { ExceptionViewBehindError, NotYourQueueError, type DecideExceptionHandler, type ExceptionDecision } from '../../../application/exception/decide-exception.handler';
import type { ReadModelQueries } from '../../../application/read-models/read-model.queries';
import type { DeciderRole } from '../../../domain/exception/exception.decide';
import { DomainError } from '../../../domain/shared/errors';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { principalOf } from '../auth/auth.middleware';
import { guard, type GuardedRoute } from '../auth/route-roles';
import { commandContext, runCommand } from '../commands';
import { parseEtagList, sendJsonWithEtag } from '../etag';
import { HttpProblem } from '../problem-details';
import { awaitMinPosition, MIN_POSITION_TIMEOUT_MS, type PositionWaiter } from '../read-your-writes';
import { optionalBody, optionalJsonBody, requireContentType, validateDto } from '../validation';
import { EXCEPTION_ETAG_PREFIX, withEtag } from './exception-json';
import { AcknowledgeExceptionDto, AssignExceptionDto, ReopenExceptionDto, ResolveExceptionDto } from './exceptions.dto';

const PREFIX = EXCEPTION_ETAG_PREFIX;

/**
 * `{exceptionId}` of the path. Exception ids contain `/` (`order-msde-DE-901/AMOUNT_MISMATCH/items/gross`),
 * so clients percent-encode them (`%2F`); express decodes the parameter. An id no exception can have
 * (over 1000 characters, control characters) is an unknown exception like any other: 404, before any
 * body or header is looked at, so the answer does not depend on what else the request got wrong.
 * @throws DomainError `not_found`/`exception_not_found`.
 */
function exceptionIdOf(req: Request): string {
  const id = String(req.params.exceptionId);
  if (id.length > 1000 || /[\u0000-\u001f\u007f]/.test(id)) throw new DomainError('not_found', 'exception_not_found', 'No such exception: exception ids have at most 1000 characters and no control characters', 'exceptionId');
  return id;
}

/**
 * `If-Match` of a decision: required (428 without), `*` for "whatever is current", else the
 * exception versions named by strong `"x…"` tags (a weak or foreign tag never matches: 412).
 */
function ifMatchOf(req: Request): 'any' | string[] {
  const tags = parseEtagList(req.header('if-match'));
  if (tags === undefined) {
    throw new HttpProblem(
      428,
      'precondition-required',
      'Precondition required',
      'Send If-Match with the ETag of the exception as you read it (GET /v1/exceptions/{exceptionId}, or `etag` of its item in GET /v1/exceptions); If-Match: * decides on whatever state is current.',
      { errors: [{ field: 'If-Match', message: 'is required' }] },
    );
  }
  if (tags === '*') return 'any';
  if (tags.length === 0) throw HttpProblem.validation([{ field: 'If-Match', message: 'must be an ETag of the exception, e.g. "x1234-AbCdEfGhIjKl"' }], 'If-Match names no ETag.');
  return tags.flatMap((t) => {
    const m = new RegExp(`^"${PREFIX}(.+)"$`).exec(t);
    return m ? [m[1]!] : [];
  });
}

/** Role rules that depend on the exception: its owner queue, and write-offs (403, not 422: the same request is allowed to another role). */
function translate(err: unknown): unknown {
  if (err instanceof NotYourQueueError) {
    return new HttpProblem(403, 'not-your-queue', 'Forbidden', `${err.message}.`, { owner: err.owner, requiredRoles: ['admin', err.owner] });
  }
  if (err instanceof DomainError && err.code === 'write_off_needs_finance') {
    return new HttpProblem(403, 'write-off-needs-finance', 'Forbidden', 'Only the finance role (or admin) may write an exception off.', { code: err.code, requiredRoles: ['admin', 'finance'], errors: [{ field: 'resolution', message: err.message }] });
  }
  return err;
}

const ACTIONS = {
  acknowledge: { route: 'POST /v1/exceptions/{exceptionId}/acknowledge', optional: true },
  assign: { route: 'POST /v1/exceptions/{exceptionId}/assign', optional: false },
  resolve: { route: 'POST /v1/exceptions/{exceptionId}/resolve', optional: false },
  reopen: { route: 'POST /v1/exceptions/{exceptionId}/reopen', optional: false },
} as const satisfies Record<ExceptionDecision['type'], { route: GuardedRoute; optional: boolean }>;

/**
 * One exception, `GET /v1/exceptions/{exceptionId}`, and the decisions on it (issue 6):
 * `POST /v1/exceptions/{exceptionId}/acknowledge | assign | resolve | reopen`, each with a required
 * `If-Match`. `finance`, `operations` and `cx` decide the exceptions of their own queue, `admin` all;
 * a write-off needs `finance` or `admin`.
 */
export class ExceptionsController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly handler: DecideExceptionHandler,
    private readonly queries: ReadModelQueries,
    private readonly waiter: PositionWaiter,
    private readonly minPositionTimeoutMs = MIN_POSITION_TIMEOUT_MS,
  ) {}

  register(router: Router): void {
    router.get('/v1/exceptions/:exceptionId', guard(this.keys, 'GET /v1/exceptions/{exceptionId}'), async (req, res) => {
      const id = exceptionIdOf(req);
      await awaitMinPosition(req, res, this.waiter, this.minPositionTimeoutMs);
      const doc = await this.queries.exceptionView(id);
      if (!doc) throw new DomainError('not_found', 'exception_not_found', `No exception ${id}`, 'exceptionId');
      const body = withEtag(doc);
      sendJsonWithEtag(req, res, body, body.etag);
    });
    for (const [action, { route, optional }] of Object.entries(ACTIONS) as [ExceptionDecision['type'], (typeof ACTIONS)[keyof typeof ACTIONS]][]) {
      router.post(`/v1/exceptions/:exceptionId/${action}`, guard(this.keys, route), optional ? optionalJsonBody : requireContentType('application/json'), (req, res) => this.decide(req, res, action));
    }
  }

  private async decide(req: Request, res: Response, action: ExceptionDecision['type']): Promise<void> {
    const exceptionId = exceptionIdOf(req);
    const decision = await decisionOf(action, req);
    const ifMatch = ifMatchOf(req);
    const role = principalOf(res).role as DeciderRole;
    let result;
    try {
      result = await runCommand(() => this.handler.handle({ exceptionId, decision, role, ifMatch }, commandContext(res)), { etagPrefix: PREFIX });
    } catch (err) {
      if (err instanceof ExceptionViewBehindError) {
        res.setHeader('Retry-After', '1');
        throw new HttpProblem(503, 'read-model-behind', 'Read models have not reached the exception yet', `${err.message}; retry shortly.`, { minPosition: String(err.position) });
      }
      throw translate(err);
    }
    if (!result.exception) {
      res.status(202).json({ position: String(result.position) });
      return;
    }
    const exception = withEtag(result.exception);
    res.status(200).setHeader('ETag', exception.etag).json({ exception, position: String(result.position) });
  }
}

async function decisionOf(action: ExceptionDecision['type'], req: Request): Promise<ExceptionDecision> {
  switch (action) {
    case 'acknowledge': {
      const dto = await validateDto(AcknowledgeExceptionDto, optionalBody(req));
      return { type: 'acknowledge', ...(dto.note !== undefined ? { note: dto.note } : {}) };
    }
    case 'assign':
      return { type: 'assign', assignee: (await validateDto(AssignExceptionDto, req.body)).assignee.trim() };
    case 'resolve': {
      const dto = await validateDto(ResolveExceptionDto, req.body);
      return { type: 'resolve', resolution: dto.resolution, note: dto.note };
    }
    case 'reopen':
      return { type: 'reopen', reason: (await validateDto(ReopenExceptionDto, req.body)).reason };
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}
