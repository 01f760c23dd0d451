/**
 * Post-close adjustments carried into the next open period (issue 7 "Late facts"): facts recorded
 * after a period's close that change its figures are kept, shown by `GET /v1/periods/{period}/adjustments`
 * order by order, and — this query — shown in the live summary of the next period that is not
 * closed, as one section per closed source period. The closed snapshot never changes.
 *
 * The carried figures are the source period's **live** figures (the period-summary read model)
 * minus its closed snapshot's: totals per side, currency, component and figure, and counts (orders,
 * per status, per finding code). The close waits for the read models to reach the log head before
 * it cuts, so at the cut both agree; what differs later is what arrived after it. Counts per status
 * also move when grace windows expire after the cut (a pending order becoming a drift); the totals
 * move with facts only.
 *
 * Which periods carry into `period`: walking back from the month before it, every period that is
 * closed (its adjustments are carried to the first period after it that is not closed, which is
 * `period` exactly when every month in between is closed too). A closed `period` carries nothing in:
 * its own adjustments go on to the next open one. Cost per call: one stream-revision read per
 * period walked (at most 24); snapshots are read from the log only when a period stream changed.
 */
import type { SnapshotTotals } from '../../domain/period/close-snapshot';
import { subtractTotals } from '../../domain/period/post-close-adjustments';
import type { SideTotals } from '../../domain/order/reconciliation.types';
import { periodStreamId } from '../../domain/shared/streams';
import type { ActualRevision, EventStore } from '../ports/event-store.port';
import type { ProjectionMonitor } from '../ports/projection-monitor.port';
import type { ReadModelQueries } from '../read-models/read-model.queries';
import { previousPeriod, readPeriod } from './period-stream';

/** What one closed period carries into the live summary of the next open one. */
export interface CarriedAdjustment {
  /** The closed period the late facts belong to. */
  period: string;
  /** Its current close (the snapshot the live figures are compared with). */
  snapshotId: string;
  /** The cut of that close (decimal string): facts after it are post-close. */
  cutPosition: string;
  /** Live − snapshot per side, currency, component and figure (only what changed). */
  totals: SnapshotTotals;
  /** Live − snapshot: orders of the period, per status and per finding code (only what changed). */
  counts: { orders: number; byStatus: Record<string, number>; byFindingCode: Record<string, number> };
}

/** The read models have not reached the cut of a close the answer compares with. */
export class CarriedAdjustmentsBehindError extends Error {
  override readonly name = 'CarriedAdjustmentsBehindError';
  constructor(readonly position: bigint) {
    super(`The read models have not reached the close cut at position ${String(position)} yet`);
  }
}

interface ClosedPeriod {
  snapshotId: string;
  cut: bigint;
  totals: SnapshotTotals;
  counts: { orders: number; byStatus: Record<string, number>; byFindingCode: Record<string, number> };
}

/** How far back the walk goes (two years of closed months). */
const MAX_MONTHS = 24;

function countDelta(live: Record<string, number>, closed: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...new Set([...Object.keys(live), ...Object.keys(closed)])].sort()) {
    const d = (live[key] ?? 0) - (closed[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

export class CarriedAdjustmentsQuery {
  /** Per period: the stream revision read and what it said (closed with its current snapshot, or not closed). */
  private readonly cache = new Map<string, { revision: ActualRevision; closed?: ClosedPeriod }>();

  constructor(
    private readonly events: EventStore,
    private readonly queries: ReadModelQueries,
    private readonly monitor: Pick<ProjectionMonitor, 'waitForPosition'>,
    private readonly waitMs = 5_000,
  ) {}

  /**
   * The adjustments carried into `period`, oldest source period first (only sources where something changed).
   * @throws CarriedAdjustmentsBehindError when the read models do not reach a source's cut within the wait.
   */
  async into(period: string): Promise<CarriedAdjustment[]> {
    if (await this.closed(period)) return [];
    const sources: [string, ClosedPeriod][] = [];
    let p = previousPeriod(period);
    for (let i = 0; i < MAX_MONTHS && p !== undefined; i++, p = previousPeriod(p)) {
      const closed = await this.closed(p);
      if (!closed) break;
      sources.push([p, closed]);
    }
    if (sources.length === 0) return [];
    const cut = sources.reduce((max, [, c]) => (c.cut > max ? c.cut : max), 0n);
    if (!(await this.monitor.waitForPosition(cut, this.waitMs))) throw new CarriedAdjustmentsBehindError(cut);
    const out: CarriedAdjustment[] = [];
    for (const [source, closed] of sources.reverse()) {
      const live = await this.queries.periodSummary(source);
      const liveTotals = live.totals as unknown as Record<'scayle' | 'erp' | 'psp', SideTotals>;
      const totals: SnapshotTotals = {
        scayle: subtractTotals(liveTotals.scayle ?? {}, closed.totals.scayle as SideTotals),
        erp: subtractTotals(liveTotals.erp ?? {}, closed.totals.erp as SideTotals),
        psp: subtractTotals(liveTotals.psp ?? {}, closed.totals.psp as SideTotals),
      };
      const counts = {
        orders: Number(live.orders ?? 0) - closed.counts.orders,
        byStatus: countDelta(live.byStatus as Record<string, number>, closed.counts.byStatus),
        byFindingCode: countDelta(live.byFindingCode as Record<string, number>, closed.counts.byFindingCode),
      };
      const changed = counts.orders !== 0 || Object.keys(counts.byStatus).length > 0 || Object.keys(counts.byFindingCode).length > 0 || Object.values(totals).some((t) => Object.keys(t).length > 0);
      if (changed) out.push({ period: source, snapshotId: closed.snapshotId, cutPosition: String(closed.cut), totals, counts });
    }
    return out;
  }

  /** The period's current close, or undefined when it is not closed (read again only when its stream moved). */
  private async closed(period: string): Promise<ClosedPeriod | undefined> {
    const revision = await this.events.streamRevision(periodStreamId(period));
    const cached = this.cache.get(period);
    if (cached && cached.revision === revision) return cached.closed;
    let closed: ClosedPeriod | undefined;
    if (revision !== 'no_stream') {
      const history = await readPeriod(this.events, period);
      const current = history.state.status === 'closed' ? history.snapshots.find((s) => s.current) : undefined;
      if (current) {
        const { totals, counts } = current.snapshot;
        closed = { snapshotId: current.snapshotId, cut: BigInt(current.closed.position), totals, counts: { orders: counts.orders, byStatus: { ...counts.byStatus }, byFindingCode: { ...counts.byFindingCode } } };
      }
    }
    this.cache.set(period, closed ? { revision, closed } : { revision });
    return closed;
  }
}
