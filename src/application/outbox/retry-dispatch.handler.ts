import { v5 as uuidv5 } from 'uuid';
import { DomainError } from '../../domain/shared/errors';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../domain/shared/ids';
import type { Clock } from '../ports/clock.port';
import type { EventStore } from '../ports/event-store.port';
import type { OutboxStore } from '../ports/outbox-store.port';
import { commandMetadata, type CommandContext } from '../shared/command-context';

/**
 * An operator asks the outbox to try a given-up command again (after fixing what Scayle refused,
 * or once Scayle is back). Data of `ScayleDispatchRetryRequested`, appended to the order stream.
 */
export interface ScayleDispatchRetryRequested {
  type: 'ScayleDispatchRetryRequested';
  data: { commandId: string; round: number; requestedAt: string; requestedBy: string };
}

/**
 * Re-drives a `failed` outbox entry: appends `ScayleDispatchRetryRequested` (the dispatcher then
 * puts the entry back to pending for a new round of attempts). Asking twice for the same round
 * appends once (deterministic event id).
 * @throws DomainError `not_found`/`outbox_entry_not_found`, `conflict`/`outbox_entry_not_failed`.
 */
export class RetryDispatchHandler {
  constructor(
    private readonly events: EventStore,
    private readonly outbox: OutboxStore,
    private readonly clock: Clock,
  ) {}

  async handle(commandId: string, ctx: CommandContext): Promise<{ commandId: string; round: number; position: bigint }> {
    const entry = await this.outbox.get(commandId);
    if (!entry) throw new DomainError('not_found', 'outbox_entry_not_found', `No refund or correction ${commandId} is in the outbox`, 'commandId');
    if (entry.status !== 'failed') {
      throw new DomainError('conflict', 'outbox_entry_not_failed', `${commandId} is ${entry.status}; only a failed dispatch can be retried`, 'commandId', { entryStatus: entry.status });
    }
    const at = this.clock.now().toISOString();
    const round = entry.round + 1;
    const sourceId = `${commandId}#retry${round}`;
    const event: ScayleDispatchRetryRequested = { type: 'ScayleDispatchRetryRequested', data: { commandId, round, requestedAt: at, requestedBy: ctx.actor } };
    const result = await this.events.appendToStream(
      entry.streamId,
      [{ id: uuidv5(sourceEventName('ledger', sourceId, event.type), LEDGER_EVENT_NAMESPACE), type: event.type, data: event.data, metadata: commandMetadata(ctx, sourceId, at, { orderId: entry.orderId }) }],
      { expectedRevision: 'any' },
    );
    return { commandId, round, position: result.position };
  }
}
