/**
 * The `reconciliation` projection: per order stream its reconciliation (status, findings with every
 * DESIGN §6 field, both sides' totals per component, period, pending counterparts), the exception
 * queue, and the live period summaries — one projection, because all three come from the same
 * evaluation and must move together.
 *
 * Evaluation: the order state is folded from the stream's events (`evolve`, through one
 * `OrderStateBuilder` per stream and batch), kept in a bounded
 * in-memory cache and, on a miss, rebuilt by reading the stream through the EventStore port up to
 * the batch. The order is evaluated once per batch, at its last event of the batch, with `now` =
 * that event's ledger time (`metadata.recordedAt`): a pure function of the log and the batch
 * boundaries, no clock. A finding that opens and closes within one batch is therefore not queued
 * (batches are at most `batchSize` events and `maxLatencyMs` long). Re-evaluation as grace windows
 * expire is the scheduler's ({@link ReconciliationProjection.reevaluate}).
 *
 * Mappings: an order is evaluated with the policy whose tax-code and item mappings are those the log
 * held before the batch ({@link ReconciliationPolicyProvider.at}). A mapping change
 * (`TaxCodeMappingsReplaced`, `ItemMappingsReplaced`) ends its batch and starts a re-evaluation of
 * every order with an ERP document (only ERP lines consult the mappings: tax codes, item numbers)
 * with the mappings as of that event, at that event's ledger time — before any later event is
 * applied, in steps of {@link REEVALUATION_STEP} orders, each committed with its progress (a
 * document in {@link REEVALUATIONS}), so a restart resumes it ({@link ReconciliationProjection.continueWork}).
 * A finding the new mappings clear resolves by itself, one they raise opens, the period summaries
 * move — the same reconciliations, exceptions and summaries a rebuild from the log gives.
 *
 * PSP settlement batches (`settlement-<provider>-<batchId>`): the batch stream is folded
 * (`evolveSettlementBatch`, the latest report wins) and checked (`evaluateSettlementBatch`: payout
 * vs its lines net of itemised fees) once per batch. Its document in `reconciliations` (`_id` = the
 * stream id, `orderId` null, `settlementBatch` with the check) carries the batch's findings; they are
 * queued as exceptions like an order's, resolve when a later report agrees, and count in the period
 * of the payout date — as finding codes only: a batch is no order (`orders`, `byStatus` and totals
 * stay the orders'; the lines' amounts are in their orders' PSP totals).
 */
import type { EventStore, RecordedEvent } from '../application/ports/event-store.port';
import { StreamNotFoundError } from '../application/ports/event-store.port';
import { readStreamOrEmpty } from '../application/shared/read-stream';
import type { JsonObject } from '../application/ports/read-model-store.port';
import type { ReconciliationPolicyProvider } from '../application/ports/reconciliation-policy.port';
import { isExceptionEvent } from '../domain/exception/exception.events';
import { ingestFailureExceptionId, ingestFailureStep, isIngestFailureStream } from '../domain/ingest/ingest-failure.exception';
import { FRESHNESS_STREAM, type FreshnessEvent, type StaleSyncDetected } from '../domain/freshness/freshness.events';
import type { OrderEventEnvelope } from '../domain/order/order.events';
import { reconcileOrder } from '../domain/order/order.reconcile';
import { initialOrderState, OrderStateBuilder, type OrderState } from '../domain/order/order.state';
import type { ReconciliationPolicy } from '../domain/order/reconciliation.policy';
import type { OrderReconciliation } from '../domain/order/reconciliation.types';
import { evaluateSettlementBatch, evolveSettlementBatch, initialSettlementBatchState, type SettlementBatchEvaluation } from '../domain/settlement/settlement.batch';
import { FINDING_CODES, type Finding } from '../domain/shared/findings';
import { periodOfDate, periodOfInstant } from '../domain/shared/period';
import { decide, EXCEPTIONS, observe, DEFAULT_SLA, type ExceptionDoc, type SlaPolicy } from './exception-queue';
import { sortedJsonCopy } from './json-copy';
import { applyContribution, emptySummary, PERIOD_SUMMARIES, type Contribution, type PeriodSummaryDoc } from './period-summary';
import type { BatchContext, DocKey, Projection, ProjectionUnit, WorkStep } from './projection';
import { ERP_UNLINKED_PREFIX, isOrderStream } from '../domain/shared/streams';
import { ITEM_MAPPINGS_STREAM, TAX_CODE_MAPPINGS_STREAM } from '../domain/mapping/mapping.events';

export const RECONCILIATIONS = 'reconciliations';
/** Progress of a re-evaluation after a mapping change: at most one document, {@link REEVALUATION_ID}. */
export const REEVALUATIONS = 'reconciliation_reevaluations';
export const REEVALUATION_ID = 'mappings';
/** Orders looked at per committed step of a re-evaluation. */
export const REEVALUATION_STEP = 100;

