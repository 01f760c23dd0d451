/**
 * The `order-history` projection: every event of an order stream (`order-…`, `erp-unlinked-…`), in
 * stream order, with its source and times from the metadata, for audits. The payload itself stays in
 * the log (`eventId` names it); each entry keeps a one-line summary.
 *
 * Entries are kept in pages of {@link HISTORY_PAGE_SIZE} consecutive revisions of one stream
 * (`_id` = {@link historyPageId}): a batch writes each page it touches once, where one document per
 * event made a rebuild write, index and serialise a million rows for a million events (a quarter of
 * its time). An entry is a pure function of its event, so a page is the same whatever the batches
 * were; a redelivered event replaces its own entry.
 */
import type { RecordedEvent } from '../application/ports/event-store.port';
import { historyPageId, historyPageOf, ORDER_HISTORY, type OrderHistoryDoc, type OrderHistoryPageDoc } from '../application/read-models/order-history.read-model';
import type { BatchContext, DocKey, Projection, ProjectionUnit } from './projection';
import { isOrderStream } from '../domain/shared/streams';

export { HISTORY_PAGE_SIZE, historyPageId, historyPageOf, ORDER_HISTORY, type OrderHistoryDoc, type OrderHistoryPageDoc } from '../application/read-models/order-history.read-model';

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

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export class OrderHistoryProjection implements Projection {
  readonly name = 'order-history';
  readonly collections = [{ name: ORDER_HISTORY, indexes: [{ fields: ['streamId', 'page'] }] }];

  /** The pages the batch's order-stream events fall in (read, merged, written back). */
  keys(events: readonly RecordedEvent[]): DocKey[] {
    const ids = new Set<string>();
    for (const e of events) if (isOrderStream(e.streamId)) ids.add(historyPageId(e.streamId, historyPageOf(e.revision)));
    return [...ids].map((id) => ({ collection: ORDER_HISTORY, id }));
  }

  /** One unit per page touched, with the page's events of the batch in log order. */
  units(events: readonly RecordedEvent[]): ProjectionUnit[] {
    const byPage = new Map<string, RecordedEvent[]>();
    for (const e of events) {
      if (!isOrderStream(e.streamId)) continue;
      const id = historyPageId(e.streamId, historyPageOf(e.revision));
      const list = byPage.get(id);
      if (list) list.push(e);
      else byPage.set(id, [e]);
    }
    return [...byPage]
      .map(([id, list]) => ({ events: list, run: (ctx: BatchContext) => ctx.put(ORDER_HISTORY, id, withEntries(ctx.get<OrderHistoryPageDoc>(ORDER_HISTORY, id), list)) }))
      .sort((a, b) => (a.events[a.events.length - 1]!.position < b.events[b.events.length - 1]!.position ? -1 : 1));
  }
}

/** `page` (or a new one) with the entries of `events` (one page's) put in, by revision. */
function withEntries(page: OrderHistoryPageDoc | undefined, events: readonly RecordedEvent[]): OrderHistoryPageDoc {
  const first = events[0]!;
  const byRevision = new Map<number, OrderHistoryDoc>();
  for (const entry of page?.entries ?? []) byRevision.set(entry.revision, entry);
  for (const e of events) byRevision.set(Number(e.revision), historyDoc(e));
  return { streamId: first.streamId, page: historyPageOf(first.revision), entries: [...byRevision.values()].sort((a, b) => a.revision - b.revision) };
}

/** The entry of one event. */
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
