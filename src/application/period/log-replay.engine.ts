/**
 * The audit replay engine (issue 7): rebuilds what the ledger knew at a log position from the log
 * alone and summarises it per accounting period — the computation behind a close snapshot, its audit
 * replay, and the as-of exception queue.
 *
 * How it runs (bounded memory, so a period of a million events replays within 512 MB):
 * 1. read `$all` forwards up to the bound, counting events and noting each order stream
 *    (`order-…`, `erp-unlinked-…`) and the ERP documents already linked into order streams;
 * 2. per noted stream, in stream-id order: read it, keep the events at or before the bound, fold them
 *    with the order domain (`orderStateFrom`) and reconcile at the cut time (`reconcileOrder` with
 *    `now` = cut, so grace windows expire exactly as they had at the cut), then fold the result into
 *    the period figures. Only one order's state is in memory at a time.
 *
 * A replay is heavy: replays run one at a time per engine, and the engine yields to the event loop
 * every few thousand events so the service keeps answering (health checks, other requests) while
 * it runs.
 *
 * PSP settlement batch streams (`settlement-<provider>-<batchId>`) are folded and checked the way the
 * live `reconciliation` projection does (`evaluateSettlementBatch`): their findings count in the
 * period of the payout date and their exceptions are open ones, but a batch is no order (no order
 * count, status or totals).
 *
 * An `erp-unlinked-<documentNumber>` stream whose document was linked into an order stream by the
 * bound is skipped (the order stream holds the document). Open exceptions are the findings that are
 * not auto-accepted and whose exception is active at the bound (`open`, `acknowledged`, `assigned`);
 * an exception opened when the last event it rests on was recorded (ledger time), so its age at the
 * cut is reproducible. Finding counts (`byFindingCode`) count every finding, decided or not.
 *
 * Human decisions (`ExceptionAcknowledged`, `…Assigned`, `…Resolved`, `…Reopened`, recorded in the
 * order stream) are folded with {@link ExceptionFold}, the lifecycle the live exception queue applies,
 * in log-position order: from the stream's first decision on, the order is evaluated before each
 * decision (its facts so far, `now` = the decision's ledger time: the finding as the decider saw
 * it) and after each later fact (`now` = that fact's ledger time), and finally at the cut. So an
 * exception resolved or written off at the bound is not open (and does not block a close), one
 * acknowledged or assigned is open with that status (and assignee), one reopened — by hand, or
 * because its finding disappeared and came back after the decision — is open again, aged from that
 * moment. The live queue evaluates per projection batch, not per event: it agrees with this fold
 * except when a finding disappears and comes back within one batch (the queue then never saw it go).
 * Every evaluation uses the replay's policy (the mappings at the bound), where the queue used the
 * mappings of its day: a mapping change between a decision and the bound that alone makes a finding
 * disappear and come back is seen by the one and not the other.
 *
 * A stream that cannot be folded or evaluated (a fact stored before the ingest checks existed: a
 * Scayle `confirmedAt` of `"garbage"`, a posting date in the year 0000) fails no replay: as the
 * projection runner dead-letters such an event, the replay leaves the stream's figures out (no order
 * count, status, totals or findings), counts it (`counts.unreadableStreams`) and lists it as an open
 * operations `SYNC_FAILURE` (`<stream>/SYNC_FAILURE/<order|settlement>/unreadable`, opened at the
 * ledger time of the event that cannot be read, which the explanation names). Its period is the
 * month of its first event's ledger time ({@link unreadableStreamPeriod}): its own times are what
 * cannot be read. Since rules version `reconcile/2025.7`; before, the whole replay failed (and a
 * close with it, for every period).
 *
 * Failed records (`ingest-failure-<failureId>` streams, `IngestionFailed`) are listed as the live
 * queue lists them — an operations `SYNC_FAILURE` per record, folded with its retries, dismissal and
 * decisions by the live queue's own rules ({@link foldIngestFailure}) — but only by a replay that is
 * not limited to a period: a failed record belongs to no accounting period (the live queue gives its
 * row none, so `period=` leaves it out there too), and so counts in no close snapshot or audit replay.
 *
 * The result is a pure function of (log up to the bound, cut time, policy, rules version).
 */