/** The re-evaluation owed after a mapping change (all decimal positions as strings). */
export interface ReevaluationDoc extends JsonObject {
  /** Log position of the mapping change: the mappings used, and the position the writes reflect. */
  position: string;
  /** Its ledger time: the `now` of the evaluations (never before an order's last evaluation). */
  now: string;
  /** Cursor of the next page of `reconciliations` (null: from the start). */
  cursor: string | null;
  /** Reconciliation documents looked at so far. */
  seen: number;
  /** Of those, orders whose evaluation changed and was written (the rest had no ERP document or came out the same). */
  changed: number;
}

const MAPPING_EVENT_TYPES: ReadonlySet<string> = new Set(['TaxCodeMappingsReplaced', 'ItemMappingsReplaced']);
/** A change of the mappings the reconciliation policy reads. */
const isMappingChange = (e: RecordedEvent): boolean => (e.streamId === TAX_CODE_MAPPINGS_STREAM || e.streamId === ITEM_MAPPINGS_STREAM) && MAPPING_EVENT_TYPES.has(e.type);

const isFreshnessStream = (s: string) => s === FRESHNESS_STREAM;
const isSettlementStream = (s: string) => s.startsWith('settlement-');
/**
 * The `erp-unlinked-…` stream an order-stream event was linked from (`metadata.linkedFrom`): the
 * document parked there before its order was known, now in the order stream.
 */
const linkedFromOf = (e: RecordedEvent): string | undefined => {
  const from = e.metadata.linkedFrom;
  return e.streamId.startsWith('order-') && typeof from === 'string' && from.startsWith(ERP_UNLINKED_PREFIX) ? from : undefined;
};
const ledgerTime = (e: Pick<RecordedEvent, 'metadata' | 'created'>): string => (typeof e.metadata.recordedAt === 'string' ? e.metadata.recordedAt : e.created);

/**
 * The reconciliation document (`_id` = the stream id). A PSP settlement batch's document also has
 * `settlementBatch`: the check of the report that counts (payout, Σ gross per line type, fees,
 * expected payout, drift; decimal strings in major units), or null when the report could not be
 * summed (its `DATA_QUALITY_WARNING` says why).
 */
export interface ReconciliationDoc extends JsonObject {
  streamId: string;
  subject: string;
  orderId: string | null;
  shopKey: string | null;
  countryCode: string | null;
  status: string;
  period: string | null;
  pending: string[];
  findings: JsonObject[];
  /** Every finding code (with repeats), for filters and the period counts. */
  findingCodes: string[];
  /** Ids of the exceptions (non-auto-accepted findings) currently open on this order. */
  exceptionIds: string[];
  totals: JsonObject;
  evaluatedAt: string;
  /** Ledger time at which a pending order should be looked at again (grace windows). */
  reviewAt: string | null;
  /** The order's exports to the ERP (issue 10, `OrderExportSummary`); null while the order is unknown. */
  exportState: JsonObject | null;
  /** Placeholder for the Scayle dispatch (filled by its issue). */
  dispatch: { failures: number };
}

interface CacheEntry {
  state: OrderState;
  position: bigint;
  firstPostingDate?: string;
  firstOccurredAt?: string;
  shopKey?: string;
  countryCode?: string;
  dispatchFailures: string[];
}

interface Evaluation {
  entry: CacheEntry;
  now: string;
  failures: { event: RecordedEvent; error: unknown }[];
  result?: OrderReconciliation;
  error?: unknown;
}

export interface ReconciliationProjectionOptions {
  /** Order states kept in memory (default 20,000). */
  cacheSize?: number;
  sla?: SlaPolicy;
  timezone: string;
  /** How long after an evaluation a pending order is re-evaluated, ms (default 15 min). */
  reviewAfterMs?: number;
}

export class ReconciliationProjection implements Projection {
  readonly name = 'reconciliation';
  readonly collections = [
    { name: RECONCILIATIONS, indexes: [{ fields: ['orderId'] }, { fields: ['period', 'status'] }, { fields: ['status', 'reviewAt'] }, { fields: ['findingCodes'], multi: ['findingCodes'] }] },
    {
      name: EXCEPTIONS,
      indexes: [
        { fields: ['owner', 'status'] },
        { fields: ['code'] },
        { fields: ['status'] },
        { fields: ['period'] },
        { fields: ['openedAt'] },
        { fields: ['streamId'] },
        // /metrics counts active exceptions per queue by age and overdue (one index range per count).
        { fields: ['owner', 'status', 'openedAt'] },
        { fields: ['owner', 'status', 'dueAt'] },
      ],
    },
    { name: PERIOD_SUMMARIES, indexes: [] },
    { name: REEVALUATIONS, indexes: [] },
  ];
  private readonly cache = new Map<string, CacheEntry>();
  private readonly evaluations = new Map<string, Evaluation>();
  private readonly batchEvaluations = new Map<string, { now: string; result?: SettlementBatchEvaluation; error?: unknown }>();
  private policy: ReconciliationPolicy | undefined;
  /** The policy of the next batch (the mappings before it); dropped at a mapping change. */
  private batchPolicy: ReconciliationPolicy | undefined;
  /** Whether a re-evaluation is owed (undefined: not known, look in the store). */
  private reevaluating: boolean | undefined;
  private readonly sla: SlaPolicy;

