import { DomainError } from '../../domain/shared/errors';
import { decide, type OrderCommand } from '../../domain/order/order.decide';
import { orderStateFrom } from '../../domain/order/order.state';
import type { OrderEventEnvelope } from '../../domain/order/order.events';
import { StreamNotFoundError, type EventData, type EventStore, type RecordedEvent } from '../ports/event-store.port';
import type { OrderDirectory, OrderLocation } from '../ports/order-directory.port';
import { idempotencyKeyReused } from '../shared/idempotency';
import { withConflictRetry } from '../shared/command-context';

/** 404 for an order id the ledger has no stream for. */
export function orderNotFound(orderId: string): DomainError {
  return new DomainError('not_found', 'order_not_found', `No order ${orderId} is known to the ledger`, 'orderId');
}

/** The order stream of a Scayle order id (REST paths use the id alone: ids are unique per tenant). */
export async function locateOrder(directory: OrderDirectory, orderId: string): Promise<OrderLocation> {
  const location = await directory.resolve(orderId, ['orderId']);
  if (!location) throw orderNotFound(orderId);
  return location;
}

/** Outcome of an order command: the command's event as stored, and whether it was a replay. */
export interface OrderCommandOutcome {
  event: RecordedEvent;
  replayed: boolean;
}

/**
 * Read the order stream → find an earlier command with this id (idempotent replay, or 422 when the
 * request hash differs) → `decide` on the folded state → append with the revision read. Retries on a
 * concurrency conflict (a racing command re-decides on the new state).
 */
export function runOrderCommand(
  events: EventStore,
  location: OrderLocation,
  command: OrderCommand,
  idem: { commandId: string; key?: string; requestHash: string; eventType: string; idOf: (e: RecordedEvent) => string | undefined },
  toEvent: (decided: { type: string; data: unknown }) => EventData,
): Promise<OrderCommandOutcome> {
  return withConflictRetry(async () => {
    let stream: RecordedEvent[];
    try {
      stream = await events.readStream(location.streamId);
    } catch (err) {
      if (err instanceof StreamNotFoundError) throw orderNotFound(location.orderId);
      throw err;
    }
    const earlier = stream.find((e) => e.type === idem.eventType && idem.idOf(e) === idem.commandId);
    if (earlier) {
      if (earlier.metadata.requestHash === idem.requestHash) return { event: earlier, replayed: true };
      throw idempotencyKeyReused(idem.key ?? idem.commandId);
    }
    const decided = decide(command, orderStateFrom(stream as unknown as OrderEventEnvelope<{ type: string; data: unknown }>[]));
    if (decided.length !== 1) throw new Error(`expected one event from ${command.type}, got ${decided.length}`);
    const toAppend = toEvent(decided[0]!);
    const last = stream[stream.length - 1]!;
    const result = await events.appendToStream(location.streamId, [toAppend], { expectedRevision: last.revision });
    const recorded: RecordedEvent = { ...toAppend, streamId: location.streamId, revision: result.nextExpectedRevision, position: result.position, created: toAppend.metadata.recordedAt };
    return { event: recorded, replayed: false };
  });
}
