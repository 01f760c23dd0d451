import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { LineItemsCorrected } from '../../domain/order/order.events';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../domain/shared/ids';
import type { Clock } from '../ports/clock.port';
import type { EventStore } from '../ports/event-store.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import { commandMetadata, type CommandContext } from '../shared/command-context';
import { idempotentCommandId } from '../shared/idempotency';
import { locateOrder, runOrderCommand } from './order-command';

/** `POST /v1/orders/{orderId}/line-item-corrections` (amounts in the order currency, rates as fractions). */
export interface CorrectLineItemsInput {
  orderId: string;
  reason: string;
  items: { orderItemId: string; gross: string; net: string; tax: string; taxRate: string; taxCode?: string }[];
  /** Optional `Idempotency-Key`: same semantics as for refunds. */
  idempotencyKey?: string;
  requestHash: string;
}

export interface CorrectionAccepted {
  correctionId: string;
  status: 'recorded';
  itemIds: string[];
  position: bigint;
  replayed: boolean;
}

/**
 * Records the ERP's recomputed line values after a partial cancellation (issue 6): gross = net + tax
 * per item, in the order currency; reconciliation uses them from then on, and the outbox writes them
 * to each item's legacy custom data in Scayle.
 * @throws DomainError `not_found`, `invalid` (400), `business_rule` (422).
 */
export class CorrectLineItemsHandler {
  constructor(
    private readonly events: EventStore,
    private readonly directory: OrderDirectory,
    private readonly clock: Clock,
  ) {}

  async handle(input: CorrectLineItemsInput, ctx: CommandContext): Promise<CorrectionAccepted> {
    const location = await locateOrder(this.directory, input.orderId);
    const correctionId = input.idempotencyKey ? idempotentCommandId('correction', location.streamId, input.idempotencyKey) : randomUUID();
    const at = this.clock.now().toISOString();
    const outcome = await runOrderCommand(
      this.events,
      location,
      { type: 'CorrectLineItems', data: { correctionId, reason: input.reason, items: input.items, correctedAt: at, correctedBy: ctx.actor } },
      {
        commandId: correctionId,
        ...(input.idempotencyKey ? { key: input.idempotencyKey } : {}),
        requestHash: input.requestHash,
        eventType: 'LineItemsCorrected',
        idOf: (e) => (e.data as LineItemsCorrected['data']).correctionId,
      },
      (decided) => ({
        id: uuidv5(sourceEventName('ledger', `${correctionId}:${input.requestHash}`, decided.type), LEDGER_EVENT_NAMESPACE),
        type: decided.type,
        data: decided.data,
        metadata: commandMetadata(ctx, correctionId, at, {
          orderId: location.orderId,
          requestHash: input.requestHash,
          ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
        }),
      }),
    );
    const data = outcome.event.data as LineItemsCorrected['data'];
    return { correctionId: data.correctionId, status: 'recorded', itemIds: data.items.map((i) => i.orderItemId), position: outcome.event.position, replayed: outcome.replayed };
  }
}