  constructor(
    private readonly events: EventStore,
    private readonly policies: ReconciliationPolicyProvider,
    private readonly options: ReconciliationProjectionOptions,
  ) {
    this.sla = options.sla ?? DEFAULT_SLA;
  }

  reset(): void {
    this.cache.clear();
    this.batchPolicy = undefined;
    this.reevaluating = undefined;
  }

  /** The policy with the mappings as the log held them at `position`. */
  private policyAt(position: bigint): Promise<ReconciliationPolicy> {
    return this.policies.at ? this.policies.at(position) : this.policies.current();
  }

  endsBatch(event: RecordedEvent): boolean {
    return isMappingChange(event);
  }

  keys(events: readonly RecordedEvent[]): DocKey[] {
    const keys: DocKey[] = [];
    for (const e of events) {
      if (isOrderStream(e.streamId) || isSettlementStream(e.streamId)) keys.push({ collection: RECONCILIATIONS, id: e.streamId });
      const linkedFrom = linkedFromOf(e);
      if (linkedFrom) keys.push({ collection: RECONCILIATIONS, id: linkedFrom });
      if (isExceptionEvent(e)) keys.push({ collection: EXCEPTIONS, id: e.data.exceptionId });
      if (isIngestFailureStream(e.streamId)) keys.push({ collection: EXCEPTIONS, id: ingestFailureExceptionId(e.streamId) });
      if (isFreshnessStream(e.streamId) && typeof (e.data as { checkId?: unknown } | null)?.checkId === 'string') keys.push({ collection: EXCEPTIONS, id: staleSyncExceptionId((e.data as { checkId: string }).checkId) });
    }
    return keys;
  }

  /**
   * Loads the policy and the states of streams not cached, folds the batch's events and evaluates
   * each order once; then prefetches the exceptions and period summaries the evaluations touch.
   */
  async prepare(events: readonly RecordedEvent[], load: (keys: DocKey[]) => Promise<void>, ctx: BatchContext, pause?: () => Promise<void>): Promise<void> {
    // A mapping change is always the last event of its batch (endsBatch): every order here is
    // evaluated with the mappings before the batch, and the change re-evaluates them all after it.
    this.batchPolicy ??= await this.policyAt(events[0]!.position - 1n);
    this.policy = this.batchPolicy;
    this.evaluations.clear();
    await this.prepareBatches(events, load, ctx, pause);
    const byStream = new Map<string, RecordedEvent[]>();
    for (const e of events) {
      if (!isOrderStream(e.streamId)) continue;
      const list = byStream.get(e.streamId) ?? [];
      list.push(e);
      byStream.set(e.streamId, list);
    }
    for (const [streamId, list] of byStream) {
      await pause?.();
      const first = list[0]!.position;
      let entry = this.cache.get(streamId);
      if (entry && entry.position < first) {
        this.cache.delete(streamId); // LRU: most recent last
      } else {
        entry = { state: initialOrderState(), position: 0n, dispatchFailures: [] };
        // The stream's events before this batch are exactly its revisions below the first one here:
        // read only those (none for a stream that starts in this batch, as most do in a rebuild).
        const before = list[0]!.revision;
        if (before > 0n) {
          try {
            const builder = new OrderStateBuilder(entry.state);
            for (const e of await this.events.readStream(streamId, { maxCount: Number(before) })) if (e.position < first) foldSafely(entry, e, builder);
            entry.state = builder.result();
          } catch (err) {
            if (!(err instanceof StreamNotFoundError)) throw err;
          }
        }
      }
      this.cache.set(streamId, entry);
      const failures: { event: RecordedEvent; error: unknown }[] = [];
      const builder = new OrderStateBuilder(entry.state);
      for (const e of list) {
        if (e.position <= entry.position) continue;
        try {
          fold(entry, e, builder);
        } catch (error) {
          entry.position = e.position;
          failures.push({ event: e, error });
        }
      }
      entry.state = builder.result();
      const now = ledgerTime(list[list.length - 1]!);
      try {
        this.evaluations.set(streamId, { failures, now, entry, result: reconcileOrder(entry.state, this.policy, now) });
      } catch (error) {
        this.evaluations.set(streamId, { failures, now, entry, error });
      }
    }
    const limit = this.options.cacheSize ?? 20_000;
    for (const key of this.cache.keys()) {
      if (this.cache.size <= limit) break;
      if (!byStream.has(key)) this.cache.delete(key);
    }
    const more: DocKey[] = [];
    for (const e of events) {
      const linkedFrom = linkedFromOf(e);
      const parked = linkedFrom ? ctx.get<ReconciliationDoc>(RECONCILIATIONS, linkedFrom) : undefined;
      for (const id of parked?.exceptionIds ?? []) more.push({ collection: EXCEPTIONS, id });
      if (parked?.period) more.push({ collection: PERIOD_SUMMARIES, id: parked.period });
    }
    for (const [streamId, ev] of this.evaluations) {
      const old = ctx.get<ReconciliationDoc>(RECONCILIATIONS, streamId);
      for (const id of old?.exceptionIds ?? []) more.push({ collection: EXCEPTIONS, id });
      if (old?.period) more.push({ collection: PERIOD_SUMMARIES, id: old.period });
      for (const f of ev.result?.findings ?? []) more.push({ collection: EXCEPTIONS, id: f.findingId });
      for (const id of ev.entry.dispatchFailures) more.push({ collection: EXCEPTIONS, id });
      const period = ev.result ? this.periodOf(ev.result, ev.entry) : null;
      if (period) more.push({ collection: PERIOD_SUMMARIES, id: period });
    }
    await load(more);
  }

