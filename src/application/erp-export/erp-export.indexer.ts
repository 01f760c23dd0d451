import type { ErpExportFailed, OrderExportedToErp, OrderExportRequested } from '../../domain/erp-export/erp-export.events';
import { ITEM_MAPPINGS_STREAM, TAX_CODE_MAPPINGS_STREAM } from '../../domain/mapping/mapping.events';
import { schemaRefusalOf } from '../../domain/event-schema/upcaster-registry';
import { SCAYLE_ORDER_FACT_TYPES } from '../../domain/order/order.events';
import type { Clock } from '../ports/clock.port';
import type { AllSubscription, EventStore, RecordedEvent } from '../ports/event-store.port';
import type { ErpExportEntry, ErpExportOutcome, ErpExportStore, IndexChanges } from '../ports/erp-export-store.port';

/** Events that may make an order due for an export (a sale or a credit). */
const DUE_TYPES = new Set<string>([...SCAYLE_ORDER_FACT_TYPES, 'ScaylePaymentRefunded', 'LineItemsCorrected', 'OrderExportedToErp']);
const MAPPING_STREAMS = new Set([TAX_CODE_MAPPINGS_STREAM, ITEM_MAPPINGS_STREAM]);
/** Events consumed before the checkpoint moves, while catching up. */
const FLUSH_EVERY = 1000;
/** Once live, changes are stored this many ms after the first of a burst. */
const LIVE_FLUSH_MS = 5;

export interface IndexerLogger {
  error(obj: object, msg: string): void;
}

/** The index entry of a recorded `OrderExportRequested`. */
export function entryOfRequest(event: RecordedEvent, data: OrderExportRequested['data'], nowIso: string): ErpExportEntry {
  return {
    exportId: data.exportId,
    streamId: event.streamId,
    orderId: data.orderId,
    documentKind: data.documentKind,
    category: data.category,
    sequence: data.sequence,
    documentNumber: data.documentNumber,
    postingDate: data.postingDate,
    period: data.postingDate.slice(0, 7),
    status: 'pending',
    attempts: 0,
    position: event.position,
    requestedAt: data.requestedAt,
    updatedAt: nowIso,
  };
}

/** The index outcome of a recorded `OrderExportedToErp` or `ErpExportFailed`. */
export function outcomeOfEvent(event: RecordedEvent): ErpExportOutcome | undefined {
  if (event.type === 'OrderExportedToErp') {
    const d = event.data as OrderExportedToErp['data'];
    return { exportId: d.exportId, position: event.position, status: 'exported', at: d.exportedAt, attempts: d.attempt, erpDocumentNumber: d.erpDocumentNumber, payloadHash: d.payloadHash };
  }
  if (event.type === 'ErpExportFailed') {
    const d = event.data as ErpExportFailed['data'];
    return {
      exportId: d.exportId,
      position: event.position,
      status: d.reason === 'mapping_missing' ? 'blocked' : 'failed',
      at: d.failedAt,
      attempts: d.attempt,
      reason: d.reason,
      ...(d.missing ? { missing: d.missing } : {}),
      error: d.message,
    };
  }
  return undefined;
}

/**
 * Keeps the export index in step with the log (the outbox's pattern: a catch-up subscription to
 * `$all` with its own checkpoint, stored with the changes it caused in one transaction):
 * order facts that may make an export due mark their order for planning; export requests and
 * outcomes add and settle entries; a change of the tax-code or item mappings re-opens the entries a
 * missing mapping blocked (they are then exported automatically).
 */
