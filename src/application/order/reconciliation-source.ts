import { ERP_UNLINKED_PREFIX } from '../../domain/shared/streams';
import type { EventStore, RecordedEvent } from '../ports/event-store.port';
import type { OrderDirectory, OrderLocation } from '../ports/order-directory.port';
import { readStreamOrEmpty } from '../shared/read-stream';
import { orderNotFound } from './order-command';


/**
 * What an order reconciliation is folded from for an id in a REST path: the Scayle order's stream,
 * or — when no Scayle order has the id — the ERP documents parked under it
 * (`erp-unlinked-<documentNumber>`, DESIGN §4), which `GET /v1/reconciliations` lists with the id
 * as `orderId` and a MISSING_IN_SCAYLE finding once the grace window is over.
 */
export interface ReconciliationSource {
  /** The order, when a Scayle order has the id (its stream is the only one read). */
  location?: OrderLocation;
  /** The streams to fold: the order stream, or the parked documents' streams. */
  streamIds: string[];
}

/**
 * Locates what to reconcile for `orderId`: the order stream when the directory knows a Scayle order
 * of that id, else the `erp-unlinked-…` streams of the documents still waiting for an order of that
 * reference (the directory's pending links; settlement batches waiting for it are not ERP documents
 * and stay out).
 * @throws DomainError `not_found`/`order_not_found` when neither exists.
 */
export async function reconciliationSource(directory: OrderDirectory, orderId: string): Promise<ReconciliationSource> {
  const location = await directory.resolve(orderId, ['orderId']);
  if (location) return { location, streamIds: [location.streamId] };
  const parked = (await directory.pendingFor([orderId])).map((l) => l.sourceStreamId).filter((s) => s.startsWith(ERP_UNLINKED_PREFIX));
  if (parked.length === 0) throw orderNotFound(orderId);
  return { streamIds: [...new Set(parked)].sort() };
}

/**
 * The source's events in log order. Several parked documents naming the same id are merged, as
 * they will be in the order stream once the order appears (the linker appends them there).
 * @throws DomainError `not_found`/`order_not_found` when none of the streams has an event.
 */
export async function readReconciliationSource(events: EventStore, source: ReconciliationSource, orderId: string): Promise<RecordedEvent[]> {
  const read = await Promise.all(source.streamIds.map((s) => readStreamOrEmpty(events, s)));
  const merged = read.length === 1 ? read[0]! : read.flat().sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  if (merged.length === 0) throw orderNotFound(orderId);
  return merged;
}
