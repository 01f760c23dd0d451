import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ms from 'ms';
import type { Config } from '../config/config';

/** The lock file in `LEDGER_DATA_DIR`: an SQLite database held in an open `BEGIN EXCLUSIVE` transaction. */
export const INSTANCE_LOCK_FILE = 'instance.lock';
/** Who holds the lock (`{pid, command, since}`), written once it is taken; read only to name the holder. */
const HOLDER_FILE = 'instance.lock.holder';

/** The instance lock of one data directory, held by this process. */
export interface InstanceLock {
  readonly dataDir: string;
  /** Ends the transaction and closes the lock file (the process exiting does the same). */
  release(): void;
}

/** Another live process holds the data directory's instance lock longer than the caller waits. */
export class InstanceLockHeldError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: { pid?: number; command?: string } | undefined,
    waitedMs: number,
  ) {
    const who = holder?.pid !== undefined ? ` (pid ${holder.pid}${holder.command ? `, ${holder.command}` : ''})` : '';
    super(`LEDGER_DATA_DIR ${dataDir} is in use by another scayle-ledger process${who}; waited ${ms(waitedMs)} (LEDGER_INSTANCE_LOCK_WAIT) for it to stop`);
    this.name = 'InstanceLockHeldError';
  }
}

/** Handles kept reachable for the life of the process: a collected connection would drop the lock. */
const held = new Set<Database.Database>();

/**
 * Takes the exclusive instance lock of `dataDir`, so that one process at a time writes the data
 * directory's SQLite files and runs its projections, schedulers and outbox (`serve`, `import`,
 * `projections rebuild`, `simulate --in-process`; read-only commands never take it). The lock is an
 * SQLite `BEGIN EXCLUSIVE` transaction on `dataDir/instance.lock` that is never committed: SQLite's
 * POSIX advisory (fcntl) lock, which the operating system drops when the process ends however it
 * ends (SIGKILL included) — no stale lock file to clean up.
 *
 * While another process holds it, tries again every `pollMs` for up to `waitMs` (a rolling restart:
 * the old instance drains within `LEDGER_SHUTDOWN_TIMEOUT`).
 *
 * @param options.waitMs how long to wait for the holder, milliseconds (`LEDGER_INSTANCE_LOCK_WAIT`).
 * @param options.command what this process is (`serve`), recorded so a waiting process can name it.
 * @throws InstanceLockHeldError when the lock is still held after `waitMs`, naming `dataDir` and,
 *   when recorded, the holder's pid and command.
 */
export async function acquireInstanceLock(dataDir: string, options: { waitMs: number; command: string; pollMs?: number }): Promise<InstanceLock> {
  mkdirSync(dataDir, { recursive: true });
  // timeout 0: a held lock is SQLITE_BUSY at once; the waiting happens here, without blocking the event loop.
  const db = new Database(join(dataDir, INSTANCE_LOCK_FILE), { timeout: 0 });
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    try {
      db.exec('BEGIN EXCLUSIVE');
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') {
        db.close();
        throw err;
      }
      if (Date.now() >= deadline) {
        db.close();
        throw new InstanceLockHeldError(dataDir, readHolder(dataDir), options.waitMs);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 100, Math.max(1, deadline - Date.now()))));
    }
  }
  held.add(db);
  writeFileSync(join(dataDir, HOLDER_FILE), `${JSON.stringify({ pid: process.pid, command: options.command, since: new Date().toISOString() })}\n`);
  return {
    dataDir,
    release() {
      if (!held.delete(db)) return;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

function readHolder(dataDir: string): { pid?: number; command?: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as { pid?: unknown; command?: unknown };
    return {
      ...(typeof parsed.pid === 'number' ? { pid: parsed.pid } : {}),
      ...(typeof parsed.command === 'string' ? { command: parsed.command } : {}),
    };
  } catch {
    return undefined; // not written yet, or unreadable: the message goes without a pid
  }
}

/**
 * {@link acquireInstanceLock} for a command on the configured data directory, waiting
 * `LEDGER_INSTANCE_LOCK_WAIT`. @throws InstanceLockHeldError (the CLI prints its one line, exit 1).
 */
export function lockDataDir(config: Pick<Config, 'dataDir' | 'instanceLockWaitMs'>, command: string): Promise<InstanceLock> {
  return acquireInstanceLock(config.dataDir, { waitMs: config.instanceLockWaitMs, command });
}
