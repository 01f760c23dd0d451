import { InvalidArgumentError, type Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import type { Clock } from '../../application/ports/clock.port';
import type { ReadModelStore } from '../../application/ports/read-model-store.port';
import type { ReconciliationPolicyProvider } from '../../application/ports/reconciliation-policy.port';
import { rebuildProjections, type RebuildResult } from '../../projections/rebuild';
import { loadConfig } from '../config/config';
import { buildContainer } from '../di/container';
import { createEventStore } from '../di/modules/event-store.module';
import { hasEventLog } from './existing-ledger';
import { createProjections } from '../di/modules/projections.module';
import { TOKENS } from '../di/tokens';
import { createLogger } from '../logging/logger';

/** `--batch-size`: a whole number of events, 1–100,000. @throws InvalidArgumentError otherwise. */
function batchSizeOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000) throw new InvalidArgumentError('must be a whole number of events from 1 to 100000');
  return Number(value);
}

/** One line for the shared pass over the log. */
function passLine(r: RebuildResult, names: readonly string[]): string {
  return `${names.join(' + ')}: one pass over ${r.events.toLocaleString('en')} events up to position ${String(r.position)} in ${r.seconds.toFixed(1)} s (${Math.round(r.events / Math.max(r.seconds, 1e-9)).toLocaleString('en')} events/s)`;
}

/** How one projection's rebuilt collections differ from its live ones, and whether they were swapped in. */
function report(r: RebuildResult): string {
  const lines = [`${r.projection}:`];
  for (const d of r.diffs) {
    const same = d.onlyLive + d.onlyRebuilt + d.different === 0;
    lines.push(`  ${d.collection}: live ${d.live}, rebuilt ${d.rebuilt}${same ? ', identical' : `, only live ${d.onlyLive}, only rebuilt ${d.onlyRebuilt}, different ${d.different}`}`);
    for (const kind of ['onlyLive', 'onlyRebuilt', 'different'] as const) {
      const more = d[kind] - d.examples[kind].length;
      if (d.examples[kind].length > 0) lines.push(`    ${kind}: ${d.examples[kind].join(', ')}${more > 0 ? ` … and ${more.toLocaleString('en')} more` : ''}`);
    }
  }
  lines.push(r.swapped ? '  swapped in: the live collections are the rebuilt ones' : '  not swapped (--dry-run)');
  return lines.join('\n');
}

/**
 * `scayle-ledger projections rebuild [name]`: replays the log once into the shadow collections of
 * the projections chosen (all by default), reports how each differs from its live collections, then
 * swaps them in. It runs beside a service and takes no instance lock: it writes only the shadow
 * collections until the swap, and the swap bumps each checkpoint's generation, so the service's
 * runner restarts from the new checkpoint (its own commits are compare-and-set on the checkpoint).
 * Exit code 0; 2 for an unknown projection.
 */
export function registerProjections(program: Command): void {
  const projections = program.command('projections').description('read models: rebuild from the log');
  projections
    .command('rebuild [name]')
    .description('rebuild one projection (reconciliation, order-history) or all into shadow collections, compare, then swap')
    .option('--dry-run', 'rebuild and compare, but keep the live collections')
    .option('--batch-size <n>', 'events per batch, 1–100000 (default: LEDGER_PROJECTION_BATCH_SIZE × 4)', batchSizeOption)
    .action(async (name: string | undefined, options: { dryRun?: boolean; batchSize?: number }) => {
      const config = loadConfig(process.env);
      if (!hasEventLog(config)) return;
      const container = buildContainer(config, { logger: createLogger('warn') });
      // The rebuild is the only reader of the log here: no shared tail window (see createEventStore).
      const events = createEventStore(config, { sharedTail: false });
      const store = container.get<ReadModelStore>(TOKENS.ReadModelStore);
      try {
        const all = createProjections(config, events, container.get<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy));
        const chosen = name !== undefined ? all.filter((p) => p.name === name) : all;
        if (chosen.length === 0) {
          process.stderr.write(`unknown projection ${name}; known: ${all.map((p) => p.name).join(', ')}\n`);
          process.exitCode = 2;
          return;
        }
        const head = await events.headPosition();
        const batchSize = options.batchSize ?? config.projections.batchSize * 4;
        const label = chosen.map((p) => p.name).join(' + ');
        const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {events} events`, stream: process.stderr, noTTYOutput: false }, Presets.shades_classic);
        const gapFree = events.kind === 'sqlite';
        bar.start(gapFree ? Number(head) : 1, 0, { events: 0 });
        const results = await rebuildProjections(events, store, chosen, container.get<Clock>(TOKENS.Clock), {
          swap: !options.dryRun,
          runner: { batchSize, maxLatencyMs: 1_000 },
          onProgress: (position, count) => bar.update(gapFree ? Number(position) : 0, { events: count }),
        });
        bar.update(gapFree ? Number(head) : 1, { events: results[0]?.events ?? 0 });
        bar.stop();
        if (results[0]) process.stdout.write(`${passLine(results[0], chosen.map((p) => p.name))}\n`);
        for (const result of results) process.stdout.write(`${report(result)}\n`);
      } finally {
        await store.close();
        await events.close();
      }
    });
}
