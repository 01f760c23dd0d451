/**
 * `npm run bench [-- --quick] [-- --only name,name]`: runs every suite, prints one table (throughput,
 * p50/p99, peak RSS, ratio to the same-run baseline) and writes it as JSON under bench/results/ with
 * a description of the machine, so runs can be compared.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchRow, BenchSuite } from './harness';
import { suite as eventstore } from './eventstore.bench';
import { suite as reconcile } from './reconcile.bench';

/** Every suite, in the order they run. Suites of other concepts register here. */
const SUITES: BenchSuite[] = [eventstore, reconcile];

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '' : n.toLocaleString('en', { maximumFractionDigits: digits }));

function printTable(rows: BenchRow[]): void {
  const header = ['benchmark', 'throughput', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'baseline', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.name,
    `${fmt(r.throughput)} ${r.unit}/s`,
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    fmt(r.peakRssMiB, 0),
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.throughput)}/s` : '',
    r.baseline ? `${(r.throughput / r.baseline.throughput).toFixed(2)}×` : '',
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const only = values.only?.split(',').map((s) => s.trim());
  const suites = SUITES.filter((s) => !only || only.includes(s.name));
  const rows: BenchRow[] = [];
  for (const suite of suites) {
    const workDir = mkdtempSync(join(tmpdir(), `bench-${suite.name}-`));
    try {
      process.stderr.write(`running ${suite.name}${values.quick ? ' (quick)' : ''}…\n`);
      rows.push(...(await suite.run({ quick: values.quick ?? false, workDir })));
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  printTable(rows);
  const resultsDir = join(__dirname, '../../bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}${values.quick ? '-quick' : ''}.json`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemMiB: Math.round(totalmem() / 2 ** 20), node: process.version, platform: process.platform };
  writeFileSync(file, JSON.stringify({ quick: values.quick, machine, rows }, null, 2));
  console.log(`\nwritten to ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
