import { v5 as uuidv5 } from 'uuid';
import type { OrderExportRequested } from '../../domain/erp-export/erp-export.events';
import { planExports, type PlanSettings } from '../../domain/erp-export/erp-export.plan';
import { orderStateFrom } from '../../domain/order/order.state';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../domain/shared/ids';
import type { KeyedMutex } from '../ingest/keyed-mutex';
import type { Clock } from '../ports/clock.port';
import { type EventData, type EventStore, type RecordedEvent } from '../ports/event-store.port';
import type { DirtyOrder, ErpExportStore } from '../ports/erp-export-store.port';
import { withConflictRetry } from '../shared/command-context';
import { entryOfRequest } from './erp-export.indexer';
import { readStreamOrEmpty } from '../shared/read-stream';

/** Actor of every event the export flow appends. */
export const EXPORT_ACTOR = 'system:erp-export';

/** UUID v5 of a name in the ledger namespace (export ids). */
export const exportUuid = (name: string): string => uuidv5(name, LEDGER_EVENT_NAMESPACE);


/**
 * Decides which exports the marked orders are due for (`planExports`) and appends one
 * `OrderExportRequested` per export to the order's stream, at the revision it read: two planners
 * (two schedulers, two processes) deciding the same export write the same event id at the same
 * revision, which the store keeps once; a planner that read an older revision re-reads and
 * re-decides (it then finds the export already requested).
 */
export class ErpExportPlanner {
  constructor(
    private readonly events: EventStore,
    private readonly store: ErpExportStore,
    private readonly clock: Clock,
    private readonly settings: PlanSettings,
    private readonly mutex: KeyedMutex,
  ) {}

  /** Plans every order marked up to `maxPosition`, `batchSize` at a time. Answers the exports requested. */
  async planAll(maxPosition: bigint, batchSize: number, onError: (order: DirtyOrder, err: unknown) => void): Promise<number> {
    let requested = 0;
    let after: { position: bigint; streamId: string } | undefined;
    for (;;) {
      const batch = await this.store.dirtyOrders({ ...(after ? { after } : {}), maxPosition, limit: batchSize });
      if (batch.length === 0) return requested;
      for (const order of batch) {
        try {
          requested += await this.mutex.run(order.streamId, () => this.planOrder(order));
        } catch (err) {
          onError(order, err);
        }
      }
      const last = batch[batch.length - 1]!;
      after = { position: last.position, streamId: last.streamId };
    }
  }

  /** Plans one order; answers how many exports it requested. */
  async planOrder(order: DirtyOrder): Promise<number> {
    const { added, readTo } = await withConflictRetry(async () => {
      const stream = await readStreamOrEmpty(this.events, order.streamId);
      const last = stream[stream.length - 1];
      const now = this.clock.now().toISOString();
      const planned = planExports(orderStateFrom(stream), this.settings, exportUuid, now);
      const recorded: RecordedEvent[] = [];
      let revision = last ? last.revision : undefined;
      for (const data of planned) {
        const event = requestEvent(data, now);
        const res = await this.events.appendToStream(order.streamId, [event], { expectedRevision: revision ?? 'no_stream' });
        revision = res.nextExpectedRevision;
        recorded.push({ ...event, streamId: order.streamId, revision: res.nextExpectedRevision, position: res.position, created: now });
      }
      return { added: recorded, readTo: recorded.length > 0 ? recorded[recorded.length - 1]!.position : (last?.position ?? 0n) };
    });
    const now = this.clock.now().toISOString();
    await this.store.addRequested(added.map((e) => entryOfRequest(e, e.data as OrderExportRequested['data'], now)));
    await this.store.clean(order.streamId, readTo > order.position ? readTo : order.position);
    return added.length;
  }
}

/** The `OrderExportRequested` event of a planned export (deterministic id). */
function requestEvent(data: OrderExportRequested['data'], now: string): EventData {
  return {
    id: exportUuid(sourceEventName('ledger', data.exportId, 'OrderExportRequested')),
    type: 'OrderExportRequested',
    data,
    metadata: { source: 'ledger', sourceEventId: data.exportId, occurredAt: now, recordedAt: now, actor: EXPORT_ACTOR, causationId: data.triggerEventId, orderId: data.orderId, schemaVersion: 1 },
  };
}
