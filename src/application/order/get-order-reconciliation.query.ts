import { reconcileOrder } from '../../domain/order/order.reconcile';
import { orderStateFrom } from '../../domain/order/order.state';
import type { OrderEventEnvelope } from '../../domain/order/order.events';
import type { OrderReconciliation } from '../../domain/order/reconciliation.types';
import type { Clock } from '../ports/clock.port';
import { StreamNotFoundError, type EventStore } from '../ports/event-store.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import type { ReconciliationPolicyProvider } from '../ports/reconciliation-policy.port';
import { locateOrder, orderNotFound } from './order-command';

/** An order's reconciliation as of now, and the log position of the last fact it rests on. */
export interface OrderReconciliationView extends OrderReconciliation {
  /** Position of the order stream's last event. */
  position: bigint;
  /** The "now" grace windows were judged against (ISO-8601). */
  evaluatedAt: string;
}

/**
 * Reconciles one order **live from its stream** with the policy in force: one stream read and one
 * evaluation, so the answer reflects every fact appended so far (read-your-writes holds without
 * waiting) and grace windows are judged against the current time. List queries come from the read
 * models instead.
 */
export async function getOrderReconciliation(
  events: EventStore,
  directory: OrderDirectory,
  policies: ReconciliationPolicyProvider,
  clock: Clock,
  orderId: string,
): Promise<OrderReconciliationView> {
  const location = await locateOrder(directory, orderId);
  let stream;
  try {
    stream = await events.readStream(location.streamId);
  } catch (err) {
    if (err instanceof StreamNotFoundError) throw orderNotFound(orderId);
    throw err;
  }
  const now = clock.now().toISOString();
  const state = orderStateFrom(stream as unknown as OrderEventEnvelope<{ type: string; data: unknown }>[]);
  const result = reconcileOrder(state, await policies.current(), now, { subject: location.streamId });
  return { ...result, orderId: result.orderId ?? location.orderId, position: stream[stream.length - 1]!.position, evaluatedAt: now };
}
