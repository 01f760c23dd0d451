/**
 * The `order-history` projection: every event of an order stream (`order-…`, `erp-unlinked-…`), in
 * stream order, with its source and times from the metadata, for audits. One document per event,
 * `_id` = {@link historyDocId} (stream id and zero-padded revision, so an order's documents sit next
 * to each other in the store's id index and a rebuild appends instead of scattering writes over an
 * index of random event ids); the payload itself stays in the log (`eventId` names it), the document
 * keeps a one-line summary.
 */
import type { RecordedEvent } from '../application/ports/event-store.port';
import type { JsonObject } from '../application/ports/read-model-store.port';
import type { BatchContext, DocKey, Projection, ProjectionUnit } from './projection';

export const ORDER_HISTORY = 'order_history';

export interface OrderHistoryDoc extends JsonObject {
  eventId: string;
  streamId: string;
  /** Revision within the stream (0-based). */
  revision: number;
  /** Log position (decimal string). */
  position: string;
  type: string;
  source: string;
  sourceEventId: string | null;
  occurredAt: string | null;
  recordedAt: string | null;
  actor: string | null;
  correlationId: string | null;
  summary: string;
}

/** One line about what the event says (no personal data: ids, statuses, amounts). */
export function summarise(e: RecordedEvent): string {
  const d = e.data as Record<string, unknown> & {
    order?: { status?: string; items?: unknown[]; cost?: { gross?: string }; currency?: string };
    document?: { documentType?: string; documentNumber?: string; revision?: number; status?: string; totals?: { gross?: string }; currency?: string };
    line?: { type?: string; gross?: string; currency?: string };
  };
  if (d.order) return `order ${d.order.status ?? ''}, ${d.order.items?.length ?? 0} items, gross ${d.order.cost?.gross ?? '?'} ${d.order.currency ?? ''}`.trim();
  if (d.document) return `${d.document.documentType} ${d.document.documentNumber} r${d.document.revision} ${d.document.status}, gross ${d.document.totals?.gross ?? '?'} ${d.document.currency ?? ''}`.trim();
  if (d.line) return `psp ${d.line.type} ${d.line.gross} ${d.line.currency}`;
  for (const k of ['amount', 'reason', 'resolution', 'assignee', 'message'] as const) if (typeof d[k] === 'string') return `${k} ${d[k] as string}${typeof d.currency === 'string' ? ` ${d.currency}` : ''}`;
  return e.type;
}

const isOrderStream = (s: string) => s.startsWith('order-') || s.startsWith('erp-unlinked-');

/**
 * Id of an event's history document: `<streamId>/<revision, 10 digits>` (e.g.
 * `order-msde-DE-1042/0000000003`). One event has one stream and revision, so the id is as stable
 * and unique as the event id, and sorts by stream, then revision.
 */
export const historyDocId = (e: Pick<RecordedEvent, 'streamId' | 'revision'>): string => `${e.streamId}/${String(e.revision).padStart(10, '0')}`;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export class OrderHistoryProjection implements Projection {
  readonly name = 'order-history';
  readonly collections = [{ name: ORDER_HISTORY, indexes: [{ fields: ['streamId', 'revision'] }] }];

  keys(): DocKey[] {
    return [];
  }

  units(events: readonly RecordedEvent[]): ProjectionUnit[] {
    return events.filter((e) => isOrderStream(e.streamId)).map((e) => ({ events: [e], run: (ctx: BatchContext) => ctx.put(ORDER_HISTORY, historyDocId(e), historyDoc(e)) }));
  }
}

export function historyDoc(e: RecordedEvent): OrderHistoryDoc {
  return {
    eventId: e.id,
    streamId: e.streamId,
    revision: Number(e.revision),
    position: String(e.position),
    type: e.type,
    source: String(e.metadata.source),
    sourceEventId: str(e.metadata.sourceEventId),
    occurredAt: str(e.metadata.occurredAt),
    recordedAt: str(e.metadata.recordedAt),
    actor: str(e.metadata.actor),
    correlationId: str(e.metadata.correlationId),
    summary: summarise(e),
  };
}