  /**
   * Folds and checks each settlement batch stream of `events` up to its last event here (batch
   * streams are short: read whole), then prefetches the exceptions and summaries it touches.
   */
  private async prepareBatches(events: readonly RecordedEvent[], load: (keys: DocKey[]) => Promise<void>, ctx: BatchContext, pause?: () => Promise<void>): Promise<void> {
    this.batchEvaluations.clear();
    const last = new Map<string, RecordedEvent>();
    for (const e of events) if (isSettlementStream(e.streamId) && e.type === 'PspSettlementBatchRecorded') last.set(e.streamId, e);
    if (last.size === 0) return;
    const more: DocKey[] = [];
    for (const [streamId, lastEvent] of last) {
      await pause?.();
      const now = ledgerTime(lastEvent);
      try {
        let state = initialSettlementBatchState();
        for (const e of await readStreamOrEmpty(this.events, streamId)) if (e.position <= lastEvent.position) state = evolveSettlementBatch(state, e as { id: string; type: string; data: unknown; metadata: { occurredAt: string } });
        const result = evaluateSettlementBatch(state);
        this.batchEvaluations.set(streamId, { now, ...(result ? { result } : {}) });
        for (const f of result?.findings ?? []) more.push({ collection: EXCEPTIONS, id: f.findingId });
        if (result?.period) more.push({ collection: PERIOD_SUMMARIES, id: result.period });
      } catch (error) {
        this.batchEvaluations.set(streamId, { now, error });
      }
      const old = ctx.get<ReconciliationDoc>(RECONCILIATIONS, streamId);
      for (const id of old?.exceptionIds ?? []) more.push({ collection: EXCEPTIONS, id });
      if (old?.period) more.push({ collection: PERIOD_SUMMARIES, id: old.period });
    }
    await load(more);
  }

  /**
   * Re-evaluates pending orders at `now` (the scheduler, as grace windows expire): each order's state
   * is folded from its stream up to the checkpoint (`ctx.position`), reconciled at `now`, and written
   * with its exceptions and period summaries at the checkpoint position. Orders no longer pending
   * are left alone. Returns the stream ids re-evaluated.
   */
  async reevaluate(streamIds: readonly string[], now: string, ctx: BatchContext, load: (keys: DocKey[]) => Promise<void>): Promise<string[]> {
    this.policy = await this.policyAt(ctx.position);
    await load(streamIds.map((id) => ({ collection: RECONCILIATIONS, id })));
    const done: string[] = [];
    for (const streamId of streamIds) {
      const old = ctx.get<ReconciliationDoc>(RECONCILIATIONS, streamId);
      if (!old || old.status !== 'pending') continue;
      const entry: CacheEntry = { state: initialOrderState(), position: 0n, dispatchFailures: [] };
      try {
        const builder = new OrderStateBuilder(entry.state);
        for (const e of await this.events.readStream(streamId)) if (e.position <= ctx.position) foldSafely(entry, e, builder);
        entry.state = builder.result();
      } catch (err) {
        if (!(err instanceof StreamNotFoundError)) throw err;
        continue;
      }
      const result = reconcileOrder(entry.state, this.policy, now);
      const period = this.periodOf(result, entry);
      const keys: DocKey[] = [...old.exceptionIds, ...result.findings.map((f) => f.findingId), ...entry.dispatchFailures].map((id) => ({ collection: EXCEPTIONS, id }));
      for (const p of [old.period, period]) if (p) keys.push({ collection: PERIOD_SUMMARIES, id: p });
      await load(keys);
      this.apply(ctx, streamId, entry, result, now);
      done.push(streamId);
    }
    return done;
  }

  /**
   * A mapping change: records the re-evaluation it owes, done by {@link continueWork} before any
   * later event. A change while one is owed starts it again from the first order with the newer
   * mappings.
   */
  private startReevaluation(ctx: BatchContext, e: RecordedEvent): void {
    const doc: ReevaluationDoc = { position: String(e.position), now: ledgerTime(e), cursor: null, seen: 0, changed: 0 };
    ctx.put(REEVALUATIONS, REEVALUATION_ID, doc);
    this.reevaluating = true;
    this.batchPolicy = undefined;
  }

