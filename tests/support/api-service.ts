import type { Server } from 'node:http';
import type { Role } from '../../src/infrastructure/http/auth/api-keys';
import { ROLES } from '../../src/infrastructure/http/auth/api-keys';
import type { ContainerOverrides } from '../../src/infrastructure/di/container';
import { LedgerService } from '../../src/infrastructure/service';
import { tempDir } from './temp-dir';
import { testConfig } from './test-config';

/** The API key of each role in services started by {@link startApiService}. */
export const API_KEYS: Readonly<Record<Role, string>> = Object.fromEntries(ROLES.map((r) => [r, `${r}-test-key-0123456789abcdef`])) as Record<Role, string>;

/** `Authorization` header of a role, for supertest's `.set(auth('finance'))`. */
export const auth = (role: Role): { Authorization: string } => ({ Authorization: `Bearer ${API_KEYS[role]}` });

/** A running test service on embedded stores in a temp dir, with one known key per role. */
export interface ApiTestService {
  service: LedgerService;
  server: Server;
  dataDir: string;
  /** Stops the service (the data dir stays, for restart tests). */
  stop(): Promise<void>;
  /** Stops the service and deletes its data dir. */
  dispose(): Promise<void>;
}

/**
 * Starts the real service (not listening; use supertest on `server`) with `LEDGER_API_KEYS` set to
 * {@link API_KEYS}. Pass `dataDir` to restart on the same stores.
 */
export async function startApiService(env: NodeJS.ProcessEnv = {}, overrides: ContainerOverrides = {}, dataDir?: string): Promise<ApiTestService> {
  const dir = dataDir ? { path: dataDir, remove: () => undefined } : tempDir();
  const keys = ROLES.map((r) => `${r}:${API_KEYS[r]}`).join(',');
  const service = await LedgerService.start(testConfig(dir.path, { LEDGER_API_KEYS: keys, ...env }), overrides, false);
  let stopped = false;
  const stop = async () => {
    if (!stopped) await service.stop();
    stopped = true;
  };
  return {
    service,
    server: service.server,
    dataDir: dir.path,
    stop,
    async dispose() {
      await stop();
      dir.remove();
    },
  };
}
