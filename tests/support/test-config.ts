import { Config, loadConfig } from '../../src/infrastructure/config/config';

/** Configuration for a test service: embedded stores in `dataDir`, quiet logs, any free port. */
export function testConfig(dataDir: string, env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ LEDGER_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
}