import { ExceptionFold, isActiveStatus } from '../../domain/exception/exception.fold';
import { isExceptionEvent } from '../../domain/exception/exception.events';
import type { OrderEventEnvelope } from '../../domain/order/order.events';
import { reconcileOrder, type OrderReconciliation } from '../../domain/order/order.reconcile';
import { initialOrderState, orderStateFrom, OrderStateBuilder } from '../../domain/order/order.state';
import type { ReconciliationPolicy } from '../../domain/order/reconciliation.policy';
import type { ReconciliationStatus, SideTotals } from '../../domain/order/reconciliation.types';
import type { OpenException, SnapshotTotals } from '../../domain/period/close-snapshot';
import { evaluateSettlementBatch, evolveSettlementBatch, initialSettlementBatchState, settlementBatchPeriod, type SettlementBatchEvaluation } from '../../domain/settlement/settlement.batch';
import { isDataError } from '../../domain/shared/errors';
import { FINDING_CODES } from '../../domain/shared/findings';
import { Money } from '../../domain/shared/money';
import { periodOfDate, periodOfInstant } from '../../domain/shared/period';
import { KeyedMutex } from '../ingest/keyed-mutex';
import { type EventStore, type RecordedEvent } from '../ports/event-store.port';
import { readStreamOrEmpty } from '../shared/read-stream';
import { locateUnreadable, unreadableStreamExceptionId, unreadableStreamPeriod, type UnreadableStream } from '../order/unreadable-stream';
import { ERP_UNLINKED_PREFIX, isOrderStream } from '../../domain/shared/streams';
import { isIngestFailureStream } from '../../domain/ingest/ingest-failure.exception';
import { foldIngestFailure, type IngestFailureAtBound } from './ingest-failure.replay';

/** Where a replay stops: at a log position (inclusive), or at the last event recorded at or before a ledger time. */
export type ReplayBound = { position: bigint } | { time: string };

/** Progress of a replay: `read` counts events of `$all`, `reconcile` order streams. */
export interface ReplayProgress {
  phase: 'read' | 'reconcile';
  done: number;
  /** Known total (streams in `reconcile`; the bound position for SQLite-style gap-free logs in `read`). */
  total?: number;
}

export interface ReplayOptions {
  bound: ReplayBound;
  /** `now` of the reconciliation: the cut time. */
  now: string;
  policy: ReconciliationPolicy;
  /** Only figures of this period (`YYYY-MM`); absent: every period, and the failed records (which have none). */
  period?: string;
  onProgress?: (p: ReplayProgress) => void;
  /** Stop collecting exceptions after this many (as-of queries); default unbounded. */
  exceptionLimit?: number;
  /** Only open exceptions of this owner, finding code and queue status (as-of queries; before the limit). */
  exceptionFilter?: ExceptionFilter;
}

/** Filters of the open exceptions an as-of query lists; an absent field does not filter. */
export interface ExceptionFilter {
  owner?: string;
  code?: string;
  /** Queue status at the point (`open`, `acknowledged`, `assigned`: the active ones are the only ones listed). */
  status?: string;
}

/** Figures of one period at the bound. */
export interface PeriodFigures {
  totals: SnapshotTotals;
  counts: { orders: number; byStatus: Partial<Record<ReconciliationStatus, number>>; byFindingCode: Record<string, number>; unreadableStreams: number };
  openExceptions: OpenException[];
}

export interface ReplayResult extends PeriodFigures {
  /** Events of `$all` at or before the bound. */
  eventsReplayed: number;
  /** The last position replayed (the bound, or the last event at or before the bound time). */
  position: bigint;
  /** True when `exceptionLimit` cut the exception list short. */
  exceptionsTruncated: boolean;
}

