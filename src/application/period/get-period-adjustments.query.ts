/**
 * Post-close adjustments (issue 7 "Late facts"): facts recorded after a period's close that change
 * what its orders reconcile to. The closed snapshot never changes; the adjustments show what moved
 * since, order by order, and are carried into the next period that is not closed.
 *
 * For every order stream with events after the cut, the stream is folded twice — up to the cut and
 * up to now — and both are reconciled at the cut time, so an adjustment shows the effect of the late
 * facts, not of time passing. An order counts when it belongs to the period before or after, and
 * when the late facts changed something: its totals, period, status or findings (id, delta, reason,
 * auto-acceptance). Late facts that change nothing (an export request for a matched order, a
 * duplicate webhook kept as its own fact) are only counted in `unchangedOrders`.
 *
 * A stream with late facts that cannot be read now (a fact kept from before the ingest checked its
 * times: the log is immutable) fails no answer: it is listed in `unreadable`, with the event that
 * cannot be read, when it was an order of the period at the close or is dated in it (the month of
 * its first ledger time, as the snapshot dates an unreadable stream); its figures move no total. One
 * that could not be read at the close (the snapshot listed it) and can now counts as new.
 */
import type { OrderEventEnvelope } from '../../domain/order/order.events';
import { reconcileOrder, type OrderReconciliation } from '../../domain/order/order.reconcile';
import { orderStateFrom } from '../../domain/order/order.state';
import type { ReconciliationStatus, SideTotals } from '../../domain/order/reconciliation.types';
import type { SnapshotTotals } from '../../domain/period/close-snapshot';
import { subtractTotals } from '../../domain/period/post-close-adjustments';
import { type EventStore, type RecordedEvent } from '../ports/event-store.port';
import type { ReconciliationPolicySource } from '../reconciliation/policy.source';
import { ledgerTimeOf, periodOf, TotalsSum } from './log-replay.engine';
import { nextPeriod, readPeriod } from './period-stream';
import { pick } from './replay-period.handler';
import { readStreamOrEmpty } from '../shared/read-stream';
import { isOrderStream } from '../../domain/shared/streams';
import { isDataError } from '../../domain/shared/errors';
import { locateUnreadableOrder } from './log-replay.engine';
import { unreadableStreamPeriod, type UnreadableStream } from '../order/unreadable-stream';

/** A late fact. */
export interface LateEvent {
  eventId: string;
  type: string;
  position: string;
  occurredAt: string;
  recordedAt: string;
}

export interface Adjustment {
  subject: string;
  orderId?: string;
  /** Period of the order at the cut and now (absent: not an order of any period). */
  periodAtClose?: string;
  periodNow?: string;
  statusAtClose?: ReconciliationStatus;
  statusNow?: ReconciliationStatus;
  /** Change of this period's totals caused by the order (now − at close), per side. */
  totals: SnapshotTotals;
  events: LateEvent[];
}

export interface PeriodAdjustments {
  period: string;
  snapshotId: string;
  /** Cut of the snapshot and the log head the adjustments run to (decimal strings). */
  position: string;
  headPosition: string;
  /** The next period that is not closed: where these adjustments show in the live figures. */
  carriedTo: string;
  adjustments: Adjustment[];
  /** Sum of every adjustment. */
  totals: SnapshotTotals;
  /** Orders of the period with late facts that changed none of their figures, status or findings (not listed). */
  unchangedOrders: number;
  /** Streams with late facts that cannot be read now, each with the event that cannot be read (no figures). */
  unreadable: UnreadableAdjustment[];
}

/** A stream of the period whose late facts make it unreadable. */
export interface UnreadableAdjustment {
  subject: string;
  orderId?: string;
  /** Period of the order at the cut, when it could be read then. */
  periodAtClose?: string;
  /** The event from which the stream cannot be read: id, type, position (decimal string) and why. */
  eventId: string;
  eventType: string;
  position: string;
  reason: string;
  events: LateEvent[];
}


const isZero = (t: SnapshotTotals): boolean => Object.keys(t.scayle).length === 0 && Object.keys(t.erp).length === 0 && Object.keys(t.psp).length === 0;

/** What a finance user acts on in an order's findings; explanations and event ids may change with any late fact. */
const findingsKey = (r: OrderReconciliation): string =>
  JSON.stringify(r.findings.map((f) => [f.findingId, f.delta ?? null, f.reason ?? null, f.autoAccepted]));

export class GetPeriodAdjustmentsQuery {
  constructor(
    private readonly events: EventStore,
    private readonly policies: ReconciliationPolicySource,
  ) {}

