/**
 * The order-history read model's documents (issue 5), written by the `order-history` projection and
 * read by {@link ReadModelQueries.orderHistory}: every event of an order stream, in pages of
 * {@link HISTORY_PAGE_SIZE} consecutive revisions.
 */
import type { JsonObject } from '../ports/read-model-store.port';

/** Pages of entries (documents {@link OrderHistoryPageDoc}). */
export const ORDER_HISTORY = 'order_history_pages';

/** Revisions per page: an order stream of up to 50 events is one document. */
export const HISTORY_PAGE_SIZE = 50;

/** One event of an order stream, as the history lists it. */
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

/** A page: the entries of revisions `page × 50` to `page × 50 + 49` of one stream that exist, in revision order. */
export interface OrderHistoryPageDoc extends JsonObject {
  streamId: string;
  /** Page number (revision ÷ {@link HISTORY_PAGE_SIZE}, rounded down). */
  page: number;
  entries: OrderHistoryDoc[];
}

/** Page number of a revision. */
export const historyPageOf = (revision: bigint | number): number => Math.floor(Number(revision) / HISTORY_PAGE_SIZE);

/**
 * Id of a page: `<streamId>/<page, 6 digits>` (e.g. `order-msde-DE-1042/000000`), so a stream's pages
 * sort together and in order.
 */
export const historyPageId = (streamId: string, page: number): string => `${streamId}/${String(page).padStart(6, '0')}`;