  /**
   * One step of the re-evaluation a mapping change owes ({@link REEVALUATIONS}): the next
   * {@link REEVALUATION_STEP} reconciliation documents in id order. An order whose last evaluation saw
   * an ERP document (ERP totals present) is folded from its stream up to the change and reconciled
   * with the mappings as of the change, at its ledger time (or the order's last evaluation time, if
   * later: grace windows never run backwards), and written with its exceptions and period summaries
   * as {@link reevaluate} does, unless nothing but the evaluation time would change. Orders with no
   * ERP document, settlement batches and parked documents with no order are left alone: the mappings
   * are read only by the rules on ERP lines of a known order. An order whose evaluation throws is
   * left as it was (its own events were dead-lettered when it threw then). The progress is written
   * in the same commit; the last step deletes it.
   * @returns whether more steps remain.
   */
  async continueWork({ ctx, load, find, pause }: WorkStep): Promise<boolean> {
    if (this.reevaluating === false) return false;
    await load([{ collection: REEVALUATIONS, id: REEVALUATION_ID }]);
    const owed = ctx.get<ReevaluationDoc>(REEVALUATIONS, REEVALUATION_ID);
    this.reevaluating = owed !== undefined;
    if (!owed) return false;
    const position = BigInt(owed.position);
    this.policy = await this.policyAt(position);
    const page = await find<ReconciliationDoc>(RECONCILIATIONS, { limit: REEVALUATION_STEP, ...(owed.cursor ? { after: owed.cursor } : {}) });
    const evaluated: { streamId: string; entry: CacheEntry; result: OrderReconciliation; now: string }[] = [];
    const keys: DocKey[] = [];
    for (const { _id: streamId, doc: old } of page.items) {
      if (!isOrderStream(streamId) || Object.keys(old.totals?.erp ?? {}).length === 0) continue;
      await pause();
      const entry = await this.stateAt(streamId, position);
      if (!entry) continue;
      const now = old.evaluatedAt > owed.now ? old.evaluatedAt : owed.now;
      let result: OrderReconciliation;
      try {
        result = reconcileOrder(entry.state, this.policy, now);
      } catch {
        continue;
      }
      if (sameEvaluation(old, this.document(streamId, entry, result, this.periodOf(result, entry), now))) continue;
      evaluated.push({ streamId, entry, result, now });
      keys.push({ collection: RECONCILIATIONS, id: streamId });
      for (const id of [...old.exceptionIds, ...result.findings.map((f) => f.findingId), ...entry.dispatchFailures]) keys.push({ collection: EXCEPTIONS, id });
      for (const p of [old.period, this.periodOf(result, entry)]) if (p) keys.push({ collection: PERIOD_SUMMARIES, id: p });
    }
    await load(keys);
    for (const { streamId, entry, result, now } of evaluated) {
      await pause();
      this.apply(ctx, streamId, entry, result, now);
    }
    if (page.next) {
      const next: ReevaluationDoc = { ...owed, cursor: page.next, seen: owed.seen + page.items.length, changed: owed.changed + evaluated.length };
      ctx.put(REEVALUATIONS, REEVALUATION_ID, next);
      return true;
    }
    ctx.delete(REEVALUATIONS, REEVALUATION_ID);
    this.reevaluating = false;
    return false;
  }

  /** The order's state folded up to `position`: the cached one when it is there, else read from its stream. */
  private async stateAt(streamId: string, position: bigint): Promise<CacheEntry | undefined> {
    const cached = this.cache.get(streamId);
    if (cached && cached.position <= position) return cached;
    const entry: CacheEntry = { state: initialOrderState(), position: 0n, dispatchFailures: [] };
    try {
      const builder = new OrderStateBuilder(entry.state);
      for (const e of await this.events.readStream(streamId)) if (e.position <= position) foldSafely(entry, e, builder);
      entry.state = builder.result();
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw err;
      return undefined;
    }
    return entry;
  }

  units(events: readonly RecordedEvent[]): ProjectionUnit[] {
    const byStream = new Map<string, RecordedEvent[]>();
    for (const e of events) {
      const list = byStream.get(e.streamId) ?? [];
      list.push(e);
      byStream.set(e.streamId, list);
    }
    const units: ProjectionUnit[] = [];
    for (const [streamId, list] of byStream) {
      if (isOrderStream(streamId)) units.push({ events: list, run: (ctx) => this.runOrder(ctx, streamId, list) });
      else if (isIngestFailureStream(streamId)) units.push({ events: list, run: (ctx) => this.runFailure(ctx, streamId, list) });
      else if (isFreshnessStream(streamId)) units.push({ events: list, run: (ctx) => this.runFreshness(ctx, streamId, list) });
      else if (isSettlementStream(streamId) && this.batchEvaluations.has(streamId)) units.push({ events: list, run: (ctx) => this.runSettlementBatch(ctx, streamId, list) });
      // Decisions on the SYNC_FAILURE of an event dead-lettered in any other stream (settlement-…, period-…).
      else if (list.some(isExceptionEvent)) units.push({ events: list, run: (ctx) => this.runDecisions(ctx, list) });
      else if (list.some(isMappingChange)) units.push({ events: list, run: (ctx) => this.startReevaluation(ctx, list.filter(isMappingChange).pop()!) });
    }
    return units.sort((a, b) => (a.events[a.events.length - 1]!.position < b.events[b.events.length - 1]!.position ? -1 : 1));
  }

