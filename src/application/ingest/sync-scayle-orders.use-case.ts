/**
 * Scayle Admin API sync (issue 4 item 2, DESIGN §8 "defined sync intervals"): pages through the
 * orders of one shop country and appends `ScayleOrderSynced` only when an order differs from the
 * latest snapshot the log holds for it — so it catches missed webhooks without duplicating the ones
 * that arrived. Orders that cannot be mapped are kept as `IngestionFailed` (`scayle_order_sync`).
 */
import { createHash } from 'node:crypto';
import { isScayleOrderFact } from '../../domain/order/order.events';
import type { ScayleOrderSnapshot } from '../../domain/order/scayle-order.snapshot';
import { orderStreamId } from '../../domain/shared/streams';
import type { Clock } from '../ports/clock.port';
import type { IngestMetrics } from '../ports/ingest-metrics.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import type { ScayleGateway } from '../ports/scayle-gateway.port';
import type { FactWriter } from './fact-writer';
import type { IngestionFailureRecorder } from './ingestion-failures';
import { eventId, IngestContext, IngestOutcome, MappingFailure, sourceMetadata } from './ingest-outcome';
import { entryOfSnapshot } from './order-directory.indexer';
import type { OrderLinker } from './order-linker';
import { canonicalJson } from '../shared/canonical-json';
import { mapScayleOrder, orderKeys } from './scayle/scayle-order.mapper';

export interface SyncSummary {
  shopKey: string;
  countryCode: string;
  pages: number;
  orders: number;
  /** `ScayleOrderSynced` appended. */
  synced: number;
  /** Same as the log's latest snapshot: nothing appended. */
  unchanged: number;
  failed: number;
}

/** A snapshot's content without `updatedAt` (webhooks without one fall back to the delivery time). */
const comparable = (s: ScayleOrderSnapshot): string => canonicalJson({ ...s, updatedAt: undefined });

export class SyncScayleOrdersUseCase {
  constructor(
    private readonly gateway: ScayleGateway,
    private readonly writer: FactWriter,
    private readonly directory: OrderDirectory,
    private readonly linker: OrderLinker,
    private readonly failures: IngestionFailureRecorder,
    private readonly metrics: IngestMetrics,
    private readonly clock: Clock,
    private readonly pageSize = 100,
  ) {}

  /**
   * Pages through every order of one shop country, from the first page each time: the sync keeps no
   * cursor between runs (Scayle's cursors are per listing), and an order already in the log is
   * `unchanged`, so a run cut short is simply repeated in full by the next one.
   * @param options.signal stops the run (service shutdown): the Admin API call in flight and its
   *   back-off waits end at once, and no further order is ingested. Each order is ingested whole or
   *   not at all; the orders of a page not yet ingested are fetched again next run.
   * @throws ScayleApiError when Scayle keeps refusing, `aborted` when the signal fired during a call;
   *   the signal's reason when it fired between orders.
   */
  async syncShop(shopKey: string, countryCode: string, ctx: IngestContext = { actor: 'scayle-sync' }, options: { signal?: AbortSignal } = {}): Promise<SyncSummary> {
    const { signal } = options;
    const summary: SyncSummary = { shopKey, countryCode, pages: 0, orders: 0, synced: 0, unchanged: 0, failed: 0 };
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.gateway.listOrders({ shopKey, countryCode, limit: this.pageSize, ...(cursor ? { cursor } : {}) }, signal ? { signal } : {});
      summary.pages++;
      for (const raw of page.orders) {
        signal?.throwIfAborted();
        summary.orders++;
        const outcome = await this.ingestOrder(raw, shopKey, countryCode, ctx);
        summary[outcome.status === 'failed' ? 'failed' : outcome.status === 'accepted' ? 'synced' : 'unchanged']++;
      }
      if (page.nextCursor !== null && seen.has(page.nextCursor)) break; // a cursor that repeats would loop forever
      if (page.nextCursor !== null) seen.add(page.nextCursor);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return summary;
  }

  /** One polled order: `accepted` when appended, `duplicate` when the log already knows this state. */
  async ingestOrder(raw: unknown, shopKey: string, countryCode: string, ctx: IngestContext): Promise<IngestOutcome> {
    let order: ScayleOrderSnapshot;
    const derived: string[] = [];
    try {
      order = mapScayleOrder(raw, { shopKey, countryCode }, 'order', derived);
    } catch (err) {
      if (!(err instanceof MappingFailure)) throw err;
      const keys = orderKeys(raw, { shopKey, countryCode });
      return this.failures.record(
        {
          source: 'scayle',
          recordKind: 'scayle_order_sync',
          format: 'scayle_order_sync',
          ...(keys.orderId ? { subject: keys.orderId, sourceEventId: `${keys.orderId}@${hash(raw)}` } : {}),
          failure: err,
          raw,
          retryContext: { shopKey, countryCode },
        },
        ctx,
        'scayle_order_sync',
      );
    }
    const streamId = orderStreamId(order.shopKey, order.countryCode, order.orderId);
    const known = (await this.writer.readOrEmpty(streamId)).filter(isScayleOrderFact);
    const latest = known.length > 0 ? (known[known.length - 1]!.data as { order: ScayleOrderSnapshot }).order : undefined;
    if (latest && (comparable(latest) === comparable(order) || latest.updatedAt > order.updatedAt)) {
      return { status: 'duplicate', eventIds: [known[known.length - 1]!.id], position: known[known.length - 1]!.position };
    }
    const sourceEventId = `${order.orderId}@${order.updatedAt}#${hash(comparable(order)).slice(0, 16)}`;
    const result = await this.writer.appendOnce(streamId, [
      {
        event: {
          id: eventId('scayle', sourceEventId, 'ScayleOrderSynced'),
          type: 'ScayleOrderSynced',
          data: { order, raw },
          metadata: sourceMetadata('scayle', sourceEventId, order.updatedAt, this.clock.now().toISOString(), ctx, { syncedShop: `${shopKey}:${countryCode}`, ...(derived.length > 0 ? { derivedFields: derived } : {}) }),
        },
      },
    ]);
    const entry = entryOfSnapshot(streamId, order);
    await this.directory.record(entry);
    await this.linker.linkOrder(entry, ctx); // even when the subscription recorded it first (idempotent)
    if (result.appended > 0) this.metrics.accepted('scayle_order_sync');
    return { status: result.appended > 0 ? 'accepted' : 'duplicate', eventIds: result.eventIds, position: result.position };
  }
}

function hash(value: unknown): string {
  return createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value) ?? '').digest('hex');
}