const isSettlementStream = (id: string): boolean => id.startsWith('settlement-');

/** Ledger time of an event: `metadata.recordedAt`, else the store's commit time. */
export const ledgerTimeOf = (e: Pick<RecordedEvent, 'metadata' | 'created'>): string => (typeof e.metadata.recordedAt === 'string' ? e.metadata.recordedAt : e.created);

/** Whether `e` is within `bound`. Times compare as instants. */
function within(e: RecordedEvent, bound: ReplayBound, boundMs: number): boolean {
  if ('position' in bound) return e.position <= bound.position;
  return Date.parse(ledgerTimeOf(e)) <= boundMs;
}

/** Lets timers and I/O run (a resolved `await` alone only runs microtasks). */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class LogReplayEngine {
  private readonly lock = new KeyedMutex();

  constructor(private readonly events: EventStore) {}

  /** Replays the log up to `options.bound` (see module docs); one replay at a time. */
  replay(options: ReplayOptions): Promise<ReplayResult> {
    return this.lock.run('replay', () => this.run(options));
  }

  private async run(options: ReplayOptions): Promise<ReplayResult> {
    const { bound } = options;
    const boundMs = 'time' in bound ? Date.parse(bound.time) : 0;
    if ('time' in bound && Number.isNaN(boundMs)) throw new RangeError(`Not an ISO-8601 time: ${bound.time}`);
    const streams = new Set<string>();
    const linkedDocuments = new Set<string>();
    let eventsReplayed = 0;
    let position = 0n;
    const progressTotal = 'position' in bound && this.events.kind === 'sqlite' && bound.position < BigInt(Number.MAX_SAFE_INTEGER) ? Number(bound.position) : undefined;
    for await (const e of this.events.readAll({ direction: 'forwards' })) {
      if (!within(e, bound, boundMs)) break;
      eventsReplayed++;
      position = e.position;
      if (isSettlementStream(e.streamId) && e.type === 'PspSettlementBatchRecorded') streams.add(e.streamId);
      if (options.period === undefined && e.type === 'IngestionFailed' && isIngestFailureStream(e.streamId)) streams.add(e.streamId);
      if (isOrderStream(e.streamId)) {
        streams.add(e.streamId);
        if (e.streamId.startsWith('order-') && e.type.startsWith('Erp')) {
          const doc = (e.data as { document?: { documentNumber?: string } }).document;
          if (doc?.documentNumber) linkedDocuments.add(doc.documentNumber);
        }
      }
      if (eventsReplayed % 5_000 === 0) {
        options.onProgress?.({ phase: 'read', done: eventsReplayed, ...(progressTotal !== undefined ? { total: progressTotal } : {}) });
        await yieldToLoop();
      }
    }
    options.onProgress?.({ phase: 'read', done: eventsReplayed, total: eventsReplayed });

    const figures = new FiguresAccumulator(options.exceptionLimit, options.exceptionFilter);
    const ids = [...streams].sort();
    streams.clear();
    let done = 0;
    for (const streamId of ids) {
      done++;
      if (done % 500 === 0) {
        options.onProgress?.({ phase: 'reconcile', done, total: ids.length });
        await yieldToLoop();
      }
      if (streamId.startsWith(ERP_UNLINKED_PREFIX) && linkedDocuments.has(streamId.slice(ERP_UNLINKED_PREFIX.length))) continue;
      const recorded = (await readStreamOrEmpty(this.events, streamId)).filter((e) => e.position <= position);
      if (recorded.length === 0) continue;
      if (isIngestFailureStream(streamId)) {
        const failure = foldIngestFailure(streamId, recorded, ledgerTimeOf);
        if (failure) figures.addIngestFailure(failure);
        continue;
      }
      let evaluated: StreamEvaluation | undefined;
      try {
        evaluated = isSettlementStream(streamId) ? evaluateBatchStream(recorded, options.now) : evaluateOrderStream(recorded, options.policy, options.now);
      } catch (err) {
        if (!isDataError(err)) throw err;
        const period = unreadableStreamPeriod(recorded, options.policy.timezone);
        if (options.period !== undefined && period !== undefined && period !== options.period) continue;
        const settlement = isSettlementStream(streamId);
        figures.addUnreadable(settlement ? locateUnreadableBatch(recorded, err) : locateUnreadableOrder(recorded, err, options.policy, options.now), settlement ? 'settlement' : 'order', settlement ? undefined : orderIdOf(recorded));
        continue;
      }
      if (!evaluated || (options.period !== undefined && evaluated.period !== options.period)) continue;
      if (evaluated.kind === 'batch') figures.addBatch(evaluated.batch, recorded, evaluated.decisions);
      else figures.add(evaluated.result, recorded, evaluated.decisions);
    }
    options.onProgress?.({ phase: 'reconcile', done: ids.length, total: ids.length });
    return { ...figures.result(), eventsReplayed, position, exceptionsTruncated: figures.truncated };
  }
}

