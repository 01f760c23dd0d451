import { expect } from 'chai';
import type { ReconciliationPolicyProvider } from '../../src/application/ports/reconciliation-policy.port';
import type { ReconciliationPolicySource } from '../../src/application/reconciliation/policy.source';
import { graceMs } from '../../src/domain/order/reconciliation.policy';
import { buildContainer } from '../../src/infrastructure/di/container';
import { TOKENS } from '../../src/infrastructure/di/tokens';
import { tempDir } from '../support/temp-dir';
import { testConfig } from '../support/test-config';

/** Tokens bound to several implementations (resolved with getAll). */
const MULTI = new Set<symbol>([TOKENS.Lifecycle, TOKENS.HttpRoutes, TOKENS.HealthCheck, TOKENS.MetricsSource, TOKENS.ProjectionPositions]);

describe('composition root', () => {
  for (const thread of ['worker', 'main'] as const) {
    it(`resolves every root binding on the embedded default (LEDGER_PROJECTION_THREAD=${thread})`, async () => {
      const dir = tempDir();
      const container = buildContainer(testConfig(dir.path, { LEDGER_PROJECTION_THREAD: thread }));
      try {
        const resolved: string[] = [];
        for (const [name, token] of Object.entries(TOKENS)) {
          if (MULTI.has(token)) {
            container.getAll(token, { optional: true });
          } else if (thread === 'worker' && token === TOKENS.ProjectionRunner) {
            // The runner works in the projection thread; asking for it here is a mistake said plainly.
            expect(() => container.get(token)).to.throw(/projection thread/);
          } else if (container.isBound(token)) {
            expect(container.get(token), name).to.not.equal(undefined);
            resolved.push(name);
          }
        }
        expect(resolved).to.include.members(['Config', 'Logger', 'Clock', 'EventStore', 'ProjectionMonitor']);
        expect(resolved.includes('ProjectionRunner')).to.equal(thread === 'main');
        expect(container.getAll(TOKENS.HealthCheck).length).to.be.greaterThan(0);
      } finally {
        await (container.get(TOKENS.EventStore) as { close(): Promise<void> }).close();
        dir.remove();
      }
    });
  }

  it('passes LEDGER_SETTLEMENT_GRACE to the live reconciliation policy and to the settings a close records', async () => {
    const dir = tempDir();
    const container = buildContainer(testConfig(dir.path, { LEDGER_SETTLEMENT_GRACE: '3d' }));
    try {
      const live = await container.get<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy).current();
      expect(live.graceWindows).to.deep.equal({ settlement: 259_200 });
      expect(graceMs(live, 'settlement')).to.equal(3 * 86_400_000);
      expect(graceMs(live, 'missingInErp')).to.equal(86_400_000);
      expect(container.get<ReconciliationPolicySource>(TOKENS.ReconciliationPolicies).settings.graceWindows).to.deep.equal({ settlement: 259_200 });
      expect(testConfig(dir.path).reconciliation.graceWindows).to.deep.equal({ settlement: 604_800 });
    } finally {
      await (container.get(TOKENS.EventStore) as { close(): Promise<void> }).close();
      dir.remove();
    }
  });
});
