import type { Router } from 'express';
import { getOrderEvents } from '../../../application/order/get-order-events.query';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OrderDirectory } from '../../../application/ports/order-directory.port';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { sendJsonWithEtag } from '../etag';
import { decodeCursor, encodeCursor, PAGE } from '../pagination';
import { HttpProblem } from '../problem-details';
import { checkMinPosition } from '../read-your-writes';
import { validateDto } from '../validation';
import { OrderEventsQueryDto } from './order-queries.dto';

/** Largest stream revision (2^63 − 1, the stores' signed 64-bit revision). */
const MAX_REVISION = 2n ** 63n - 1n;

/**
 * `GET /v1/orders/{orderId}/events`: an order's audit history straight from its stream. It reads
 * the log, not a read model, so a `minPosition` up to the log head is always met; one beyond it is a
 * 400, as on every route that takes it (`checkMinPosition`).
 */
export class OrderEventsController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly events: EventStore,
    private readonly directory: OrderDirectory,
  ) {}

  register(router: Router): void {
    router.get('/v1/orders/:orderId/events', guard(this.keys, 'GET /v1/orders/{orderId}/events'), async (req, res) => {
      const query = await validateDto(OrderEventsQueryDto, req.query, 'query');
      await checkMinPosition(req, this.events);
      const cursor = decodeCursor(query.cursor, ['afterRevision']);
      // A revision this list can hand out: the next one read (after + 1) is a signed 64-bit revision.
      if (cursor && (!/^\d{1,19}$/.test(cursor.afterRevision) || BigInt(cursor.afterRevision) >= MAX_REVISION)) throw HttpProblem.validation([{ field: 'cursor', message: 'is not a cursor of this list' }]);
      const page = await getOrderEvents(this.events, this.directory, {
        orderId: String(req.params.orderId),
        limit: query.limit ? Math.min(Number(query.limit), PAGE.max) : PAGE.default,
        ...(cursor ? { after: BigInt(cursor.afterRevision) } : {}),
        ...(query.type ? { types: query.type.split(',') } : {}),
      });
      sendJsonWithEtag(req, res, {
        orderId: page.orderId,
        streamId: page.streamId,
        events: page.events.map((e) => ({ ...e, revision: String(e.revision), position: String(e.position) })),
        ...(page.nextAfter !== undefined ? { nextCursor: encodeCursor({ afterRevision: String(page.nextAfter) }) } : {}),
      });
    });
  }
}
