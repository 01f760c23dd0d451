import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { ReplayProgress } from '../../application/period/log-replay.engine';
import type { ReplayReport } from '../../application/period/replay-period.handler';
import { periodStreamId } from '../../domain/shared/streams';
import { Config, loadConfig } from '../config/config';
import { buildContainer } from '../di/container';
import { hasEventLog } from './existing-ledger';
import type { PeriodsServices } from '../http/periods/periods.controller';
import { Lifecycle, TOKENS } from '../di/tokens';
import { createLogger } from '../logging/logger';

export interface ReplayCliOptions {
  snapshotId?: string;
  /** Draw a progress bar on stderr (default when stderr is a TTY). */
  progress?: boolean;
}

/**
 * Audit replay from the command line (issue 7): the same computation as
 * `POST /v1/periods/{period}/replay`, on the configured stores, with only the stores running (no
 * HTTP, no projections, no pollers). Appends nothing.
 */
export async function runReplay(config: Config, period: string, options: ReplayCliOptions = {}): Promise<ReplayReport> {
  periodStreamId(period);
  const container = buildContainer(config, { logger: createLogger('silent') });
  const lifecycles = [...container.getAll<Lifecycle>(TOKENS.Lifecycle, { optional: true })].filter((l) => l.phase < 10).sort((a, b) => a.phase - b.phase);
  const started: Lifecycle[] = [];
  const bar = (options.progress ?? process.stderr.isTTY)
    ? new SingleBar({ format: 'replay {phase} [{bar}] {percentage}% | {value}/{total}', stream: process.stderr, hideCursor: true }, Presets.shades_classic)
    : undefined;
  let phase: ReplayProgress['phase'] | undefined;
  const onProgress = (p: ReplayProgress) => {
    if (!bar) return;
    if (p.phase !== phase) {
      if (phase) bar.stop();
      phase = p.phase;
      bar.start(p.total ?? p.done, p.done, { phase: p.phase === 'read' ? 'events ' : 'streams' });
    }
    if (p.total !== undefined) bar.setTotal(p.total);
    bar.update(p.done);
  };
  try {
    for (const l of lifecycles) {
      await l.start();
      started.push(l);
    }
    return await container.get<PeriodsServices>(TOKENS.Periods).replay.replay(period, options.snapshotId, onProgress);
  } finally {
    bar?.stop();
    for (const l of started.reverse()) await l.stop();
  }
}

/** Human-readable verdict. */
export function formatReplay(r: ReplayReport): string {
  const lines = [
    `period ${r.period}  snapshot ${r.snapshotId}  cut at position ${r.position}  (${r.eventsReplayed} events replayed)`,
    `recorded hash  ${r.snapshotHash}`,
    `stored body    ${r.storedHash}`,
    `replayed       ${r.replayedHash}`,
    r.match ? 'MATCH: the log reproduces the closed snapshot bit for bit' : `MISMATCH: ${r.differences.length} difference(s)`,
  ];
  if (r.rulesVersion.snapshot !== r.rulesVersion.replay) lines.push(`rules version: snapshot ${r.rulesVersion.snapshot}, replay ${r.rulesVersion.replay}`);
  for (const d of r.differences) lines.push(`  ${d.path}: stored ${JSON.stringify(d.expected)} ≠ replayed ${JSON.stringify(d.actual)}`);
  return lines.join('\n');
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("audit replay: recompute a closed period's snapshot from the log up to its cut and compare hashes (exit code 1 on a mismatch)")
    .requiredOption('--period <YYYY-MM>', 'accounting period')
    .option('--snapshot <id>', 'snapshot id (default: the latest), e.g. 2024-06-v2')
    .option('--json', 'print the report as JSON')
    .action(async (options: { period: string; snapshot?: string; json?: boolean }) => {
      const config = loadConfig(process.env);
      if (!hasEventLog(config)) return;
      const report = await runReplay(config, options.period, options.snapshot ? { snapshotId: options.snapshot } : {});
      process.stdout.write(`${options.json ? JSON.stringify({ ...report, replayed: undefined }) : formatReplay(report)}\n`);
      if (!report.match) process.exitCode = 1;
    });
}