  private runOrder(ctx: BatchContext, streamId: string, events: readonly RecordedEvent[]): void {
    const ev = this.evaluations.get(streamId);
    if (!ev) throw new Error(`order ${streamId} was not prepared`);
    for (const f of ev.failures) ctx.fail(f.event, f.error);
    if (ev.error !== undefined) throw ev.error;
    this.apply(ctx, streamId, ev.entry, ev.result!, ev.now);
    for (const e of events) {
      if (isExceptionEvent(e)) decide(ctx, e, ledgerTime(e));
      const linkedFrom = linkedFromOf(e);
      if (linkedFrom) this.retireParked(ctx, linkedFrom, ledgerTime(e));
    }
  }

  /**
   * A parked document was linked into its order stream: the parked stream is no order of its own
   * any more (the close snapshot and the audit replay skip it too, see LogReplayEngine). Its
   * contribution leaves the period summary, its exceptions' findings are gone (active ones resolve
   * by themselves) and its reconciliation document is removed. A document parked there later (a
   * revision that raced the link) brings it back until that one is linked as well.
   */
  private retireParked(ctx: BatchContext, streamId: string, now: string): void {
    const old = ctx.get<ReconciliationDoc>(RECONCILIATIONS, streamId);
    if (!old) return;
    if (old.period) this.contribute(ctx, old.period, contributionOf(old), -1);
    for (const id of old.exceptionIds) {
      const prior = ctx.get<ExceptionDoc>(EXCEPTIONS, id);
      if (prior) observe(ctx, this.sla, false, now, { ...subjectOf(prior), extra: {} });
    }
    ctx.delete(RECONCILIATIONS, streamId);
    this.cache.delete(streamId);
  }

  private periodOf(result: OrderReconciliation, entry: CacheEntry): string | null {
    return result.period ?? (entry.firstPostingDate ? periodOfDate(entry.firstPostingDate) : entry.firstOccurredAt ? periodOfInstant(entry.firstOccurredAt, this.options.timezone) : null);
  }

  /** Writes one evaluation: the order document, its exceptions, and the period summaries. */
  private apply(ctx: BatchContext, streamId: string, entry: CacheEntry, result: OrderReconciliation, now: string): void {
    const old = ctx.get<ReconciliationDoc>(RECONCILIATIONS, streamId);
    const period = this.periodOf(result, entry);
    const doc = this.document(streamId, entry, result, period, now);
    this.replaceContribution(ctx, old, doc, period);
    const present = this.observeFindings(ctx, streamId, result, period, now);
    for (const id of entry.dispatchFailures) {
      present.add(id);
      const info = FINDING_CODES.SYNC_FAILURE;
      observe(ctx, this.sla, true, now, {
        exceptionId: id,
        streamId,
        subject: result.subject,
        code: 'SYNC_FAILURE',
        owner: info.owner,
        severity: info.severity,
        component: 'order',
        explanation: 'A command to Scayle failed to dispatch; retry it (POST /v1/outbox/{commandId}/retry) or resolve it by hand',
        extra: { orderId: result.orderId ?? null, period },
      });
    }
    this.settle(ctx, streamId, old, doc, present, now);
  }

  /** Period summaries: takes the old document's contribution out and puts the new one in. */
  private replaceContribution(ctx: BatchContext, old: ReconciliationDoc | undefined, doc: ReconciliationDoc, period: string | null): void {
    if (old?.period) this.contribute(ctx, old.period, contributionOf(old), -1);
    if (period) this.contribute(ctx, period, contributionOf(doc), 1);
  }

  /** Observes every finding that is not auto-accepted as a present exception (an order's or a PSP batch's); answers their ids. */
  private observeFindings(ctx: BatchContext, streamId: string, result: { subject: string; orderId?: string; findings: readonly Finding[] }, period: string | null, now: string): Set<string> {
    const present = new Set<string>();
    for (const f of result.findings) {
      if (f.autoAccepted) continue;
      present.add(f.findingId);
      observe(ctx, this.sla, true, now, {
        exceptionId: f.findingId,
        streamId,
        subject: result.subject,
        code: f.code,
        owner: f.owner,
        severity: f.severity,
        component: f.component,
        explanation: f.explanation,
        extra: { orderId: result.orderId ?? null, period, finding: toJson(f) },
      });
    }
    return present;
  }

