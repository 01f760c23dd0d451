import { v5 as uuidv5 } from 'uuid';
import type { RefundRequested } from '../../domain/order/order.events';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../domain/shared/ids';
import type { Clock } from '../ports/clock.port';
import type { EventStore } from '../ports/event-store.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import { locateOrder, runOrderCommand } from '../order/order-command';
import { commandMetadata, type CommandContext } from '../shared/command-context';
import { idempotentCommandId } from '../shared/idempotency';
import { amountValue, type LeafReading, valueDifferences } from '../shared/value-comparison';

/** `POST /v1/orders/{orderId}/refunds` as the application sees it (amounts: decimal strings, major units). */
export interface RequestRefundInput {
  orderId: string;
  amount: string;
  currency: string;
  items: { orderItemId: string; amount: string }[];
  reason: string;
  /** The client's `Idempotency-Key`. */
  idempotencyKey: string;
  /** SHA-256 of the canonical request body. */
  requestHash: string;
}

/** The answer, identical on a replay. */
export interface RefundAccepted {
  refundId: string;
  status: 'requested';
  amount: string;
  currency: string;
  /** Log position of the `RefundRequested` event. */
  position: bigint;
  replayed: boolean;
}

/**
 * Whether a re-sent refund asks for what `recorded` holds, by value as ERP and PSP re-sends are
 * compared (`value-comparison.ts`): amounts in the refund's currency (`"1.0"`, `"1"` and `"1.00"` EUR
 * are one amount), currency, items in order, reason as written.
 */
export function sameRefundRequest(recorded: RefundRequested['data'], input: Pick<RequestRefundInput, 'amount' | 'currency' | 'items' | 'reason'>): boolean {
  const shape = (r: Pick<RequestRefundInput, 'amount' | 'currency' | 'items' | 'reason'>) => ({
    amount: r.amount,
    currency: r.currency,
    items: r.items.map((i) => ({ orderItemId: i.orderItemId, amount: i.amount })),
    reason: r.reason,
  });
  const read: LeafReading = (path, value, root) => (path[path.length - 1] === 'amount' ? amountValue(value, (root as { currency?: unknown }).currency) : value);
  return valueDifferences(shape(recorded), shape(input), read).length === 0;
}

/**
 * Requests a refund (issue 6): the refund id comes from the idempotency key (see
 * `shared/idempotency.ts`), the rules from the order decider (amount = Σ items, each item up to what
 * was paid for it minus earlier refunds, currency = order currency, total ≤ captured − refunded).
 * The outbox then records it in Scayle. The same key with the same request by value
 * ({@link sameRefundRequest}) answers the first 201 again.
 * @throws DomainError `not_found` (order), `invalid` (400), `business_rule` (422, incl.
 *   `idempotency_key_reused`).
 */
export class RequestRefundHandler {
  constructor(
    private readonly events: EventStore,
    private readonly directory: OrderDirectory,
    private readonly clock: Clock,
  ) {}

  async handle(input: RequestRefundInput, ctx: CommandContext): Promise<RefundAccepted> {
    const location = await locateOrder(this.directory, input.orderId);
    const refundId = idempotentCommandId('refund', location.streamId, input.idempotencyKey);
    const at = this.clock.now().toISOString();
    const outcome = await runOrderCommand(
      this.events,
      location,
      {
        type: 'RequestRefund',
        data: { refundId, amount: input.amount, currency: input.currency, items: input.items, reason: input.reason, requestedAt: at, requestedBy: ctx.actor },
      },
      {
        commandId: refundId,
        key: input.idempotencyKey,
        requestHash: input.requestHash,
        eventType: 'RefundRequested',
        idOf: (e) => (e.data as RefundRequested['data']).refundId,
        sameRequest: (earlier) => sameRefundRequest(earlier.data as RefundRequested['data'], input),
      },
      (decided) => ({
        id: uuidv5(sourceEventName('ledger', `${refundId}:${input.requestHash}`, decided.type), LEDGER_EVENT_NAMESPACE),
        type: decided.type,
        data: decided.data,
        metadata: commandMetadata(ctx, refundId, at, { orderId: location.orderId, idempotencyKey: input.idempotencyKey, requestHash: input.requestHash }),
      }),
    );
    const data = outcome.event.data as RefundRequested['data'];
    return { refundId: data.refundId, status: 'requested', amount: data.amount, currency: data.currency, position: outcome.event.position, replayed: outcome.replayed };
  }
}
