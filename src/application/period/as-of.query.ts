/**
 * "What did the ledger know then?" (issue 7): an order's reconciliation and the exception queue as of
 * a log position or a ledger time.
 *
 * - `asOf` is a log position (decimal digits) or an ISO-8601 instant with offset. A time selects the
 *   events the ledger had recorded by then (`metadata.recordedAt`, else the store's commit time; the
 *   ledger's clock makes these ascend with the log).
 * - The reconciliation's `now` is that moment: the time given, or the ledger time of the event at the
 *   position — so grace windows stand exactly as they stood.
 * - Mappings are taken as they were at that position; the configured settings are today's.
 */
import type { OrderReconciliation } from '../../domain/order/order.reconcile';
import { DomainError, invalid } from '../../domain/shared/errors';
import { instantMs, isCalendarDate } from '../../domain/shared/period';
import type { Clock } from '../ports/clock.port';
import type { EventStore } from '../ports/event-store.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import type { ReconciliationPolicySource } from '../reconciliation/policy.source';
import { reconcileStoredOrder } from '../order/get-order-reconciliation.query';
import { readReconciliationSource, reconciliationSource } from '../order/reconciliation-source';
import { ledgerTimeOf, type ExceptionFilter, type LogReplayEngine, type ReplayBound } from './log-replay.engine';
import type { SnapshotException } from '../../domain/period/close-snapshot';

/** A parsed `asOf`. */
export type AsOf = ReplayBound;

/**
 * Parses `asOf`: digits → a log position; an ISO-8601 instant with `Z` or an offset → a time.
 * @throws DomainError `invalid`/`invalid_as_of` (field `asOf`).
 */
export function parseAsOf(text: string): AsOf {
  if (/^\d{1,40}$/.test(text)) return { position: BigInt(text) };
  try {
    instantMs(text, 'asOf');
  } catch {
    throw invalid('invalid_as_of', 'asOf must be a log position (digits) or an ISO-8601 instant with offset, e.g. 2024-06-30T22:00:00Z', 'asOf');
  }
  // Date.parse rolls 2024-02-30 into March and T24:00 into the next day: a time that never was.
  if (!isCalendarDate(text.slice(0, 10)) || !/T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?/.test(text)) {
    throw invalid('invalid_as_of', `asOf ${text} names a date or time of day that does not exist`, 'asOf');
  }
  return { time: new Date(text).toISOString() };
}

/** Where an as-of answer stands in the log. */
export interface AsOfPoint {
  /** Last log position included (decimal string; `0` when nothing was recorded yet). */
  position: string;
  /** The reconciliation's `now`. */
  time: string;
}

/** The shape of the live answer (`GET /v1/orders/{orderId}/reconciliation`) plus the point answered. */
export interface OrderReconciliationAsOf extends OrderReconciliation {
  /** Position of the order stream's last event known then. */
  position: bigint;
  /** The reconciliation's `now`: the as-of moment. */
  evaluatedAt: string;
  asOf: AsOfPoint;
}

export interface ExceptionsAsOf {
  asOf: AsOfPoint;
  eventsReplayed: number;
  period?: string;
  exceptions: SnapshotException[];
  /** More exceptions were open than `limit`. */
  truncated: boolean;
}

export class AsOfQuery {
  constructor(
    private readonly events: EventStore,
    private readonly directory: OrderDirectory,
    private readonly policies: ReconciliationPolicySource,
    private readonly engine: LogReplayEngine,
    private readonly clock: Clock,
  ) {}

