import type { Router } from 'express';
import { getOrderEvents } from '../../../application/order/get-order-events.query';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OrderDirectory } from '../../../application/ports/order-directory.port';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { sendJsonWithEtag } from '../etag';
import { decodeCursor, encodeCursor, INT64_MAX, PAGE } from '../pagination';
import { checkMinPosition } from '../read-your-writes';
import { validateDto } from '../validation';
import { OrderEventsQueryDto } from './order-queries.dto';

/**
 * The cursor names the last revision of the previous page; the next one read (after + 1) must still
 * be a signed 64-bit revision, the stores' limit (beyond it the SQLite driver failed with a 500).
 */
const CURSOR = { afterRevision: INT64_MAX - 1n } as const;

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
      const cursor = decodeCursor(query.cursor, CURSOR);
      const page = await getOrderEvents(this.events, this.directory, {
        orderId: String(req.params.orderId),
        limit: query.limit ? Math.min(Number(query.limit), PAGE.max) : PAGE.default,
        ...(cursor ? { after: cursor.afterRevision } : {}),
        ...(query.type ? { types: query.type.split(',') } : {}),
      });
      sendJsonWithEtag(req, res, {
        orderId: page.orderId,
        streamId: page.streamId,
        events: page.events.map((e) => ({ ...e, revision: String(e.revision), position: String(e.position) })),
        ...(page.nextAfter !== undefined ? { nextCursor: encodeCursor({ afterRevision: page.nextAfter }) } : {}),
      });
    });
  }
}