/** One stream evaluated at the bound: an order (or parked ERP documents) or a PSP settlement batch, with its period. */
type StreamEvaluation =
  | { kind: 'order'; result: OrderReconciliation; period: string; decisions: ExceptionFold | undefined }
  | { kind: 'batch'; batch: SettlementBatchEvaluation; period: string; decisions: ExceptionFold | undefined };

/**
 * Folds and reconciles an order stream at `now` with its decisions; undefined when it holds no order
 * fact or belongs to no period.
 * @throws a data error ({@link isDataError}) when a stored event cannot be folded or evaluated.
 */
function evaluateOrderStream(recorded: readonly RecordedEvent[], policy: ReconciliationPolicy, now: string): StreamEvaluation | undefined {
  const state = orderStateFrom(recorded as unknown as OrderEventEnvelope<{ type: string; data: unknown }>[]);
  if (state.kind === 'empty') return undefined;
  const result = reconcileOrder(state, policy, now);
  const period = periodOf(result, recorded, policy.timezone);
  if (period === undefined) return undefined;
  return { kind: 'order', result, period, decisions: foldDecisions(recorded, result, policy, now) };
}

/**
 * Folds and checks a settlement batch stream with its decisions; undefined before its first report.
 * @throws DomainError `invalid_date` when the report's payout date has no period (the live view then
 *   counts it nowhere; the replay reports it as unreadable).
 */
function evaluateBatchStream(recorded: readonly RecordedEvent[], now: string): StreamEvaluation | undefined {
  let state = initialSettlementBatchState();
  for (const e of recorded) state = evolveSettlementBatch(state, e as { id: string; type: string; data: unknown; metadata: { occurredAt: string } });
  const batch = checkedBatch(state);
  if (!batch?.period) return undefined;
  return { kind: 'batch', batch, period: batch.period, decisions: foldBatchDecisions(recorded, batch, now) };
}

/** The event of an order stream that cannot be folded or reconciled ({@link locateUnreadable}). */
export function locateUnreadableOrder(recorded: readonly RecordedEvent[], failure: unknown, policy: ReconciliationPolicy, now: string): UnreadableStream {
  const builder = new OrderStateBuilder(initialOrderState());
  return locateUnreadable(
    recorded,
    failure,
    (e) => builder.add(e as unknown as OrderEventEnvelope<{ type: string; data: unknown }>),
    (prefix) => {
      const state = builder.result();
      if (state.kind !== 'empty') periodOf(reconcileOrder(state, policy, now), prefix, policy.timezone);
    },
  );
}

function locateUnreadableBatch(recorded: readonly RecordedEvent[], failure: unknown): UnreadableStream {
  let state = initialSettlementBatchState();
  return locateUnreadable(
    recorded,
    failure,
    (e) => (state = evolveSettlementBatch(state, e as { id: string; type: string; data: unknown; metadata: { occurredAt: string } })),
    () => void checkedBatch(state),
  );
}

