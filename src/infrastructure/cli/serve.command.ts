import { join } from 'node:path';
import type { Command } from 'commander';
import { ENV_SPECS, loadConfig } from '../config/config';
import { EventStore } from '../../application/ports/event-store.port';
import { TOKENS } from '../di/tokens';
import { LedgerService } from '../service';
import { lockDataDir } from './instance-lock';

/**
 * `scayle-ledger serve`: takes the data directory's instance lock (waiting `LEDGER_INSTANCE_LOCK_WAIT`
 * for a previous instance to stop), runs the HTTP service until SIGTERM/SIGINT, then shuts down
 * gracefully ({@link LedgerService.stop}); the lock goes with the process.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP service (embedded SQLite stores unless EventStoreDB/MongoDB are configured)')
    .option('-p, --port <port>', 'HTTP port (overrides PORT)')
    .addHelpText('after', environmentHelp)
    .action(async (options: { port?: string }) => {
      const config = loadConfig(options.port ? { ...process.env, PORT: options.port } : process.env);
      // One process per data directory: a second serve (or a writing command) waits, then fails.
      const lock = await lockDataDir(config, 'serve');
      const service = await LedgerService.start(config);
      const store = service.container.get<EventStore>(TOKENS.EventStore);
      const logger = service.container.get<import('pino').Logger>(TOKENS.Logger);
      logger.info(
        {
          port: service.port,
          eventStore: store.kind,
          dataDir: config.eventStoreConnectionString ? undefined : config.dataDir,
          // Where the work runs (LEDGER_PROJECTION_THREAD, LEDGER_EVENT_LOG_WRITER): operators ask.
          projections: config.projections.thread === 'worker' ? 'worker thread' : 'main thread',
          ...(config.eventStoreConnectionString ? {} : { eventLogWriter: config.eventLogWriter === 'thread' ? 'writer thread' : 'main thread' }),
        },
        `scayle-erp-ledger listening on http://localhost:${service.port} (API docs at /docs)`,
      );
      if (!config.apiKeys) {
        logger.info({ apiKeysFile: join(config.dataDir, 'api-keys.json') }, 'LEDGER_API_KEYS is unset: one API key per role is in the api-keys file (owner-only permissions)');
      }
      if (!config.cursorSecret) {
        logger.info('LEDGER_CURSOR_SECRET is unset: list cursors are signed with a key made at start, so cursors handed out before a restart are refused (400) and clients page again from the first page');
      }
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        service.stop().then(
          () => {
            lock.release();
            process.exit(0);
          },
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
}

/**
 * The `serve --help` epilogue: every environment variable the service reads (from {@link ENV_SPECS},
 * the same list the README's "Configuration" section documents), with its description and its
 * default as a user writes it in the environment (`10s`, `1mb`, `finance=3d,operations=1d,cx=2d`,
 * `none`: the spec's `writtenDefault`, which is what its validator parses into the default), or
 * `unset` for a variable without one.
 * @throws Error when a variable has a default but no written form (a spec not built with `writtenDefault`).
 */
export function environmentHelp(): string {
  const lines = Object.entries(ENV_SPECS).map(([name, spec]) => {
    const { desc, default: fallback, writtenDefault } = spec as { desc?: string; default?: unknown; writtenDefault?: string };
    if (writtenDefault === undefined && fallback !== undefined) throw new Error(`${name}: its default has no written form (build its spec with writtenDefault)`);
    return `  ${name}\n      ${desc ?? ''} (default: ${writtenDefault ?? 'unset'})`;
  });
  return `\nEnvironment (README "Configuration" has the details):\n${lines.join('\n')}\n`;
}
