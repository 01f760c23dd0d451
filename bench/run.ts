/**
 * `npm run bench [-- --quick] [-- --only name,name]`: runs every suite of the issues at the shared
 * size (full: 100,000 orders ≈ 1,000,000 events; `--quick`: a tenth), prints one table (throughput,
 * p50/p99, peak RSS, ratio to the same-run baseline, target) and writes it as JSON under
 * bench/results/ with a description of the machine, so runs can be compared. Every suite runs in a
 * child process of its own, so the heap an earlier suite grew does not count in a later suite's peak
 * RSS. A suite that throws (or whose process dies) becomes an error row and the run goes on; a suite
 * an issue names that is not registered yet shows as a "not registered" row.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, totalmem, tmpdir, type } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { BenchRow, BenchSuite, benchSize } from './harness';

/**
 * Every suite, in the order they run, by name and module (loaded only by the process that runs it, so
 * a suite's process holds no other suite's code). Suites of other concepts register here.
 */
const SUITE_MODULES: Record<string, string> = {
  eventstore: './eventstore.bench',
  ingest: './ingest.bench',
  reconcile: './reconcile.bench',
  projections: './projections.bench',
  simulate: './simulate.bench',
  api: './api.bench',
  replay: './replay.bench',
  export: './export.bench',
};
const SUITE_NAMES = Object.keys(SUITE_MODULES);

/** The suite registered as `name`. */
function loadSuite(name: string): BenchSuite {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(SUITE_MODULES[name]!) as { suite: BenchSuite }).suite;
}

/**
 * The benchmarks the issues ask for, by suite name: a name missing from {@link SUITE_MODULES} is reported
 * as not registered, so the table always shows the whole suite.
 */
export const EXPECTED_SUITES: Record<string, string> = {
  eventstore: 'issue 2: event log append (batched and single) and $all read rate',
  ingest: 'issue 4: Scayle webhooks over HTTP ≥ 2,000 req/s, p99 < 50 ms at 500 req/s, vs a bare express endpoint',
  reconcile: 'issue 3: reconcile 3 items + 1 fee vs one invoice ≥ 10,000 orders/s, vs bare decimal.js',
  projections: 'issue 5: rebuild from 1,000,000 events ≥ 20,000 events/s, peak RSS ≤ 512 MB, vs raw log read',
  api: 'issue 6: command p99 < 20 ms at 100 req/s, query p99 < 10 ms',
  replay: 'issue 7: replay of a period of 1,000,000 events ≤ 60 s, peak RSS ≤ 512 MB, vs raw log read',
  simulate: 'issue 8: simulator throughput (orders and records per second) at the shared size',
  export: 'issue 10: mapping + export of 10,000 orders to the file adapter ≥ 2,000 orders/s, vs writing the same NDJSON bytes directly',
};

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '' : n.toLocaleString('en', { maximumFractionDigits: digits }));

/** The results table. */
export function formatTable(rows: BenchRow[]): string {
  const t = new Table({ head: ['benchmark', 'size', 'throughput', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'baseline', 'ratio', 'target', 'met'], style: { head: [], border: [], compact: true }, wordWrap: true, colWidths: [44, 16, 20, 9, 9, 9, 30, 8, 28, 5] });
  for (const r of rows) {
    if (r.error !== undefined) {
      t.push([r.name, r.size ?? '', { colSpan: 8, content: r.error }]);
      continue;
    }
    t.push([
      r.name,
      r.size ?? '',
      `${fmt(r.throughput)} ${r.unit}/s`,
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      fmt(r.peakRssMiB, 0),
      r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.throughput)}/s` : '',
      r.baseline ? `${(r.throughput / r.baseline.throughput).toFixed(2)}×` : '',
      r.target ?? '',
      r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    ]);
  }
  return t.toString();
}

/** What the figures were measured on. */
export function machineDescription(): Record<string, unknown> {
  let commit: string | undefined;
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    commit = undefined;
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    cpuMHz: cpus()[0]?.speed,
    totalMemMiB: Math.round(totalmem() / 2 ** 20),
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    os: `${type()} ${release()}`,
    arch: arch(),
    platform: process.platform,
    node: process.version,
    ...(commit ? { commit } : {}),
  };
}

/** Runs `suites`; a throwing suite becomes one error row. */
export async function runSuites(suites: readonly BenchSuite[], quick: boolean, log: (s: string) => void = (s) => process.stderr.write(s)): Promise<BenchRow[]> {
  const size = benchSize(quick);
  const rows: BenchRow[] = [];
  for (const suite of suites) {
    const workDir = mkdtempSync(join(tmpdir(), `bench-${suite.name}-`));
    const started = Date.now();
    try {
      log(`running ${suite.name}${quick ? ' (quick)' : ''}…\n`);
      rows.push(...(await suite.run({ quick, workDir, size })));
      log(`  ${suite.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log(`  ${suite.name} FAILED: ${err instanceof Error ? (err.stack ?? message) : message}\n`);
      rows.push({ name: `${suite.name}: FAILED`, unit: '', throughput: Number.NaN, error: `error: ${message.split('\n')[0]!.slice(0, 300)}` });
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  return rows;
}

const toJson = (rows: BenchRow[]) => JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? null : v));
const fromJson = (text: string) => (JSON.parse(text) as BenchRow[]).map((r) => ({ ...r, throughput: r.throughput ?? Number.NaN }));