  /**
   * One order's reconciliation as of `asOf` (for an id only parked ERP documents name, those
   * documents: see `getOrderReconciliation`).
   * @throws DomainError `not_found`/`order_not_found` when the order (or any fact of it) was unknown then.
   * @throws UnreadableStreamError (422) when a stored event of the order known then cannot be read.
   */
  async orderReconciliation(orderId: string, asOf: AsOf): Promise<OrderReconciliationAsOf> {
    const source = await reconciliationSource(this.directory, orderId);
    const point = await this.point(asOf);
    const known = (await readReconciliationSource(this.events, source, orderId)).filter((e) => e.position <= BigInt(point.position));
    const { policy } = await this.policies.at(BigInt(point.position));
    const { state, result, period } = reconcileStoredOrder(orderId, known, policy, point.time, source.location ? { subject: source.location.streamId } : {});
    if (state.kind === 'empty') throw new DomainError('not_found', 'order_not_found', `Order ${orderId} was not known at ${'position' in asOf ? `position ${String(asOf.position)}` : asOf.time}`, 'asOf');
    return { ...result, orderId: result.orderId ?? source.location?.orderId ?? orderId, ...(period ? { period } : {}), position: known[known.length - 1]!.position, evaluatedAt: point.time, asOf: point };
  }

  /**
   * Open exceptions as of `asOf`, optionally of one period and only those matching `filter` (owner,
   * finding code, queue status at that point), at most `limit` of them (sorted by id). Without a
   * period they include the failed records active then (operations `SYNC_FAILURE` with `failure`),
   * as the live queue lists them; a failed record has no period, so `period` leaves them out.
   */
  async exceptions(asOf: AsOf, options: { period?: string; limit: number; filter?: ExceptionFilter }): Promise<ExceptionsAsOf> {
    const point = await this.point(asOf);
    const { policy } = await this.policies.at(BigInt(point.position));
    const replayed = await this.engine.replay({ bound: { position: BigInt(point.position) }, now: point.time, policy, ...(options.period ? { period: options.period } : {}), exceptionLimit: options.limit, ...(options.filter ? { exceptionFilter: options.filter } : {}) });
    const exceptions = replayed.openExceptions
      .map((e) => ({ ...e, ageSeconds: Math.max(0, Math.floor((Date.parse(point.time) - Date.parse(e.openedAt)) / 1000)) }))
      .sort((a, b) => (a.exceptionId < b.exceptionId ? -1 : a.exceptionId > b.exceptionId ? 1 : 0));
    return { asOf: point, eventsReplayed: replayed.eventsReplayed, ...(options.period ? { period: options.period } : {}), exceptions, truncated: replayed.exceptionsTruncated };
  }

  /**
   * The last position within `asOf` and the `now` that goes with it. A position beyond the log head
   * names nothing the ledger has recorded, so it is refused rather than answered as the head (which
   * would pass off today's state as the state at a point that has not happened yet).
   * @throws DomainError `invalid`/`as_of_beyond_head` (field `asOf`, `headPosition`) for such a position.
   */
  private async point(asOf: AsOf): Promise<AsOfPoint> {
    if ('time' in asOf) {
      const limit = Date.parse(asOf.time);
      const now = this.clock.now();
      if (limit > now.getTime()) {
        // Grace windows would be judged at a moment that has not come: a forecast, not the ledger's state.
        throw invalid('as_of_in_future', `asOf ${asOf.time} is in the future: the ledger's clock says ${now.toISOString()}. Ask for a time up to now, or leave asOf out for the live state.`, 'asOf', { now: now.toISOString() });
      }
      let position = 0n;
      for await (const e of this.events.readAll({ direction: 'forwards' })) {
        if (Date.parse(ledgerTimeOf(e)) > limit) break;
        position = e.position;
      }
      return { position: String(position), time: asOf.time };
    }
    const head = await this.events.headPosition();
    if (asOf.position > head) {
      throw invalid(
        'as_of_beyond_head',
        `asOf ${String(asOf.position)} is beyond the end of the log: the ledger has recorded up to position ${String(head)} so far. Ask for a position up to ${String(head)}, or for a time.`,
        'asOf',
        { headPosition: String(head) },
      );
    }
    const [last] = await collect(this.events.readAll({ direction: 'backwards', fromPosition: asOf.position + 1n, maxCount: 1 }));
    if (!last) return { position: '0', time: new Date(0).toISOString() };
    return { position: String(last.position), time: new Date(ledgerTimeOf(last)).toISOString() };
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
