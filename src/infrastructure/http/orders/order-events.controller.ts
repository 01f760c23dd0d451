import type { Router } from 'express';
import { getOrderEvents, historyPaging, type HistoryPaging } from '../../../application/order/get-order-events.query';
import { reconciliationSource } from '../../../application/order/reconciliation-source';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OrderDirectory } from '../../../application/ports/order-directory.port';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { sendJsonWithEtag } from '../etag';
import { cursorList, type CursorList, INT64_MAX, type ListCursors, PAGE, POSITION_MAX } from '../pagination';
import { checkMinPosition } from '../read-your-writes';
import { validateQuery } from '../validation';
import { OrderEventsQueryDto } from './order-queries.dto';

/**
 * The cursor of an order stream names the last revision of the previous page; the next one read
 * (after + 1) must still be a signed 64-bit revision, the stores' limit (beyond it the SQLite driver
 * failed with a 500). The cursor of parked documents names the last log position instead. The keys
 * differ, so a cursor of one kind of history is refused by the other (the source changes kind when
 * the order appears and the documents are linked into its stream).
 */
const CURSORS = {
  revision: { afterRevision: INT64_MAX - 1n },
  position: { afterPosition: POSITION_MAX },
} as const;

/** The revision or position a cursor of this paging names; `undefined` without one. @throws HttpProblem 400 naming `cursor`. */
function decodeHistoryCursor(cursors: ListCursors, list: CursorList, cursor: string | undefined, paging: HistoryPaging): bigint | undefined {
  return paging === 'revision' ? cursors.decode(list, cursor, CURSORS.revision)?.afterRevision : cursors.decode(list, cursor, CURSORS.position)?.afterPosition;
}

const encodeHistoryCursor = (cursors: ListCursors, list: CursorList, paging: HistoryPaging, after: bigint): string =>
  cursors.encode(list, paging === 'revision' ? { afterRevision: after } : { afterPosition: after });

/**
 * `GET /v1/orders/{orderId}/events`: the audit history of what `GET /v1/orders/{orderId}/reconciliation`
 * reconciles for the id (`reconciliationSource`): the order's stream, or the ERP documents parked
 * under an id no Scayle order has. The id is located before the cursor is judged, since the source
 * decides the cursor's kind: an unknown id is a 404 whatever cursor it comes with. It reads the log,
 * not a read model, so a `minPosition` up to the log head is always met; one beyond it is a 400, as
 * on every route that takes it (`checkMinPosition`).
 */
export class OrderEventsController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly events: EventStore,
    private readonly directory: OrderDirectory,
    private readonly cursors: ListCursors,
  ) {}

  register(router: Router): void {
    router.get('/v1/orders/:orderId/events', guard(this.keys, 'GET /v1/orders/{orderId}/events'), async (req, res) => {
      const query = await validateQuery(OrderEventsQueryDto, req);
      await checkMinPosition(req, this.events);
      const orderId = String(req.params.orderId);
      const source = await reconciliationSource(this.directory, orderId);
      const paging = historyPaging(source);
      const list = cursorList('GET /v1/orders/{orderId}/events', { orderId }, query);
      const after = decodeHistoryCursor(this.cursors, list, query.cursor, paging);
      const page = await getOrderEvents(this.events, source, {
        orderId,
        limit: query.limit ? Math.min(Number(query.limit), PAGE.max) : PAGE.default,
        ...(after !== undefined ? { after } : {}),
        ...(query.type ? { types: query.type.split(',') } : {}),
      });
      sendJsonWithEtag(req, res, {
        orderId: page.orderId,
        streamId: page.streamId,
        ...(page.streamIds ? { streamIds: page.streamIds } : {}),
        events: page.events.map((e) => ({ ...e, revision: String(e.revision), position: String(e.position) })),
        ...(page.nextAfter !== undefined ? { nextCursor: encodeHistoryCursor(this.cursors, list, paging, page.nextAfter) } : {}),
      });
    });
  }
}