/** Runs each suite in a child process of this script (`--child name --out file`); see the file's TSDoc. */
function runSuitesIsolated(names: readonly string[], quick: boolean): BenchRow[] {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-rows-'));
  try {
    for (const name of names) {
      const out = join(dir, `${name}.json`);
      const child = spawnSync(process.execPath, [__filename, '--child', name, '--out', out, ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
      try {
        rows.push(...fromJson(readFileSync(out, 'utf8')));
      } catch {
        process.stderr.write(`  ${name} FAILED: its process ended with ${child.signal ?? `exit code ${child.status}`} and no results\n`);
        rows.push({ name: `${name}: FAILED`, unit: '', throughput: Number.NaN, error: `error: the suite's process ended with ${child.signal ?? `exit code ${child.status}`}` });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** A mistake in the command line: printed as one line, exit code 2. */
class UsageError extends Error {}

function parseCommandLine() {
  try {
    return parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, child: { type: 'string' }, out: { type: 'string' } } });
  } catch (err) {
    // node:util's own messages ("Unknown option '--onyl'…") are clear; only the stack trace is not.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message);
    throw err;
  }
}

async function main(): Promise<void> {
  const { values } = parseCommandLine();
  const quick = values.quick ?? false;
  if (values.child !== undefined) {
    if (!SUITE_MODULES[values.child] || !values.out) throw new UsageError(`--child needs a known suite and --out`);
    writeFileSync(values.out, toJson(await runSuites([loadSuite(values.child)], quick)));
    return;
  }
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  if (only && only.length === 0) throw new UsageError(`--only needs suite names separated by commas; known: ${SUITE_NAMES.join(', ')}`);
  const unknown = only?.filter((n) => !SUITE_NAMES.includes(n) && !(n in EXPECTED_SUITES));
  if (unknown && unknown.length) throw new UsageError(`unknown suite(s) ${unknown.join(', ')}; known: ${[...new Set([...SUITE_NAMES, ...Object.keys(EXPECTED_SUITES)])].join(', ')}`);
  const rows = runSuitesIsolated(SUITE_NAMES.filter((n) => !only || only.includes(n)), quick);
  for (const [name, what] of Object.entries(EXPECTED_SUITES)) {
    if ((only && !only.includes(name)) || SUITE_NAMES.includes(name)) continue;
    rows.push({ name: `${name}: not registered yet`, unit: '', throughput: Number.NaN, error: what });
  }
  const size = benchSize(quick);
  console.log(`size: ${fmt(size.orders)} orders ≈ ${fmt(size.events)} events${quick ? ' (quick)' : ''}`);
  console.log(formatTable(rows));
  const resultsDir = join(__dirname, '../../bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify({ quick, size, machine: machineDescription(), rows }, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2));
  console.log(`\nwritten to ${file}`);
  if (rows.some((r) => r.error !== undefined && r.name.endsWith('FAILED'))) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    if (err instanceof UsageError) {
      console.error(`bench: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });
}
