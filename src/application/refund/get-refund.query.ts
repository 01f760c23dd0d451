import type { RefundRequested, ScayleDispatchFailed } from '../../domain/order/order.events';
import { StreamNotFoundError, type EventStore } from '../ports/event-store.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import { locateOrder, orderNotFound } from '../order/order-command';
import { DomainError } from '../../domain/shared/errors';

/** A ledger refund and how far it got: requested, recorded in Scayle, or its dispatch failed. */
export interface RefundView {
  refundId: string;
  orderId: string;
  status: 'requested' | 'recorded_in_scayle' | 'dispatch_failed';
  amount: string;
  currency: string;
  items: { orderItemId: string; amount: string }[];
  reason: string;
  requestedAt: string;
  requestedBy: string;
  recordedInScayleAt?: string;
  dispatchError?: string;
  /** Position of the last event about this refund. */
  position: bigint;
}

/** Reads one refund from its order stream (always current: no read model in between). */
export async function getRefund(events: EventStore, directory: OrderDirectory, orderId: string, refundId: string): Promise<RefundView> {
  const location = await locateOrder(directory, orderId);
  let stream;
  try {
    stream = await events.readStream(location.streamId);
  } catch (err) {
    if (err instanceof StreamNotFoundError) throw orderNotFound(orderId);
    throw err;
  }
  const requested = stream.find((e) => e.type === 'RefundRequested' && (e.data as RefundRequested['data']).refundId === refundId);
  if (!requested) throw new DomainError('not_found', 'refund_not_found', `Order ${orderId} has no refund ${refundId}`, 'refundId');
  const data = requested.data as RefundRequested['data'];
  const view: RefundView = {
    refundId,
    orderId: location.orderId,
    status: 'requested',
    amount: data.amount,
    currency: data.currency,
    items: data.items,
    reason: data.reason,
    requestedAt: data.requestedAt,
    requestedBy: data.requestedBy,
    position: requested.position,
  };
  for (const e of stream) {
    if (e.type === 'RefundRecordedInScayle' && (e.data as { refundId: string }).refundId === refundId) {
      view.status = 'recorded_in_scayle';
      view.recordedInScayleAt = (e.data as { recordedAt: string }).recordedAt;
      view.position = e.position;
    } else if (e.type === 'ScayleDispatchFailed' && (e.data as ScayleDispatchFailed['data']).commandId === refundId && view.status !== 'recorded_in_scayle') {
      view.status = 'dispatch_failed';
      view.dispatchError = (e.data as ScayleDispatchFailed['data']).message;
      view.position = e.position;
    }
  }
  return view;
}
