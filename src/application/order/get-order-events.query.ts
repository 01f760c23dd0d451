import { StreamNotFoundError, type EventStore, type RecordedEvent } from '../ports/event-store.port';
import type { OrderLocation } from '../ports/order-directory.port';
import { orderNotFound } from './order-command';
import { readReconciliationSource, type ReconciliationSource } from './reconciliation-source';

/** One event of an order's audit history. `data` is the event's data without the raw source payload. */
export interface HistoryEvent {
  eventId: string;
  type: string;
  /** Revision within the event's stream (`streamId`, or the page's `streamId` when that is absent). */
  revision: bigint;
  position: bigint;
  source: string;
  occurredAt: string;
  recordedAt: string;
  actor?: string;
  correlationId?: string;
  causationId?: string;
  data: unknown;
  /** The stream the event was read from: only in a history of parked documents, which has several. */
  streamId?: string;
}

/**
 * How a history pages: an order's stream by revision; parked documents, whose revisions are each
 * their own stream's, by log position.
 */
export type HistoryPaging = 'revision' | 'position';

/** The paging of the history of `source` (its `nextAfter` and `after` count in it). */
export const historyPaging = (source: ReconciliationSource): HistoryPaging => (source.location ? 'revision' : 'position');

export interface OrderHistoryPage {
  orderId: string;
  /** The order's stream; for parked documents the first of `streamIds`. */
  streamId: string;
  /**
   * Only for an id no Scayle order has: the parked documents' streams (`erp-unlinked-<documentNumber>`)
   * in the order their first events were recorded.
   */
  streamIds?: string[];
  events: HistoryEvent[];
  /** Revision or log position ({@link historyPaging}) to continue after, when more events follow. */
  nextAfter?: bigint;
}

/**
 * Raw source payloads carry customer data (names, addresses): the history shows mapped fields only.
 * `raw` is left out without being read (a store may parse it only when read: the SQLite log keeps it apart).
 */
function withoutRaw(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const d = data as Record<string, unknown>;
  return Object.fromEntries(Object.keys(d).filter((key) => key !== 'raw').map((key) => [key, d[key]]));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toHistory(e: RecordedEvent, withStream = false): HistoryEvent {
  const m = e.metadata;
  return {
    eventId: e.id,
    type: e.type,
    revision: e.revision,
    position: e.position,
    source: String(m.source),
    occurredAt: String(m.occurredAt),
    recordedAt: String(m.recordedAt),
    ...(str(m.actor) ? { actor: str(m.actor) } : {}),
    ...(str(m.correlationId) ? { correlationId: str(m.correlationId) } : {}),
    ...(str(m.causationId) ? { causationId: str(m.causationId) } : {}),
    data: withoutRaw(e.data),
    ...(withStream ? { streamId: e.streamId } : {}),
  };
}

interface HistoryQuery {
  orderId: string;
  /** Revision or log position to continue after, as {@link historyPaging} says for the source. */
  after?: bigint;
  limit: number;
  types?: readonly string[];
}

/**
 * The audit history of an order id, read from the log (never stale), optionally only some event
 * types: the same source `GET /v1/orders/{orderId}/reconciliation` folds ({@link ReconciliationSource}).
 * For a Scayle order its stream in revision order, paged by revision; for an id only parked ERP
 * documents name, their streams merged in log order, paged by log position (each stream has its own
 * revisions). Locate the source with `reconciliationSource` first: it decides how `after` counts.
 * @throws DomainError `not_found`/`order_not_found` when the source has no event.
 */
export async function getOrderEvents(events: EventStore, source: ReconciliationSource, query: HistoryQuery): Promise<OrderHistoryPage> {
  return source.location ? orderStreamHistory(events, source.location, query) : parkedHistory(events, source, query);
}

/** One page of an order stream, read a store page at a time from the revision after `after`. */
async function orderStreamHistory(events: EventStore, location: OrderLocation, query: HistoryQuery): Promise<OrderHistoryPage> {
  const out: HistoryEvent[] = [];
  let from = query.after === undefined ? 0n : query.after + 1n;
  let more = false;
  const pageSize = Math.max(query.limit + 1, 200);
  for (;;) {
    let page: RecordedEvent[];
    try {
      page = await events.readStream(location.streamId, { fromRevision: from, maxCount: pageSize });
    } catch (err) {
      if (err instanceof StreamNotFoundError) throw orderNotFound(query.orderId);
      throw err;
    }
    for (const e of page) {
      if (query.types && !query.types.includes(e.type)) continue;
      if (out.length === query.limit) {
        more = true;
        break;
      }
      out.push(toHistory(e));
    }
    if (more || page.length < pageSize) break;
    from = page[page.length - 1]!.revision + 1n;
  }
  return {
    orderId: location.orderId,
    streamId: location.streamId,
    events: out,
    ...(more && out.length > 0 ? { nextAfter: out[out.length - 1]!.revision } : {}),
  };
}

/**
 * One page of the parked documents' merged events after log position `after`. The documents are
 * read whole (a parked document is a handful of events), so `streamIds` and `streamId` describe every
 * parked stream, not the page's.
 */
async function parkedHistory(events: EventStore, source: ReconciliationSource, query: HistoryQuery): Promise<OrderHistoryPage> {
  const merged = await readReconciliationSource(events, source, query.orderId);
  const streamIds = [...new Set(merged.map((e) => e.streamId))];
  const wanted = merged.filter((e) => (query.after === undefined || e.position > query.after) && (!query.types || query.types.includes(e.type)));
  const page = wanted.slice(0, query.limit);
  return {
    orderId: query.orderId,
    streamId: streamIds[0]!,
    streamIds,
    events: page.map((e) => toHistory(e, true)),
    ...(wanted.length > page.length && page.length > 0 ? { nextAfter: page[page.length - 1]!.position } : {}),
  };
}