  /**
   * Marks the old document's exceptions that are no longer present as absent, and stores the
   * document as JSON with sorted keys (its findings and export state are still the evaluation's
   * objects until here: one copy instead of a JSON round trip and a sort).
   */
  private settle(ctx: BatchContext, streamId: string, old: ReconciliationDoc | undefined, doc: ReconciliationDoc, present: ReadonlySet<string>, now: string): void {
    for (const id of old?.exceptionIds ?? []) {
      if (present.has(id)) continue;
      const prior = ctx.get<ExceptionDoc>(EXCEPTIONS, id);
      if (prior) observe(ctx, this.sla, false, now, { ...subjectOf(prior), extra: {} });
    }
    doc.exceptionIds = [...present].sort();
    ctx.put(RECONCILIATIONS, streamId, sortedJsonCopy(doc) as ReconciliationDoc);
  }

  private contribute(ctx: BatchContext, period: string, c: Contribution, sign: 1 | -1): void {
    const current = ctx.get<PeriodSummaryDoc>(PERIOD_SUMMARIES, period) ?? emptySummary(period);
    ctx.put(PERIOD_SUMMARIES, period, applyContribution(current, c, sign));
  }

  private document(streamId: string, entry: CacheEntry, r: OrderReconciliation, period: string | null, now: string): ReconciliationDoc {
    const reviewAt = r.status === 'pending' ? new Date(Date.parse(now) + (this.options.reviewAfterMs ?? 15 * 60_000)).toISOString() : null;
    return {
      streamId,
      subject: r.subject,
      orderId: r.orderId ?? null,
      shopKey: entry.shopKey ?? null,
      countryCode: entry.countryCode ?? null,
      status: r.status,
      period,
      pending: [...r.pending],
      findings: r.findings as unknown as JsonObject[], // made JSON by settle()
      findingCodes: r.findings.map((f) => f.code),
      exceptionIds: [],
      totals: sortedJsonCopy(r.totals) as JsonObject, // JSON already: the period contribution reads it
      evaluatedAt: now,
      reviewAt,
      exportState: (r.erpExport ?? null) as JsonObject | null, // made JSON by settle()
      dispatch: { failures: entry.dispatchFailures.length },
    };
  }

  /**
   * STALE_SYNC findings of the freshness monitor (issue 9): `StaleSyncDetected` opens (or re-opens)
   * the check's operations exception, `StaleSyncCleared` marks the finding gone; human decisions on
   * it go through the exception workflow like any other.
   */
  private runFreshness(ctx: BatchContext, streamId: string, events: readonly RecordedEvent[]): void {
    const info = FINDING_CODES.STALE_SYNC;
    for (const e of events) {
      const at = ledgerTime(e);
      if (isExceptionEvent(e)) {
        decide(ctx, e, at);
        continue;
      }
      if (e.type !== 'StaleSyncDetected' && e.type !== 'StaleSyncCleared') continue;
      const d = (e as unknown as FreshnessEvent).data;
      const exceptionId = staleSyncExceptionId(d.checkId);
      if (e.type === 'StaleSyncDetected') {
        const detected = (e as unknown as StaleSyncDetected).data;
        observe(ctx, this.sla, true, at, {
          exceptionId,
          streamId,
          subject: d.checkId,
          code: 'STALE_SYNC',
          owner: info.owner,
          severity: info.severity,
          component: 'sync',
          explanation: detected.message,
          extra: { staleSync: { checkId: d.checkId, kind: d.kind, details: detected.details } },
        });
      } else {
        const doc = ctx.get<ExceptionDoc>(EXCEPTIONS, exceptionId);
        if (doc) observe(ctx, this.sla, false, at, { ...subjectOf(doc), extra: {} });
      }
    }
  }

  /**
   * A settlement batch stream: writes its document, opens its findings as exceptions and resolves
   * those no longer found, and moves its finding codes between period summaries; then applies the
   * decisions on its exceptions in this batch.
   */
  private runSettlementBatch(ctx: BatchContext, streamId: string, events: readonly RecordedEvent[]): void {
    const ev = this.batchEvaluations.get(streamId)!;
    if (ev.error !== undefined) throw ev.error;
    const result = ev.result;
    if (result) {
      const old = ctx.get<ReconciliationDoc>(RECONCILIATIONS, streamId);
      const period = result.period;
      const check = result.check;
      const doc: ReconciliationDoc = {
        streamId,
        subject: result.subject,
        orderId: null,
        shopKey: null,
        countryCode: null,
        status: check?.status ?? 'drift',
        period,
        pending: [],
        findings: result.findings as unknown as JsonObject[], // made JSON by settle()
        findingCodes: result.findings.map((f) => f.code),
        exceptionIds: [],
        totals: { scayle: {}, erp: {}, psp: {} },
        evaluatedAt: ev.now,
        reviewAt: null,
        exportState: null,
        dispatch: { failures: 0 },
        settlementBatch: (check ?? null) as JsonObject | null, // made JSON by settle()
      };
      this.replaceContribution(ctx, old, doc, period);
      this.settle(ctx, streamId, old, doc, this.observeFindings(ctx, streamId, result, period, ev.now), ev.now);
    }
    this.runDecisions(ctx, events);
  }

