import { expect } from 'chai';
import { join } from 'node:path';
import { ClosePeriodHandler } from '../../../src/application/period/close-period.handler';
import { LogReplayEngine } from '../../../src/application/period/log-replay.engine';
import { NO_LIVE_EXCEPTIONS, type ProjectionStatus } from '../../../src/application/ports/period-close.port';
import { ReconciliationPolicySource } from '../../../src/application/reconciliation/policy.source';
import { ProjectionsLaggingError } from '../../../src/domain/period/period.decide';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { seedOrder } from '../../support/order-fixtures';
import { mayOrder } from '../../support/period-fixtures';
import { tempDir } from '../../support/temp-dir';

describe('ClosePeriodHandler: projections must have reached the head', () => {
  const dir = tempDir();
  const store = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
  const clock = { now: () => new Date('2024-06-03T08:00:00.000Z') };
  const policies = new ReconciliationPolicySource(store, { timezone: 'Europe/Berlin', erpProfile: { level: 'per_document', mode: 'half_up', pricesIncludeTax: true } });
  const ctx = { actor: 'finance:k1', correlationId: 'c-1', role: 'finance' };
  after(async () => {
    await store.close();
    dir.remove();
  });

  function handler(projections: ProjectionStatus) {
    return new ClosePeriodHandler(store, clock, new LogReplayEngine(store), policies, projections, NO_LIVE_EXCEPTIONS, { blockingCodes: ['AMOUNT_MISMATCH'], catchUpTimeoutMs: 50 });
  }

  it('refuses while a projection lags (naming it and the head), appending nothing; closes once caught up', async () => {
    await seedOrder(store, mayOrder('901'));
    const head = await store.headPosition();
    let asked: [bigint, number] | undefined;
    const lagging: ProjectionStatus = {
      waitForPosition: (position, timeoutMs) => {
        asked = [position, timeoutMs];
        return Promise.resolve([
          { name: 'order-reconciliation', position: head },
          { name: 'exception-queue', position: head - 1n },
        ]);
      },
    };
    let caught: unknown;
    try {
      await handler(lagging).close('2024-05', ctx);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ProjectionsLaggingError);
    expect((caught as ProjectionsLaggingError).lagging.map((p) => p.name)).to.deep.equal(['exception-queue']);
    expect(asked).to.deep.equal([head, 50]);
    expect(await store.headPosition(), 'nothing appended').to.equal(head);

    const caughtUp: ProjectionStatus = { waitForPosition: (position) => Promise.resolve([{ name: 'exception-queue', position }]) };
    const closed = await handler(caughtUp).close('2024-05', ctx);
    expect(closed.snapshot.position).to.equal(String(head + 1n));
    expect(closed.snapshot.counts.orders).to.equal(1);
    expect(closed.snapshot.counts.byStatus.drift, 'no invoice a month later: MISSING_IN_ERP').to.equal(1);
  });
});

describe('ProjectionCatchUp', () => {
  it('waits until every source reached the position, or answers where they stand at the timeout', async () => {
    let freshness = 3n;
    const { ProjectionCatchUp } = await import('../../../src/application/period/projection-catch-up');
    const sources = [
      { name: 'freshness', position: () => freshness++ },
      { name: 'reconciliation', position: () => Promise.resolve(9n) },
    ];
    const waited = await new ProjectionCatchUp(() => sources, 1).waitForPosition(6n, 5_000);
    expect(waited).to.deep.equal([
      { name: 'freshness', position: 6n },
      { name: 'reconciliation', position: 9n },
    ]);
    const behind = await new ProjectionCatchUp(() => [{ name: 'stuck', position: () => 1n }], 1).waitForPosition(6n, 20);
    expect(behind).to.deep.equal([{ name: 'stuck', position: 1n }]);
  });

  it('asks every source that can hurry to the position first (the runner writes its lingering batch at once)', async () => {
    const { ProjectionCatchUp } = await import('../../../src/application/period/projection-catch-up');
    const asked: bigint[] = [];
    let at = 2n;
    const runner = { name: 'reconciliation', position: () => at, hurry: (p: bigint) => { asked.push(p); at = p; } };
    const waited = await new ProjectionCatchUp(() => [runner, { name: 'outbox', position: () => 8n }], 1).waitForPosition(7n, 5_000);
    expect(asked).to.deep.equal([7n]);
    expect(waited).to.deep.equal([
      { name: 'reconciliation', position: 7n },
      { name: 'outbox', position: 8n },
    ]);
  });
});
