/**
 * Feeds the {@link OrderDirectory} from log events: what the ingest path records right after an
 * append, and what the catch-up subscription replays (so the directory can be deleted and rebuilt
 * from the log).
 */
import type { ScayleOrderSnapshot } from '../../domain/order/scayle-order.snapshot';
import type { ErpDocument } from '../../domain/erp/erp-document';
import type { PspSettlementBatch } from '../../domain/settlement/psp-settlement-batch.events';
import { isScayleOrderFact } from '../../domain/order/order.events';
import { ERP_UNLINKED_PREFIX } from '../../domain/shared/streams';
import type { OrderDirectoryEntry, PendingLink } from '../ports/order-directory.port';
import type { RecordedEvent } from '../ports/event-store.port';
import { obj } from './scayle/scayle-values';
import { directoryRefsOfPayload } from './scayle/scayle-webhook.mapper';

/** Directory entry of an order snapshot. */
export function entryOfSnapshot(streamId: string, order: ScayleOrderSnapshot): OrderDirectoryEntry {
  return {
    streamId,
    shopKey: order.shopKey,
    countryCode: order.countryCode,
    orderId: order.orderId,
    ...(order.referenceKey ? { referenceKey: order.referenceKey } : {}),
    ...(order.publicKey ? { publicKey: order.publicKey } : {}),
    paymentReferences: order.payments.map((p) => p.transactionKey).filter((k): k is string => !!k),
  };
}

/** Every reference an entry is known by (what pending links are looked up with). */
export function referencesOf(entry: OrderDirectoryEntry): string[] {
  return [entry.orderId, entry.referenceKey, entry.publicKey, ...(entry.paymentReferences ?? [])].filter((r): r is string => !!r);
}

/** What one event teaches the directory. */
export interface DirectoryUpdate {
  entry?: OrderDirectoryEntry;
  pending?: PendingLink[];
}

/** Metadata key of a settlement batch event listing the references of lines not yet placed. */
export const UNPLACED_REFERENCES = 'unplacedReferences';

export function directoryUpdateOf(event: Pick<RecordedEvent, 'streamId' | 'type' | 'data' | 'metadata'>): DirectoryUpdate {
  if (isScayleOrderFact(event)) {
    const order = (event.data as { order?: ScayleOrderSnapshot }).order;
    return order ? { entry: entryOfSnapshot(event.streamId, order) } : {};
  }
  if (event.type === 'ScaylePaymentCaptured' || event.type === 'ScaylePaymentRefunded') {
    const data = event.data as { orderId: string; shopKey?: string; countryCode?: string; raw?: unknown };
    if (!data.shopKey || !data.countryCode) return {};
    const payload = obj(obj(data.raw)?.payload);
    const inner = obj(payload?.order) ?? payload;
    return { entry: { streamId: event.streamId, shopKey: data.shopKey, countryCode: data.countryCode, orderId: data.orderId, ...(inner ? directoryRefsOfPayload(inner) : {}) } };
  }
  if (event.streamId.startsWith(ERP_UNLINKED_PREFIX) && event.type.startsWith('Erp')) {
    const doc = (event.data as { document?: ErpDocument }).document;
    return doc?.orderReference ? { pending: [{ reference: doc.orderReference, sourceStreamId: event.streamId }] } : {};
  }
  if (event.type === 'PspSettlementBatchRecorded') {
    const refs = event.metadata[UNPLACED_REFERENCES];
    const batch = (event.data as { batch?: PspSettlementBatch }).batch;
    if (!batch || !Array.isArray(refs)) return {};
    return { pending: refs.filter((r): r is string => typeof r === 'string').map((reference) => ({ reference, sourceStreamId: event.streamId })) };
  }
  return {};
}