/** {@link evaluateSettlementBatch}, refusing a report whose payout date has no period. */
function checkedBatch(state: ReturnType<typeof initialSettlementBatchState>): SettlementBatchEvaluation | undefined {
  const batch = evaluateSettlementBatch(state);
  if (batch && batch.period === null) settlementBatchPeriod(state.batch!);
  return batch;
}

/** The Scayle order id an order stream's facts name (`data.order.orderId`, `data.orderId`), where one does. */
function orderIdOf(recorded: readonly RecordedEvent[]): string | undefined {
  for (const e of recorded) {
    const data = e.data !== null && typeof e.data === 'object' ? (e.data as { order?: { orderId?: unknown } | null; orderId?: unknown }) : undefined;
    const id = (data?.order !== null && typeof data?.order === 'object' ? data.order.orderId : undefined) ?? data?.orderId;
    if (typeof id === 'string' && id.length > 0) return id;
  }
  return undefined;
}

/** Ids of the exceptions an evaluation finds: its findings that are not auto-accepted. */
const exceptionIdsOf = (r: OrderReconciliation): Set<string> => new Set(r.findings.filter((f) => !f.autoAccepted).map((f) => f.findingId));

/**
 * The human decisions of one order stream folded with the finding's presence (see the module docs),
 * ending with `atCut`, the evaluation at the bound; undefined when the stream holds no decision (every
 * exception is then `open`). `recorded` is in stream order, which is log-position order.
 * @throws DomainError as {@link reconcileOrder} for a malformed policy or time.
 */
export function foldDecisions(recorded: readonly RecordedEvent[], atCut: OrderReconciliation, policy: ReconciliationPolicy, now: string): ExceptionFold | undefined {
  const first = recorded.findIndex((e) => isExceptionEvent(e));
  if (first < 0) return undefined;
  const fold = new ExceptionFold();
  const builder = new OrderStateBuilder(initialOrderState());
  const evaluate = (at: string) => {
    const state = builder.result();
    fold.evaluated(state.kind === 'empty' ? new Set() : exceptionIdsOf(reconcileOrder(state, policy, at)), at);
  };
  for (const [i, e] of recorded.entries()) {
    if (isExceptionEvent(e)) {
      evaluate(ledgerTimeOf(e));
      fold.decided(e, ledgerTimeOf(e));
      continue;
    }
    builder.add(e as unknown as OrderEventEnvelope<{ type: string; data: unknown }>);
    if (i > first) evaluate(ledgerTimeOf(e));
  }
  fold.evaluated(exceptionIdsOf(atCut), now);
  return fold;
}

/**
 * {@link foldDecisions} for a PSP settlement batch stream: the decisions on its exceptions folded
 * with the presence of its findings after each report (a batch check needs no `now`), ending with
 * `atCut`; undefined when the stream holds no decision.
 */
export function foldBatchDecisions(recorded: readonly RecordedEvent[], atCut: SettlementBatchEvaluation, now: string): ExceptionFold | undefined {
  const first = recorded.findIndex((e) => isExceptionEvent(e));
  if (first < 0) return undefined;
  const fold = new ExceptionFold();
  const ids = (b: SettlementBatchEvaluation | undefined): Set<string> => new Set((b?.findings ?? []).filter((f) => !f.autoAccepted).map((f) => f.findingId));
  let state = initialSettlementBatchState();
  for (const [i, e] of recorded.entries()) {
    if (isExceptionEvent(e)) {
      fold.evaluated(ids(evaluateSettlementBatch(state)), ledgerTimeOf(e));
      fold.decided(e, ledgerTimeOf(e));
      continue;
    }
    state = evolveSettlementBatch(state, e as { id: string; type: string; data: unknown; metadata: { occurredAt: string } });
    if (i > first) fold.evaluated(ids(evaluateSettlementBatch(state)), ledgerTimeOf(e));
  }
  fold.evaluated(ids(atCut), now);
  return fold;
}

