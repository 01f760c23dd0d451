import { reconcileOrder } from '../../domain/order/order.reconcile';
import { orderStateFrom, type OrderState } from '../../domain/order/order.state';
import type { OrderEventEnvelope } from '../../domain/order/order.events';
import type { OrderReconciliation } from '../../domain/order/reconciliation.types';
import type { Clock } from '../ports/clock.port';
import type { EventStore } from '../ports/event-store.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import type { ReconciliationPolicyProvider } from '../ports/reconciliation-policy.port';
import { locateUnreadableOrder, periodOf } from '../period/log-replay.engine';
import type { RecordedEvent } from '../ports/event-store.port';
import type { ReconciliationPolicy } from '../../domain/order/reconciliation.policy';
import { DomainError, isDataError } from '../../domain/shared/errors';
import { readReconciliationSource, reconciliationSource } from './reconciliation-source';
import { UnreadableStreamError } from './unreadable-stream';

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
 *
 * An id no Scayle order has but ERP documents name (parked in `erp-unlinked-…`) is answered from
 * those documents, as the `reconciliations` read model lists them: subject `order-unknown-<id>`,
 * the period of the first document's posting date ({@link periodOf}, the rule of the projection and
 * the close snapshot), MISSING_IN_SCAYLE after the grace window.
 * @throws DomainError `not_found`/`order_not_found` when neither an order nor a parked document has the id.
 * @throws UnreadableStreamError (422) when a stored event of the order cannot be read (see {@link reconcileStoredOrder}).
 */
export async function getOrderReconciliation(
  events: EventStore,
  directory: OrderDirectory,
  policies: ReconciliationPolicyProvider,
  clock: Clock,
  orderId: string,
): Promise<OrderReconciliationView> {
  const source = await reconciliationSource(directory, orderId);
  const stream = await readReconciliationSource(events, source, orderId);
  const now = clock.now().toISOString();
  const policy = await policies.current();
  const { result, period } = reconcileStoredOrder(orderId, stream, policy, now, source.location ? { subject: source.location.streamId } : {});
  return { ...result, orderId: result.orderId ?? source.location?.orderId ?? orderId, ...(period ? { period } : {}), position: stream[stream.length - 1]!.position, evaluatedAt: now };
}

/**
 * Folds and reconciles the stored facts of one order (`events`, its stream or parked documents) at
 * `now`, with the period they fall in. A stored event the domain cannot read (a time that is no
 * instant, a date outside the years 0001–9999: facts kept from before the ingest checks) is the
 * stored fact's fault, not the request's: it is named in an {@link UnreadableStreamError} (422).
 * @throws UnreadableStreamError; a store or policy failure as it comes.
 */
export function reconcileStoredOrder(
  orderId: string,
  events: readonly RecordedEvent[],
  policy: ReconciliationPolicy,
  now: string,
  options: Parameters<typeof reconcileOrder>[3] = {},
): { state: OrderState; result: OrderReconciliation; period: string | undefined } {
  try {
    const state = orderStateFrom(events as unknown as OrderEventEnvelope<{ type: string; data: unknown }>[]);
    const result = reconcileOrder(state, policy, now, options);
    return { state, result, period: periodOf(result, events, policy.timezone) };
  } catch (err) {
    if (!isDataError(err) || events.length === 0 || (err instanceof DomainError && err.kind !== 'invalid')) throw err;
    throw new UnreadableStreamError(`Order ${orderId}`, locateUnreadableOrder(events, err, policy, now));
  }
}
