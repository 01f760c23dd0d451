import { expect } from 'chai';
import { buildContainer } from '../../src/infrastructure/di/container';
import { TOKENS } from '../../src/infrastructure/di/tokens';
import { tempDir } from '../support/temp-dir';
import { testConfig } from '../support/test-config';

/** Tokens bound to several implementations (resolved with getAll). */
const MULTI = new Set<symbol>([TOKENS.Lifecycle, TOKENS.HttpRoutes, TOKENS.HealthCheck, TOKENS.MetricsSource, TOKENS.ProjectionPositions]);

describe('composition root', () => {
  it('resolves every root binding on the embedded default', async () => {
    const dir = tempDir();
    const container = buildContainer(testConfig(dir.path));
    try {
      const resolved: string[] = [];
      for (const [name, token] of Object.entries(TOKENS)) {
        if (MULTI.has(token)) {
          container.getAll(token, { optional: true });
        } else if (container.isBound(token)) {
          expect(container.get(token), name).to.not.equal(undefined);
          resolved.push(name);
        }
      }
      expect(resolved).to.include.members(['Config', 'Logger', 'Clock', 'EventStore']);
      expect(container.getAll(TOKENS.HealthCheck).length).to.be.greaterThan(0);
    } finally {
      await (container.get(TOKENS.EventStore) as { close(): Promise<void> }).close();
      dir.remove();
    }
  });
});
