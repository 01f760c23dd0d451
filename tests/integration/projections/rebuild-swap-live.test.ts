/**
 * A live `projections rebuild` swaps in collections caught up to its own position. A runner that had
 * applied later events must not answer read-your-writes from the swapped-in collections as if they
 * held them: it reports the stored position at once and applies those events again (trial: until its
 * next commit — on a quiet service, the next event — it answered with its own, later position).
 */
import { expect } from 'chai';
import request from 'supertest';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import type { ReadModelStore } from '../../../src/application/ports/read-model-store.port';
import type { ReconciliationPolicyProvider } from '../../../src/application/ports/reconciliation-policy.port';
import { loadConfig } from '../../../src/infrastructure/config/config';
import { buildContainer } from '../../../src/infrastructure/di/container';
import { createProjections } from '../../../src/infrastructure/di/modules/projections.module';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { createLogger } from '../../../src/infrastructure/logging/logger';
import { rebuildProjections } from '../../../src/projections/rebuild';
import { RECONCILIATIONS } from '../../../src/projections/reconciliation.projection';
import { OrderHistoryProjection } from '../../../src/projections/order-history.projection';
import { ReconciliationProjection } from '../../../src/projections/reconciliation.projection';
import { orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { startApiService } from '../../support/api-service';
import { buildRunner, fixedClock, openStores, TEST_POLICY } from '../../support/projection-harness';
import { basicAuth, bearer, INGEST_ENV, localeEnvelope, scayleFixture } from '../../support/ingest';
import { tempDir } from '../../support/temp-dir';

/** Swaps every projection's shadow in, as `projections rebuild` does after its comparison. */
async function swapShadows(store: ReadModelStore, projections: readonly { name: string; collections: readonly { name: string }[] }[]): Promise<void> {
  for (const p of projections) await store.swapShadow(p.collections.map((c) => c.name), p.name);
}

describe('read-your-writes across a live rebuild swap', function () {
  this.timeout(60_000);

  it('runner in this thread: a wait for an event the swapped-in collections lack waits until it is applied again', async () => {
    const dir = tempDir();
    const { events, store } = openStores(dir.path);
    const live = buildRunner(events, store);
    try {
      await seedOrder(events, orderSnapshot('8100001'));
      await live.start();
      expect(await live.waitForPosition(await events.headPosition(), 10_000)).to.equal(true);
      const projections = [new ReconciliationProjection(events, { current: async () => TEST_POLICY }, { timezone: TEST_POLICY.timezone }), new OrderHistoryProjection()];
      await rebuildProjections(events, store, projections, fixedClock, { swap: false });
      const later = await seedOrder(events, orderSnapshot('8100002'));
      const position = await events.headPosition();
      expect(await live.waitForPosition(position, 10_000)).to.equal(true);
      await swapShadows(store, projections);

      expect(await live.waitForPosition(position, 10_000)).to.equal(true);
      expect(await store.get(RECONCILIATIONS, later), 'the order the wait was for is in the read model').to.not.equal(undefined);
      expect((await store.getCheckpoint('reconciliation')).position).to.equal(position);
    } finally {
      await live.stop();
      await store.close();
      await events.close();
      dir.remove();
    }
  });

  it('projection thread (the service default): a minPosition read after the swap sees the order it waited for', async () => {
    const api = await startApiService(INGEST_ENV);
    const post = (n: number) =>
      request(api.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope(`swap-${n}`, 'order-confirmed', { ...scayleFixture('OrderGetResponse.json'), id: 8200000 + n }))).expect(202);
    const config = loadConfig({ LEDGER_DATA_DIR: api.dataDir, LOG_LEVEL: 'silent' });
    const container = buildContainer(config, { logger: createLogger('silent') });
    const log = container.get<EventStore>(TOKENS.EventStore);
    const readModels = container.get<ReadModelStore>(TOKENS.ReadModelStore);
    try {
      const first = await post(1);
      await request(api.server).get(`/v1/reconciliations?minPosition=${first.body.position as string}`).set('Authorization', bearer('finance')).expect(200);
      const projections = createProjections(config, log, container.get<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy));
      await rebuildProjections(log, readModels, projections, fixedClock, { swap: false });
      const second = await post(2);
      await request(api.server).get(`/v1/reconciliations?minPosition=${second.body.position as string}`).set('Authorization', bearer('finance')).expect(200);
      await swapShadows(readModels, projections);

      const after = await request(api.server).get(`/v1/reconciliations?minPosition=${second.body.position as string}`).set('Authorization', bearer('finance')).expect(200);
      expect(after.body.items.map((i: { orderId: string }) => i.orderId).sort()).to.deep.equal(['8200001', '8200002']);
    } finally {
      await readModels.close();
      await log.close();
      await api.dispose();
    }
  });
});
