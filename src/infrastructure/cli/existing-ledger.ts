import { existsSync } from 'node:fs';
import type { Config } from '../config/config';
import { eventLogPath } from '../di/modules/event-store.module';

/**
 * For commands that read an existing ledger (`projections rebuild`, `replay`): whether there is an
 * event log to read (EventStoreDB configured, or the embedded log's file present). When there is
 * none it says so on stderr and sets exit code 2: a mistyped `LEDGER_DATA_DIR` would otherwise create
 * an empty ledger there and the command would answer from it (empty read models swapped in, a period
 * "never closed").
 */
export function hasEventLog(config: Config): boolean {
  if (config.eventStoreConnectionString || existsSync(eventLogPath(config))) return true;
  process.stderr.write(`no event log at ${eventLogPath(config)}: set LEDGER_DATA_DIR to the service's data directory (or EVENTSTORE_CONNECTION_STRING)\n`);
  process.exitCode = 2;
  return false;
}
