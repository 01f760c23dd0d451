import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { LedgerService } from '../../src/infrastructure/service';
import { testConfig } from './test-config';

/** An `application/problem+json` body as the tests read it. */
export interface ProblemBody {
  status: number;
  type: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/**
 * The whole service on `dataDir` with `env`, its HTTP server listening on a free loopback port (for
 * tests that send raw bytes with `fetch` or a socket rather than supertest).
 */
export async function startListeningService(dataDir: string, env: NodeJS.ProcessEnv): Promise<{ service: LedgerService; port: number; base: string }> {
  const service = await LedgerService.start(testConfig(dataDir, env), {}, false);
  service.server.listen(0, '127.0.0.1');
  await once(service.server, 'listening');
  const port = (service.server.address() as AddressInfo).port;
  return { service, port, base: `http://127.0.0.1:${port}` };
}
