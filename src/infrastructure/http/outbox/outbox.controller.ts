import type { Router } from 'express';
import type { OutboxDispatcher } from '../../../application/outbox/outbox-dispatcher';
import type { RetryDispatchHandler } from '../../../application/outbox/retry-dispatch.handler';
import type { OutboxEntry, OutboxStore } from '../../../application/ports/outbox-store.port';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { commandContext, runCommand } from '../commands';
import { sendJsonWithEtag } from '../etag';
import { cursorList, type ListCursors, PAGE, POSITION_MAX } from '../pagination';
import { validateQuery } from '../validation';
import { OutboxQueryDto } from './outbox.dto';

/** JSON of one outbox entry (positions as decimal strings). */
export function outboxEntryJson(e: OutboxEntry) {
  return {
    commandId: e.commandId,
    commandType: e.commandType,
    orderId: e.orderId,
    status: e.status,
    attempts: e.attempts,
    round: e.round,
    ...(e.lastError !== undefined ? { lastError: e.lastError } : {}),
    ...(e.nextAttemptAt !== undefined ? { nextAttemptAt: e.nextAttemptAt } : {}),
    enqueuedAt: e.enqueuedAt,
    updatedAt: e.updatedAt,
    position: String(e.position),
  };
}

/**
 * `GET /v1/outbox`: what the ledger owes Scayle, sent and given up, in log order;
 * `POST /v1/outbox/{commandId}/retry`: re-drive a given-up dispatch.
 */
export class OutboxController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly store: OutboxStore,
    private readonly dispatcher: OutboxDispatcher,
    private readonly retry: RetryDispatchHandler,
    private readonly cursors: ListCursors,
  ) {}

  register(router: Router): void {
    router.get('/v1/outbox', guard(this.keys, 'GET /v1/outbox'), async (req, res) => {
      const query = await validateQuery(OutboxQueryDto, req);
      const list = cursorList('GET /v1/outbox', {}, query);
      // The outbox keeps positions in a SQLite INTEGER column: a cursor beyond it names no entry (was a 500).
      const after = this.cursors.decode(list, query.cursor, { after: POSITION_MAX });
      const limit = query.limit ? Math.min(Number(query.limit), PAGE.max) : PAGE.default;
      const page = await this.store.list({
        limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.orderId ? { orderId: query.orderId } : {}),
        ...(after ? { after: after.after } : {}),
      });
      sendJsonWithEtag(req, res, {
        dispatch: { sending: this.dispatcher.sending },
        items: page.entries.map(outboxEntryJson),
        ...(page.nextAfter !== undefined ? { nextCursor: this.cursors.encode(list, { after: page.nextAfter }) } : {}),
      });
    });
    router.post('/v1/outbox/:commandId/retry', guard(this.keys, 'POST /v1/outbox/{commandId}/retry'), async (req, res) => {
      const accepted = await runCommand(() => this.retry.handle(String(req.params.commandId), commandContext(res)));
      res.status(202).json({ commandId: accepted.commandId, status: 'pending', round: accepted.round, position: String(accepted.position) });
    });
  }
}
