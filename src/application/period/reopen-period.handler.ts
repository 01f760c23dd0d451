import { randomUUID } from 'node:crypto';
import { decidePeriod } from '../../domain/period/period.decide';
import type { PeriodReopened } from '../../domain/period/period.events';
import { periodStreamId } from '../../domain/shared/streams';
import type { Clock } from '../ports/clock.port';
import type { EventStore } from '../ports/event-store.port';
import { commandEvents, commandMetadata, withConflictRetry } from '../shared/command-context';
import type { PeriodCommandContext } from './close-period.handler';
import { readPeriod } from './period-stream';

/**
 * Reopens a closed period (finance or admin, with a reason). The closed snapshot stays in the log;
 * the next close is a new version chained to it.
 */
export class ReopenPeriodHandler {
  constructor(
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  /**
   * @throws DomainError `period_not_closed` (conflict), `reason_required` (invalid), `role_not_allowed`;
   *   ConcurrencyConflictError when the stream kept moving through every retry (`withConflictRetry`).
   */
  async reopen(period: string, reason: string, ctx: PeriodCommandContext): Promise<{ reopened: PeriodReopened['data']; position: bigint }> {
    const reopenId = randomUUID();
    // A racing close or reopen moves the stream: decide again on what it holds now (a reopen that
    // raced another reopen is then refused `period_not_closed`).
    return withConflictRetry(async () => {
      const history = await readPeriod(this.events, period);
      const at = this.clock.now().toISOString();
      const decided = decidePeriod({ type: 'ReopenPeriod', data: { period, reopenId, at, actor: ctx.actor, role: ctx.role, reason } }, history.state);
      const result = await this.events.appendToStream(periodStreamId(period), commandEvents(decided, reopenId, commandMetadata(ctx, reopenId, at)), { expectedRevision: history.revision });
      return { reopened: (decided[0] as PeriodReopened).data, position: result.position };
    });
  }
}