/**
 * Accounting period of a reconciled stream: the sale's period (DESIGN §7) once the order is known;
 * for facts without an order, the posting date of its first ERP document, else the source time of
 * its first fact in the company timezone.
 */
export function periodOf(result: OrderReconciliation, events: readonly RecordedEvent[], timezone: string): string | undefined {
  if (result.period) return result.period;
  for (const e of events) {
    const posting = (e.data as { document?: { postingDate?: string } }).document?.postingDate;
    if (e.type.startsWith('Erp') && posting) return periodOfDate(posting);
  }
  const first = events.find((e) => typeof e.metadata.occurredAt === 'string');
  return first ? periodOfInstant(first.metadata.occurredAt, timezone) : undefined;
}

/** Adds reconciliation results into period figures (totals, counts, open exceptions). */
export class FiguresAccumulator {
  private readonly sums = { scayle: new TotalsSum(), erp: new TotalsSum(), psp: new TotalsSum() };
  private orders = 0;
  private unreadableStreams = 0;
  private readonly byStatus: Partial<Record<ReconciliationStatus, number>> = {};
  private readonly byFindingCode: Record<string, number> = {};
  private readonly exceptions: OpenException[] = [];
  truncated = false;

  constructor(
    private readonly exceptionLimit = Number.POSITIVE_INFINITY,
    private readonly exceptionFilter: ExceptionFilter = {},
  ) {}

  /**
   * Adds one reconciled stream. `decisions`: its folded exception decisions ({@link foldDecisions});
   * a finding whose exception is not active there (resolved, written off) is no open exception.
   */
  add(result: OrderReconciliation, events: readonly RecordedEvent[], decisions?: ExceptionFold): void {
    this.orders++;
    this.byStatus[result.status] = (this.byStatus[result.status] ?? 0) + 1;
    for (const side of ['scayle', 'erp', 'psp'] as const) this.sums[side].add(result.totals[side]);
    this.addFindings(result, events, decisions);
  }

  /**
   * Adds a PSP settlement batch: its finding counts and open exceptions only (a batch is no order).
   * `decisions`: {@link foldBatchDecisions}.
   */
  addBatch(batch: SettlementBatchEvaluation, events: readonly RecordedEvent[], decisions?: ExceptionFold): void {
    this.addFindings({ subject: batch.subject, findings: batch.findings }, events, decisions);
  }

  /**
   * Adds a failed record's `SYNC_FAILURE` ({@link foldIngestFailure}) when it is active and matches
   * the filter. No figures: a failed record is no order, and no finding of a period.
   */
  addIngestFailure(e: IngestFailureAtBound): void {
    if (!isActiveStatus(e.status) || !this.admits(e)) return;
    this.exceptions.push(e);
  }

  /**
   * Adds a stream that cannot be folded or evaluated: no figures, one in `unreadableStreams`, and an
   * open operations `SYNC_FAILURE` naming the event (see the module docs).
   */
  addUnreadable(u: UnreadableStream, component: 'order' | 'settlement', orderId?: string): void {
    this.unreadableStreams++;
    const info = FINDING_CODES.SYNC_FAILURE;
    if (!this.admits({ owner: info.owner, code: 'SYNC_FAILURE', status: 'open' })) return;
    this.exceptions.push({
      exceptionId: unreadableStreamExceptionId(u.streamId, component),
      code: 'SYNC_FAILURE',
      owner: info.owner,
      severity: info.severity,
      subject: u.streamId,
      ...(orderId !== undefined ? { orderId } : {}),
      component,
      status: 'open',
      openedAt: u.recordedAt,
      explanation: `The stream cannot be read from its event ${u.eventType} ${u.eventId} at position ${String(u.position)}: ${u.reason}. Its figures are left out of the totals and counts; the event is kept as received (fix the source and send the fact again).`,
    });
  }

