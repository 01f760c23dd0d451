import type { ErpExportFailed, OrderExportedToErp, OrderExportRequested } from '../../domain/erp-export/erp-export.events';
import { ITEM_MAPPINGS_STREAM, TAX_CODE_MAPPINGS_STREAM } from '../../domain/mapping/mapping.events';
import { SCAYLE_ORDER_FACT_TYPES } from '../../domain/order/order.events';
import type { Clock } from '../ports/clock.port';
import type { AllSubscription, EventStore, RecordedEvent } from '../ports/event-store.port';
import type { ErpExportEntry, ErpExportOutcome, ErpExportStore, IndexChanges } from '../ports/erp-export-store.port';

/** Events that may make an order due for an export (a sale or a credit). */
const DUE_TYPES = new Set<string>([...SCAYLE_ORDER_FACT_TYPES, 'ScaylePaymentRefunded', 'LineItemsCorrected', 'OrderExportedToErp']);
const MAPPING_STREAMS = new Set([TAX_CODE_MAPPINGS_STREAM, ITEM_MAPPINGS_STREAM]);
/** Events consumed before the checkpoint moves, while catching up. */
const FLUSH_EVERY = 1000;

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
  private consumedTo = 0n;
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
    let changes = empty();
    let pending = 0;
    let last = this.consumedTo;
    const flush = async (position: bigint) => {
      await this.store.advance(position, changes);
      changes = empty();
      pending = 0;
      this.consumedTo = position;
      this.notify();
    };
    try {
      for await (const message of sub) {
        if (this.stopped) break;
        if (message.kind === 'caughtUp') {
          await flush(message.position > last ? message.position : last);
          continue;
        }
        const event = message.event;
        last = event.position;
        this.apply(event, changes);
        if (++pending >= FLUSH_EVERY) await flush(last);
      }
    } catch (err) {
      if (!this.stopped) this.logger.error({ err }, 'ERP export indexer subscription failed');
    }
  }

  private apply(event: RecordedEvent, changes: IndexChanges): void {
    if (MAPPING_STREAMS.has(event.streamId)) {
      changes.mappingsChangedAt = event.position;
      return;
    }
    if (!event.streamId.startsWith('order-')) return;
    if (DUE_TYPES.has(event.type)) changes.dirty.push({ streamId: event.streamId, position: event.position });
    if (event.type === 'OrderExportRequested') {
      changes.requested.push(entryOfRequest(event, event.data as OrderExportRequested['data'], this.clock.now().toISOString()));
    } else {
      const outcome = outcomeOfEvent(event);
      if (outcome) changes.outcomes.push(outcome);
    }
  }
}

const empty = (): IndexChanges => ({ requested: [], outcomes: [], dirty: [] });
