/**
 * `POST /v1/ingest/scayle/webhooks` use-case (DESIGN §8, issue 4 item 1): map the delivery, append
 * its fact once (id from the delivery `key`), teach the order directory and link facts that waited
 * for the order (case C6 refund before order lands in the order's stream directly: its payload names
 * the order). A delivery that cannot be mapped is kept as `IngestionFailed`; a key already used for
 * another order's delivery is refused (`delivery_key_reused`).
 */
import { DomainError } from '../../domain/shared/errors';
import type { Clock } from '../ports/clock.port';
import type { IngestMetrics } from '../ports/ingest-metrics.port';
import type { OrderDirectory, OrderDirectoryEntry } from '../ports/order-directory.port';
import type { FactWriter } from './fact-writer';
import type { IngestionFailureRecorder } from './ingestion-failures';
import { eventId, IngestContext, IngestOutcome, MappingFailure, sourceMetadata } from './ingest-outcome';
import { directoryUpdateOf } from './order-directory.indexer';
import type { OrderLinker } from './order-linker';
import { mapScayleWebhook, ScayleWebhookEnvelope } from './scayle/scayle-webhook.mapper';
import { orderKeys } from './scayle/scayle-order.mapper';
import { obj } from './scayle/scayle-values';
import { extended } from '../../domain/shared/extended';

/**
 * The delivery's fact id (from its `key` and type) is already stored in another stream: the key was
 * used for a delivery about another order. Nothing is appended, and retrying cannot help — the key
 * would name two facts. Only stores that keep ids unique across the log (SQLite) can tell.
 */
function deliveryKeyReused(envelope: ScayleWebhookEnvelope, type: string, streamId: string, storedIn: string): DomainError {
  return new DomainError(
    'conflict',
    'delivery_key_reused',
    `Delivery key ${envelope.key} was already used for another delivery (${type} recorded in ${storedIn}); this ${envelope.type} delivery is about ${streamId}. Nothing was recorded: a new delivery needs a key of its own, and retrying with this key will not help`,
    'key',
    { key: envelope.key, recordedIn: storedIn },
  );
}

export class IngestScayleWebhookHandler {
  constructor(
    private readonly writer: FactWriter,
    private readonly directory: OrderDirectory,
    private readonly linker: OrderLinker,
    private readonly failures: IngestionFailureRecorder,
    private readonly metrics: IngestMetrics,
    private readonly clock: Clock,
  ) {}

  /** @param raw the whole delivery as received (kept in `data.raw`). */
  async handle(envelope: ScayleWebhookEnvelope, ctx: IngestContext, raw: unknown = envelope): Promise<IngestOutcome> {
    let mapped;
    try {
      mapped = mapScayleWebhook(envelope);
    } catch (err) {
      if (!(err instanceof MappingFailure)) throw err;
      const keys = orderKeys(obj(envelope.payload.order) ?? envelope.payload);
      return this.failures.record(
        { source: 'scayle', recordKind: 'scayle_webhook', format: 'scayle_webhook', sourceEventId: envelope.key, ...(keys.orderId ? { subject: keys.orderId } : {}), failure: err, raw, occurredAt: envelope.occurredAt },
        ctx,
        'scayle_webhook',
      );
    }
    const common = { webhookKey: envelope.key, scayleEventType: envelope.type, raw };
    const data =
      mapped.kind === 'order'
        ? extended(mapped.data, common)
        : mapped.kind === 'payment'
          ? extended(mapped.data, { webhookKey: envelope.key, raw })
          : common;
    const recordedAt = this.clock.now().toISOString();
    const event = {
      id: eventId('scayle', envelope.key, mapped.type),
      type: mapped.type,
      data,
      metadata: sourceMetadata('scayle', envelope.key, envelope.occurredAt, recordedAt, ctx, {
        scayleEventType: envelope.type,
        envelope: envelope.meta !== undefined ? 'meta' : 'locale',
        ...(envelope.version !== undefined ? { envelopeVersion: String(envelope.version) } : {}),
        ...(mapped.kind === 'order' && mapped.derived.length > 0 ? { derivedFields: mapped.derived } : {}),
      }),
    };
    const result = await this.writer.appendOnce(mapped.streamId, [{ event }]);
    const taken = result.elsewhere?.[0];
    if (taken) throw deliveryKeyReused(envelope, event.type, mapped.streamId, taken.streamId);
    const { entry } = directoryUpdateOf({ streamId: mapped.streamId, type: event.type, data: event.data, metadata: event.metadata });
    if (entry) await this.learn(entry, ctx);
    if (result.appended === 0) this.metrics.duplicateDelivery('scayle_webhook', event.type);
    else this.metrics.accepted('scayle_webhook', event.type);
    return { status: result.appended === 0 ? 'duplicate' : 'accepted', eventIds: result.eventIds, position: result.position };
  }

  /**
   * Records the order and links what waited for it. Linking runs even when the directory already
   * knew the entry (the catch-up subscription may have recorded it first): the answer must not come
   * before the waiting facts are in the order stream. Linking is idempotent (deterministic ids).
   */
  private async learn(entry: OrderDirectoryEntry, ctx: IngestContext): Promise<void> {
    await this.directory.record(entry);
    await this.linker.linkOrder(entry, ctx);
  }
}