  /**
   * Adjustments of `period` since its latest (or given) snapshot.
   * @throws DomainError `not_found`/`snapshot_not_found` when the period was never closed.
   */
  async adjustments(period: string, snapshotId?: string, maxOrders = 1000): Promise<PeriodAdjustments> {
    const history = await readPeriod(this.events, period);
    const stored = pick(history.snapshots, period, snapshotId);
    const cut = BigInt(stored.closed.position);
    const cutAt = stored.snapshot.cutAt;
    const late = new Map<string, RecordedEvent[]>();
    let head = cut;
    for await (const e of this.events.readAll({ direction: 'forwards', fromPosition: cut })) {
      head = e.position;
      if (!isOrderStream(e.streamId)) continue;
      const list = late.get(e.streamId) ?? [];
      if (list.length === 0) late.set(e.streamId, list);
      list.push(e);
    }
    // Settings as the close recorded them; mappings at the cut, so only facts make a difference.
    const { policy } = await this.policies.at(cut, stored.snapshot.policy.settings);
    const adjustments: Adjustment[] = [];
    const sums = { scayle: new TotalsSum(), erp: new TotalsSum(), psp: new TotalsSum() };
    let unchangedOrders = 0;
    const unreadable: UnreadableAdjustment[] = [];
    const lateEvents = (streamId: string): LateEvent[] =>
      late.get(streamId)!.map((e) => ({ eventId: e.id, type: e.type, position: String(e.position), occurredAt: String(e.metadata.occurredAt), recordedAt: ledgerTimeOf(e) }));
    for (const streamId of [...late.keys()].sort()) {
      if (adjustments.length + unreadable.length >= maxOrders) break;
      const events = (await readStreamOrEmpty(this.events, streamId)).filter((e) => e.position <= head);
      const before = events.filter((e) => e.position <= cut);
      // Unreadable at the close: the snapshot listed the stream without figures, so it counts as new now.
      const readThen = this.read(before, policy, cutAt);
      const then = 'unreadable' in readThen ? undefined : readThen.result;
      const periodAtClose = 'unreadable' in readThen ? undefined : readThen.period;
      const readNow = this.read(events, policy, cutAt);
      if ('unreadable' in readNow) {
        if (periodAtClose === period || unreadableStreamPeriod(events, policy.timezone) === period) {
          const u = readNow.unreadable;
          unreadable.push({
            subject: streamId,
            ...(then?.orderId !== undefined ? { orderId: then.orderId } : {}),
            ...(periodAtClose !== undefined ? { periodAtClose } : {}),
            eventId: u.eventId,
            eventType: u.eventType,
            position: String(u.position),
            reason: u.reason,
            events: lateEvents(streamId),
          });
        }
        continue;
      }
      if (!readNow.result) continue;
      const now = readNow.result;
      const periodNow = readNow.period;
      if (periodAtClose !== period && periodNow !== period) continue;
      const zero: SnapshotTotals = { scayle: {}, erp: {}, psp: {} };
      const a = periodAtClose === period ? then!.totals : zero;
      const b = periodNow === period ? now.totals : zero;
      const totals: SnapshotTotals = { scayle: subtractTotals(b.scayle, a.scayle), erp: subtractTotals(b.erp, a.erp), psp: subtractTotals(b.psp, a.psp) };
      if (then && periodAtClose === periodNow && then.status === now.status && isZero(totals) && findingsKey(then) === findingsKey(now)) {
        unchangedOrders += 1;
        continue;
      }
      for (const side of ['scayle', 'erp', 'psp'] as const) sums[side].add(totals[side] as SideTotals);
      adjustments.push({
        subject: now.subject,
        ...(now.orderId !== undefined ? { orderId: now.orderId } : {}),
        ...(periodAtClose !== undefined ? { periodAtClose } : {}),
        ...(periodNow !== undefined ? { periodNow } : {}),
        ...(then ? { statusAtClose: then.status } : {}),
        statusNow: now.status,
        totals,
        events: lateEvents(streamId),
      });
    }
    return {
      period,
      snapshotId: stored.snapshotId,
      position: String(cut),
      headPosition: String(head),
      carriedTo: await this.nextOpen(period),
      adjustments,
      totals: { scayle: sums.scayle.totals(), erp: sums.erp.totals(), psp: sums.psp.totals() },
      unchangedOrders,
      unreadable,
    };
  }

  /** The stream reconciled at `now` with its period (no result for no order fact), or the event from which it cannot be read. */
  private read(events: RecordedEvent[], policy: Parameters<typeof reconcileOrder>[1], now: string): { result?: OrderReconciliation; period?: string } | { unreadable: UnreadableStream } {
    if (events.length === 0) return {};
    try {
      const state = orderStateFrom(events as unknown as OrderEventEnvelope<{ type: string; data: unknown }>[]);
      if (state.kind === 'empty') return {};
      const result = reconcileOrder(state, policy, now);
      return { result, period: periodOf(result, events, policy.timezone) };
    } catch (err) {
      if (!isDataError(err)) throw err;
      return { unreadable: locateUnreadableOrder(events, err, policy, now) };
    }
  }

  /** The first period after `period` that is not closed (looks up to 24 months ahead). */
  private async nextOpen(period: string): Promise<string> {
    let p = nextPeriod(period);
    for (let i = 0; i < 24; i++, p = nextPeriod(p)) {
      if ((await readPeriod(this.events, p)).state.status !== 'closed') return p;
    }
    return p;
  }
}