  private runDecisions(ctx: BatchContext, events: readonly RecordedEvent[]): void {
    for (const e of events) if (isExceptionEvent(e)) decide(ctx, e, ledgerTime(e));
  }

  /** A failed record's stream: its events folded into its `SYNC_FAILURE` exception by the rules of {@link ingestFailureStep}. */
  private runFailure(ctx: BatchContext, streamId: string, events: readonly RecordedEvent[]): void {
    const exceptionId = ingestFailureExceptionId(streamId);
    for (const e of events) {
      const at = ledgerTime(e);
      const step = ingestFailureStep(streamId, e);
      if (!step) continue;
      switch (step.kind) {
        case 'failed': {
          const { failure, ...subject } = step.exception;
          observe(ctx, this.sla, true, at, { ...subject, extra: { failure: { ...failure } } });
          break;
        }
        case 'retried': {
          const doc = ctx.get<ExceptionDoc>(EXCEPTIONS, exceptionId);
          if (doc) observe(ctx, this.sla, false, at, { ...subjectOf(doc), extra: {} });
          break;
        }
        case 'retry_failed': {
          const doc = ctx.get<ExceptionDoc>(EXCEPTIONS, exceptionId);
          if (doc) ctx.put(EXCEPTIONS, exceptionId, { ...doc, lastChangedAt: at, history: [...doc.history, { at, what: 'retry_failed', by: step.by, ...(step.message ? { note: step.message } : {}) }].slice(-50) });
          break;
        }
        case 'decided':
          decide(ctx, step.decision, at);
          break;
        default: {
          const unreachable: never = step;
          return unreachable;
        }
      }
    }
  }
}

/** Exception id of a STALE_SYNC check: one per check (`erp_behind_scayle`, `projection_lag:<name>`…). */
export const staleSyncExceptionId = (checkId: string) => `freshness/STALE_SYNC/${checkId}`;

function subjectOf(doc: ExceptionDoc) {
  return {
    exceptionId: doc.exceptionId,
    streamId: doc.streamId,
    subject: doc.subject,
    code: doc.code,
    owner: doc.owner as 'finance',
    severity: doc.severity as 'error',
    component: doc.component,
    explanation: doc.explanation,
  };
}

/** Folds an already-stored event when rebuilding a state; an event evolve rejects was dead-lettered then. */
function foldSafely(entry: CacheEntry, e: RecordedEvent, builder: OrderStateBuilder): void {
  try {
    fold(entry, e, builder);
  } catch {
    entry.position = e.position;
  }
}

/** Folds `e` into `builder` (its result becomes `entry.state` at the end of the fold) and the entry's other fields. */
function fold(entry: CacheEntry, e: RecordedEvent, builder: OrderStateBuilder): void {
  entry.position = e.position;
  builder.add(e as unknown as OrderEventEnvelope<{ type: string; data: unknown }>);
  if (typeof e.metadata.occurredAt === 'string' && (!entry.firstOccurredAt || e.metadata.occurredAt < entry.firstOccurredAt)) entry.firstOccurredAt = e.metadata.occurredAt;
  const data = e.data as { document?: { postingDate?: string }; order?: { shopKey?: string; countryCode?: string }; shopKey?: string; countryCode?: string; commandId?: string };
  if (e.type.startsWith('Erp') && data.document?.postingDate && !entry.firstPostingDate) entry.firstPostingDate = data.document.postingDate;
  entry.shopKey ??= data.order?.shopKey ?? data.shopKey;
  entry.countryCode ??= data.order?.countryCode ?? data.countryCode;
  if (e.type === 'ScayleDispatchFailed' && data.commandId) {
    const id = `${e.streamId}/SYNC_FAILURE/order/dispatch:${data.commandId}`;
    if (!entry.dispatchFailures.includes(id)) entry.dispatchFailures = [...entry.dispatchFailures, id].sort();
  }
  if (e.type === 'RefundRecordedInScayle') {
    const refundId = (e.data as { refundId?: string }).refundId;
    entry.dispatchFailures = entry.dispatchFailures.filter((id) => !id.endsWith(`/dispatch:${refundId}`));
  }
}

/** Whether a new evaluation would store what the old document holds, apart from when it was made. */
function sameEvaluation(old: ReconciliationDoc, doc: ReconciliationDoc): boolean {
  const strip = (d: ReconciliationDoc) => JSON.stringify(sortedJsonCopy({ ...d, evaluatedAt: '', reviewAt: null, exceptionIds: [] }));
  return strip(old) === strip(doc);
}

function contributionOf(doc: ReconciliationDoc): Contribution {
  const c: Contribution = { period: doc.period!, status: doc.status, findingCodes: doc.findingCodes, totals: doc.totals as unknown as Contribution['totals'] };
  return isSettlementStream(doc.streamId) ? { ...c, order: false } : c;
}

function toJson<T>(value: T): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
