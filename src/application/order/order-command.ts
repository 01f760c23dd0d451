import { DomainError } from '../../domain/shared/errors';
import { decide, type OrderCommand } from '../../domain/order/order.decide';
import { orderStateFrom } from '../../domain/order/order.state';
import type { OrderEventEnvelope } from '../../domain/order/order.events';
import { StreamNotFoundError, type EventData, type EventStore, type RecordedEvent } from '../ports/event-store.port';
import type { OrderDirectory, OrderLocation } from '../ports/order-directory.port';
import { idempotencyKeyReused } from '../shared/idempotency';
import { withConflictRetry } from '../shared/command-context';
import { KeyedMutex } from '../ingest/keyed-mutex';

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

/** How an order command finds an earlier command of the same id and tells a replay from a reuse. */
export interface OrderCommandIdempotency {
  commandId: string;
  /** The client's `Idempotency-Key`, named in a 422 `idempotency_key_reused`. */
  key?: string;
  /** SHA-256 of the canonical request body (the fast path: the same bytes of JSON, key order aside). */
  requestHash: string;
  eventType: string;
  idOf: (e: RecordedEvent) => string | undefined;
  /**
   * Whether the earlier command's event records the same request by value when the hashes differ
   * (`"1.0"` re-sent for a recorded `"1.00"` EUR): then it is a replay too, else 422.
   */
  sameRequest?: (earlier: RecordedEvent) => boolean;
}

/** Outcome of an order command: the command's event as stored, and whether it was a replay. */
export interface OrderCommandOutcome {
  event: RecordedEvent;
  replayed: boolean;
}

/**
 * Order commands of this process, one at a time per order stream: a refund racing another refund (or
 * a correction) of the same order then reads the other's event instead of losing the append and
 * re-trying. Across processes, and against facts ingested meanwhile, the expected revision and
 * {@link withConflictRetry} decide.
 */
const orderStreams = new KeyedMutex();

/**
 * Read the order stream → find an earlier command with this id (idempotent replay, or 422 when the
 * request hash differs) → `decide` on the folded state → append with the revision read. Retries on a
 * concurrency conflict (a racing command re-decides on the new state), with a jittered pause, up to
 * `CONFLICT_RETRIES` times; commands of this process on one stream run one at a time.
 * @throws DomainError `not_found` (no stream), `business_rule` (the decider's refusal,
 *   `idempotency_key_reused`); ConcurrencyConflictError when every attempt conflicted.
 */
export function runOrderCommand(
  events: EventStore,
  location: OrderLocation,
  command: OrderCommand,
  idem: OrderCommandIdempotency,
  toEvent: (decided: { type: string; data: unknown }) => EventData,
): Promise<OrderCommandOutcome> {
  return withConflictRetry(() => orderStreams.run(location.streamId, () => attemptOrderCommand(events, location, command, idem, toEvent)));
}

/** One read → decide → append of {@link runOrderCommand}. */
async function attemptOrderCommand(
  events: EventStore,
  location: OrderLocation,
  command: OrderCommand,
  idem: OrderCommandIdempotency,
  toEvent: (decided: { type: string; data: unknown }) => EventData,
): Promise<OrderCommandOutcome> {
  let stream: RecordedEvent[];
  try {
    stream = await events.readStream(location.streamId);
  } catch (err) {
    if (err instanceof StreamNotFoundError) throw orderNotFound(location.orderId);
    throw err;
  }
  const earlier = stream.find((e) => e.type === idem.eventType && idem.idOf(e) === idem.commandId);
  if (earlier) {
    if (earlier.metadata.requestHash === idem.requestHash || idem.sameRequest?.(earlier)) return { event: earlier, replayed: true };
    throw idempotencyKeyReused(idem.key ?? idem.commandId);
  }
  const decided = decide(command, orderStateFrom(stream as unknown as OrderEventEnvelope<{ type: string; data: unknown }>[]));
  if (decided.length !== 1) throw new Error(`expected one event from ${command.type}, got ${decided.length}`);
  const toAppend = toEvent(decided[0]!);
  const last = stream[stream.length - 1]!;
  const result = await events.appendToStream(location.streamId, [toAppend], { expectedRevision: last.revision });
  const recorded: RecordedEvent = { ...toAppend, streamId: location.streamId, revision: result.nextExpectedRevision, position: result.position, created: toAppend.metadata.recordedAt };
  return { event: recorded, replayed: false };
}
