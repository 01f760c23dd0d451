import { StreamNotFoundError, type EventStore, type RecordedEvent } from '../ports/event-store.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import { locateOrder, orderNotFound } from './order-command';

/** One event of an order's audit history. `data` is the event's data without the raw source payload. */
export interface HistoryEvent {
  eventId: string;
  type: string;
  revision: bigint;
  position: bigint;
  source: string;
  occurredAt: string;
  recordedAt: string;
  actor?: string;
  correlationId?: string;
  causationId?: string;
  data: unknown;
}

export interface OrderHistoryPage {
  orderId: string;
  streamId: string;
  events: HistoryEvent[];
  /** Revision to continue after, when more events follow. */
  nextAfter?: bigint;
}

/** Raw source payloads carry customer data (names, addresses): the history shows mapped fields only. */
function withoutRaw(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const rest = { ...(data as Record<string, unknown>) };
  delete rest.raw;
  return rest;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toHistory(e: RecordedEvent): HistoryEvent {
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
  };
}

/**
 * The audit history of one order, read from its stream in the log (never stale), in revision order,
 * optionally only some event types. Pages continue after a revision.
 */
export async function getOrderEvents(
  events: EventStore,
  directory: OrderDirectory,
  query: { orderId: string; after?: bigint; limit: number; types?: readonly string[] },
): Promise<OrderHistoryPage> {
  const location = await locateOrder(directory, query.orderId);
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
