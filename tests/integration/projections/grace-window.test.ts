import { expect } from 'chai';
import type { ExceptionDoc } from '../../../src/projections/exception-queue';
import { GraceWindowScheduler } from '../../../src/projections/grace-window.scheduler';
import type { ReconciliationDoc, ReconciliationProjection } from '../../../src/projections/reconciliation.projection';
import { orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { fakeClock } from '../../support/period-fixtures';
import { buildRunner, openStores } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';

describe('grace-window scheduler (fake clock)', () => {
  it('turns a pending order into MISSING_IN_ERP once the window has passed, and not before', async () => {
    const dir = tempDir();
    const stores = openStores(dir.path);
    try {
      const stream = await seedOrder(stores.events, orderSnapshot('3001'));
      const clock = fakeClock('2024-05-02T10:05:00.000Z');
      const runner = buildRunner(stores.events, stores.store, {}, clock);
      await runner.catchUp();
      const pending = (await stores.store.get<ReconciliationDoc>('reconciliations', stream))!;
      expect(pending.doc).to.include({ status: 'pending', reviewAt: '2024-05-02T10:15:00.000Z' });
      const scheduler = new GraceWindowScheduler(stores.store, runner, runner.projections[0] as ReconciliationProjection, clock, 60_000);

      clock.set('2024-05-02T20:00:00.000Z');
      expect(await scheduler.tick()).to.deep.equal([stream]);
      const still = (await stores.store.get<ReconciliationDoc>('reconciliations', stream))!;
      expect(still.doc).to.include({ status: 'pending', evaluatedAt: '2024-05-02T20:00:00.000Z', reviewAt: '2024-05-02T20:15:00.000Z' });
      expect(await scheduler.tick(), 'not due again before reviewAt').to.deep.equal([]);

      clock.set('2024-05-03T13:00:00.000Z');
      expect(await scheduler.tick()).to.deep.equal([stream]);
      const missing = (await stores.store.get<ReconciliationDoc>('reconciliations', stream))!;
      expect(missing.doc.status).to.equal('drift');
      expect(missing.doc.findingCodes).to.deep.equal(['MISSING_IN_ERP']);
      expect(missing.position, 'written at the checkpoint').to.equal(2n);
      const ex = (await stores.store.get<ExceptionDoc>('exceptions', missing.doc.exceptionIds[0]!))!.doc;
      expect(ex).to.include({ code: 'MISSING_IN_ERP', owner: 'finance', status: 'open', openedAt: '2024-05-03T13:00:00.000Z' });
      const summary = (await stores.store.get('period_summaries', '2024-05'))!.doc as { orders: number; byStatus: Record<string, number> };
      expect(summary).to.deep.include({ orders: 1, byStatus: { drift: 1 } });
      expect(await scheduler.tick(), 'nothing pending any more').to.deep.equal([]);
    } finally {
      await stores.events.close();
      await stores.store.close();
      dir.remove();
    }
  });
});