export class ErpExportIndexer {
  private subscription: AllSubscription | undefined;
  private loop: Promise<void> | undefined;
  private stopped = true;
  /** Position the index reflects (changes stored, or nothing to store). */
  private consumedTo = 0n;
  /** Position of the last event seen, and of the stored checkpoint. */
  private seen = 0n;
  private stored = 0n;
  private changes: IndexChanges = empty();
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly events: EventStore,
    private readonly store: ErpExportStore,
    private readonly clock: Clock,
    private readonly logger: IndexerLogger,
  ) {}

  /** Log position consumed so far. */
  get consumed(): bigint {
    return this.consumedTo;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.consumedTo = await this.store.checkpoint();
    this.seen = this.consumedTo;
    this.stored = this.consumedTo;
    this.changes = empty();
    const sub = this.events.subscribeToAll({ fromPosition: this.consumedTo === 0n ? 'start' : this.consumedTo });
    this.subscription = sub;
    this.loop = this.consume(sub);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.loop;
    this.notify();
  }

  /** Resolves once the index reflects the log up to `position`; rejects after `timeoutMs`. */
  async reach(position: bigint, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.consumedTo < position) {
      if (this.stopped) throw new Error('the export indexer is not running');
      if (Date.now() > deadline) throw new Error(`the export index did not reach position ${String(position)} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 20);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  private notify(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    ws.forEach((w) => w());
  }

  private async consume(sub: AllSubscription): Promise<void> {
    let live = false;
    let unflushed = 0;
    try {
      for await (const message of sub) {
        if (this.stopped) break;
        if (message.kind === 'caughtUp') {
          live = true;
          if (message.position > this.seen) this.seen = message.position;
          await this.flush();
          unflushed = 0;
          continue;
        }
        const event = message.event;
        this.seen = event.position;
        const changed = this.apply(event, this.changes);
        unflushed++;
        if (!live) {
          if (unflushed >= FLUSH_EVERY) {
            await this.flush();
            unflushed = 0;
          }
        } else if (changed || this.timer) {
          // Live: coalesce the writes of a burst of facts into one transaction a few ms later.
          this.timer ??= setTimeout(() => {
            this.timer = undefined;
            void this.flush();
          }, LIVE_FLUSH_MS);
        } else {
          // Nothing to write: the index already reflects this event (the checkpoint follows later).
          this.consumedTo = event.position;
          this.notify();
          if (unflushed >= FLUSH_EVERY) {
            await this.flush();
            unflushed = 0;
          }
        }
      }
    } catch (err) {
      if (!this.stopped) this.logger.error({ err }, 'ERP export indexer subscription failed');
    } finally {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      await this.flush().catch((err: unknown) => this.logger.error({ err }, 'ERP export indexer could not store its last changes'));
    }
  }

  /** Stores the changes seen so far with the checkpoint, one flush at a time. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const to = this.seen;
      const batch = this.changes;
      this.changes = empty();
      if (to <= this.stored && isEmpty(batch)) return;
      await this.store.advance(to, batch);
      this.stored = to;
      if (to > this.consumedTo) this.consumedTo = to;
      this.notify();
    });
    return this.flushing;
  }

  /** Records what `event` changes in the index; answers whether it changes anything. */
  private apply(event: RecordedEvent, changes: IndexChanges): boolean {
    const refusal = schemaRefusalOf(event);
    if (refusal) {
      this.logger.error({ err: refusal, eventId: event.id, streamId: event.streamId, position: String(event.position) }, 'ERP export index: event of an unknown schema version skipped');
      return false;
    }
    if (MAPPING_STREAMS.has(event.streamId)) {
      changes.mappingsChangedAt = event.position;
      return true;
    }
    if (!event.streamId.startsWith('order-')) return false;
    let changed = false;
    if (DUE_TYPES.has(event.type)) {
      changes.dirty.push({ streamId: event.streamId, position: event.position });
      changed = true;
    }
    if (event.type === 'OrderExportRequested') {
      changes.requested.push(entryOfRequest(event, event.data as OrderExportRequested['data'], this.clock.now().toISOString()));
      return true;
    }
    const outcome = outcomeOfEvent(event);
    if (outcome) changes.outcomes.push(outcome);
    return changed || outcome !== undefined;
  }
}

const empty = (): IndexChanges => ({ requested: [], outcomes: [], dirty: [] });
const isEmpty = (c: IndexChanges): boolean => c.requested.length + c.outcomes.length + c.dirty.length === 0 && c.mappingsChangedAt === undefined;
