/**
 * Query services over the read models (issue 5): reconciliations by order and by filters, the live
 * exception queue, period summaries and order history. Positions are decimal strings in answers;
 * ages are computed at query time from the Clock.
 */
import type { Clock } from '../ports/clock.port';
import { InvalidCursorError, type Filter, type JsonObject, type ReadModelStore, type SortField } from '../ports/read-model-store.port';
import { invalid } from '../../domain/shared/errors';
import type { ExceptionState } from '../../domain/exception/exception.decide';
import { historyPageOf, ORDER_HISTORY, type OrderHistoryPageDoc } from './order-history.read-model';

/**
 * What a `cursor` this list did not hand out is told — empty, malformed, edited, forged, another
 * list's, or signed with a key the service no longer has — one wording for every such cursor.
 */
export const CURSOR_NOT_HANDED_OUT =
  'was not handed out by this list: pass nextCursor of the previous page unchanged, with the same path, filters and sort (only limit may change); after changing a filter, or when the service no longer knows the cursor, start again from the first page (leave cursor out)';

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface ListAnswer<T> {
  items: T[];
  nextCursor?: string;
}

export interface ReconciliationFilter extends PageRequest {
  period?: string;
  status?: string;
  code?: string;
}

export interface ExceptionFilter extends PageRequest {
  owner?: string;
  code?: string;
  status?: string;
  period?: string;
}

/** A read-model document as answered: its body, its id and the log position it reflects. */
export type Answer = JsonObject & { position: string };

export class ReadModelQueries {
  constructor(
    private readonly store: ReadModelStore,
    private readonly clock: Clock,
  ) {}

  private async page(collection: string, filter: Filter, request: PageRequest, sort: SortField[], map: (id: string, position: bigint, doc: JsonObject) => Answer): Promise<ListAnswer<Answer>> {
    try {
      const page = await this.store.find(collection, { filter, sort, limit: request.limit, ...(request.cursor ? { after: request.cursor } : {}) });
      return { items: page.items.map((d) => map(d._id, d.position, d.doc)), ...(page.next ? { nextCursor: page.next } : {}) };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw invalid('invalid_cursor', CURSOR_NOT_HANDED_OUT, 'cursor');
      throw err;
    }
  }

  /** The reconciliation of a Scayle order id (undefined when the read model does not know it). */
  async reconciliationByOrderId(orderId: string): Promise<Answer | undefined> {
    const page = await this.store.find('reconciliations', { filter: { orderId }, limit: 1 });
    const d = page.items[0];
    return d ? { ...d.doc, position: String(d.position) } : undefined;
  }

  /** Reconciliations by period, status and finding code, in stream-id order. */
  async listReconciliations(f: ReconciliationFilter): Promise<ListAnswer<Answer>> {
    const filter: Record<string, string> = {};
    if (f.period) filter.period = f.period;
    if (f.status) filter.status = f.status;
    if (f.code) filter.findingCodes = f.code;
    return this.page('reconciliations', filter, f, [], (_id, position, doc) => ({ ...doc, position: String(position) }));
  }

  /** The live exception queue, oldest first, with each exception's age in whole seconds. */
  async listExceptions(f: ExceptionFilter): Promise<ListAnswer<Answer>> {
    const filter: Record<string, string | { $in: string[] }> = {};
    if (f.owner) filter.owner = f.owner;
    if (f.code) filter.code = f.code;
    if (f.period) filter.period = f.period;
    filter.status = f.status ? f.status : { $in: ['open', 'acknowledged', 'assigned'] };
    const now = this.clock.now().getTime();
    return this.page('exceptions', filter, f, [{ field: 'openedAt', direction: 'asc', type: 'string' }], (_id, position, doc) => aged({ ...doc, position: String(position) }, now));
  }

  /** One exception (any status) as the queue answers it: with `ageSeconds` and `overdue`; undefined when unknown. */
  async exceptionView(exceptionId: string): Promise<Answer | undefined> {
    const doc = await this.exception(exceptionId);
    return doc ? aged(doc, this.clock.now().getTime()) : undefined;
  }

  /**
   * One exception (any status), with `streamId` — the stream its decisions are appended to — and the
   * `position` it reflects; undefined when unknown. `exceptionStateOf` turns it into the decider's state.
   */
  async exception(exceptionId: string): Promise<Answer | undefined> {
    const d = await this.store.get('exceptions', exceptionId);
    return d ? { ...d.doc, position: String(d.position) } : undefined;
  }

  /** The live summary of a period (an empty one when no order falls in it yet). */
  async periodSummary(period: string): Promise<Answer> {
    const d = await this.store.get('period_summaries', period);
    if (!d) return { period, orders: 0, byStatus: {}, byFindingCode: {}, totals: { scayle: {}, erp: {}, psp: {} }, position: '0' };
    return { ...d.doc, position: String(d.position) };
  }

  /**
   * An order stream's history from the read model, in revision order: up to `limit` entries after
   * revision `afterRevision` (none: from revision 0), read page document by page document from the
   * first page that can hold the next revision. `nextAfterRevision` is the last revision answered
   * when more may follow. It hands out positions, not cursors: a list that pages it over HTTP signs
   * them into cursors there (`ListCursors`), as every other list does.
   */
  async orderHistory(streamId: string, request: { limit: number; afterRevision?: number }): Promise<{ items: Answer[]; nextAfterRevision?: number }> {
    const after = request.afterRevision ?? -1;
    const items: Answer[] = [];
    let fromPage = historyPageOf(after + 1);
    for (;;) {
      const pages = await this.store.find<OrderHistoryPageDoc>(ORDER_HISTORY, { filter: { streamId, page: { $gte: fromPage } }, sort: [{ field: 'page', direction: 'asc', type: 'number' }], limit: 4 });
      for (const { doc } of pages.items) {
        for (const entry of doc.entries) {
          if (entry.revision <= after) continue;
          if (items.length === request.limit) return { items, nextAfterRevision: Number(items[items.length - 1]!.revision) };
          items.push({ ...entry });
        }
        fromPage = doc.page + 1;
      }
      if (!pages.next) return { items };
    }
  }
}

/** An exception answer with its age in whole seconds at `now` (ms) and whether it is past `dueAt`. */
function aged(doc: Answer, now: number): Answer {
  const opened = Date.parse(String(doc.openedAt));
  const due = Date.parse(String(doc.dueAt));
  return { ...doc, ageSeconds: Math.max(0, Math.floor((now - opened) / 1000)), overdue: Number.isFinite(due) && now > due };
}

/** The exception decider's state from an exception answer (see `decideException`). */
export function exceptionStateOf(doc: JsonObject | undefined): ExceptionState | undefined {
  if (!doc) return undefined;
  const state: ExceptionState = {
    exceptionId: String(doc.exceptionId),
    status: doc.status as ExceptionState['status'],
    findingPresent: doc.findingPresent === true,
    occurrences: typeof doc.occurrences === 'number' ? doc.occurrences : 1,
  };
  if (typeof doc.assignee === 'string') state.assignee = doc.assignee;
  if (typeof doc.resolution === 'string') state.resolution = doc.resolution as ExceptionState['resolution'];
  return state;
}