  private addFindings(result: Pick<OrderReconciliation, 'subject' | 'findings' | 'orderId'>, events: readonly RecordedEvent[], decisions: ExceptionFold | undefined): void {
    const recordedAt = new Map(events.map((e) => [e.id, ledgerTimeOf(e)]));
    for (const f of result.findings) {
      this.byFindingCode[f.code] = (this.byFindingCode[f.code] ?? 0) + 1;
      if (f.autoAccepted) continue;
      const decided = decisions?.get(f.findingId);
      if (decided && !isActiveStatus(decided.state.status)) continue;
      if (!this.admits({ owner: f.owner, code: f.code, status: decided?.state.status ?? 'open' })) continue;
      const times = f.eventIds.map((id) => recordedAt.get(id)).filter((t): t is string => t !== undefined);
      const openedAt = decided?.reopenedAt ?? (times.length > 0 ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : ledgerTimeOf(events[events.length - 1]!));
      this.exceptions.push({
        exceptionId: f.findingId,
        code: f.code,
        owner: f.owner,
        severity: f.severity,
        subject: result.subject,
        ...(result.orderId !== undefined ? { orderId: result.orderId } : {}),
        component: f.component,
        status: decided?.state.status ?? 'open',
        ...(decided?.state.assignee !== undefined ? { assignee: decided.state.assignee } : {}),
        openedAt,
        ...(f.delta ? { delta: f.delta } : {}),
        explanation: f.explanation,
      });
    }
  }

  /** Whether an active exception of this owner, code and status is listed: it matches the filter and the limit is not reached (else `truncated`). */
  private admits(e: { owner: string; code: string; status: string }): boolean {
    const { owner, code, status } = this.exceptionFilter;
    if ((owner !== undefined && e.owner !== owner) || (code !== undefined && e.code !== code) || (status !== undefined && e.status !== status)) return false;
    if (this.exceptions.length >= this.exceptionLimit) {
      this.truncated = true;
      return false;
    }
    return true;
  }

  result(): PeriodFigures {
    const totals: SnapshotTotals = { scayle: this.sums.scayle.totals(), erp: this.sums.erp.totals(), psp: this.sums.psp.totals() };
    return { totals, counts: { orders: this.orders, byStatus: { ...this.byStatus }, byFindingCode: { ...this.byFindingCode }, unreadableStreams: this.unreadableStreams }, openExceptions: this.exceptions };
  }
}

/** Sums side totals per currency, component and figure, exactly (Money), in first-seen key order sorted on output. */
export class TotalsSum {
  private readonly sums = new Map<string, Map<string, Map<string, Money>>>();

  add(from: SideTotals): void {
    for (const [cur, comps] of Object.entries(from)) {
      let byComp = this.sums.get(cur);
      if (!byComp) this.sums.set(cur, (byComp = new Map()));
      for (const [comp, figs] of Object.entries(comps ?? {})) {
        let byFig = byComp.get(comp);
        if (!byFig) byComp.set(comp, (byFig = new Map()));
        for (const [k, v] of Object.entries(figs ?? {})) {
          if (typeof v !== 'string') continue;
          const m = Money.parse(v, cur);
          const prev = byFig.get(k);
          byFig.set(k, prev ? prev.add(m) : m);
        }
      }
    }
  }

  /** The sums as side totals (decimal strings), keys sorted. */
  totals(): SideTotals {
    const out: Record<string, Record<string, Record<string, string>>> = {};
    for (const cur of [...this.sums.keys()].sort()) {
      const byComp = this.sums.get(cur)!;
      out[cur] = {};
      for (const comp of [...byComp.keys()].sort()) {
        const byFig = byComp.get(comp)!;
        out[cur][comp] = Object.fromEntries([...byFig.keys()].sort().map((k) => [k, byFig.get(k)!.toString()]));
      }
    }
    return out as SideTotals;
  }
}
