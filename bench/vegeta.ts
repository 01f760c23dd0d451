/**
 * Constant-rate HTTP load with vegeta (github.com/tsenart/vegeta, built by `bench/vegeta.sh`): an
 * open-loop generator that starts one request every 1/rate s whatever the answers do, unlike
 * autocannon's `overallRate`, which lets each connection send its quota for the second back to back
 * and then pause (a burst of the whole rate at the start of every second).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Path of the pinned vegeta binary, built into the user cache by `bench/vegeta.sh install` on first
 * use (idempotent; a no-op once built).
 * @throws Error naming what is missing (Go, or the build's own error) when it cannot be installed.
 */
export function vegetaBinary(script = join(__dirname, '../../bench/vegeta.sh')): string {
  try {
    return execFileSync('bash', [script, 'install'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    const why = stderr.split('\n').filter((l) => l.includes('error:')).pop() ?? stderr.split('\n').pop() ?? String(err);
    throw new Error(`the fixed-rate phase needs vegeta, built with Go by bench/vegeta.sh: ${why.replace(/^vegeta\.sh: error: /, '')}`);
  }
}

/**
 * One line of vegeta's JSON target format (`-format=json`): method, URL, headers (each a list of
 * values, as vegeta's schema wants) and the body in base64.
 */
export function jsonTarget(method: string, url: string, headers: Record<string, string>, body: string): string {
  const header = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  return `${JSON.stringify({ method, url, header, body: Buffer.from(body).toString('base64') })}\n`;
}

/**
 * What `vegeta report -type=json` prints, the fields read here. Latencies in **nanoseconds**
 * (percentiles are vegeta's t-digest estimates); `rate` = requests sent per second between the first
 * and the last; `throughput` = successful (2xx/3xx) answers per second including the wait for the
 * last one; `status_codes` by code, where `"0"` counts requests that got no answer (connection error,
 * timeout).
 */
export interface VegetaReport {
  latencies: { '50th': number; '99th': number; max: number; mean: number };
  requests: number;
  rate: number;
  throughput: number;
  success: number;
  duration: number;
  status_codes: Record<string, number>;
  errors: string[];
}

/** Answers of a report by kind: 2xx, other status codes, and no answer at all (status 0). */
export function countAnswers(report: VegetaReport): { ok: number; non2xx: number; errors: number } {
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  for (const [code, n] of Object.entries(report.status_codes)) {
    if (code === '0') errors += n;
    else if (code.startsWith('2') && code.length === 3) ok += n;
    else non2xx += n;
  }
  return { ok, non2xx, errors };
}

export interface ConstantRateOptions {
  /** The vegeta binary ({@link vegetaBinary}). */
  bin: string;
  /** Requests started per second. */
  rate: number;
  durationSeconds: number;
  /**
   * The requests, one {@link jsonTarget} line each, read by vegeta only as it sends them (`-lazy`);
   * must not run out before `rate × durationSeconds` (an exhausted source ends the attack with an
   * error result).
   */
  targets: Iterable<string>;
  /** Per-request timeout, seconds (default 30). */
  timeoutSeconds?: number;
}

/**
 * Runs `vegeta attack` at a constant rate and `vegeta report -type=json` on its results (kept in a
 * temporary file, so the report's work happens after the attack, not during it).
 * @returns the report and the CPU vegeta's attack used, in ms (Linux: from the children's times in
 * `/proc/self/stat`; NaN elsewhere).
 * @throws Error when vegeta exits with an error.
 */
export async function attackAtConstantRate(o: ConstantRateOptions): Promise<{ report: VegetaReport; attackCpuMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'vegeta-'));
  const results = join(dir, 'results.bin');
  try {
    const cpuBefore = childrenCpuMs();
    const attack = spawn(o.bin, ['attack', '-format=json', '-lazy', `-rate=${o.rate}/1s`, `-duration=${o.durationSeconds}s`, `-timeout=${o.timeoutSeconds ?? 30}s`, '-max-body=0', `-output=${results}`], { stdio: ['pipe', 'ignore', 'inherit'] });
    const exited = once(attack, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    // vegeta closes its end when the attack is over; the targets still buffered are never sent.
    const fed = pipeline(Readable.from(o.targets), attack.stdin).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    });
    const [code, signal] = await exited;
    attack.stdin.destroy();
    await fed;
    const attackCpuMs = childrenCpuMs() - cpuBefore;
    if (code !== 0) throw new Error(`vegeta attack exited with ${code ?? signal}`);
    const report = JSON.parse(execFileSync(o.bin, ['report', '-type=json', results], { encoding: 'utf8' })) as VegetaReport;
    return { report, attackCpuMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU (user + system, ms) of this process's finished, reaped children; NaN where /proc is missing. */
function childrenCpuMs(): number {
  try {
    const hz = clockTicksPerSecond(); // first: `getconf` is a child too
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // fields after "(comm) " start at field 3; cutime and cstime are fields 16 and 17 (proc(5))
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / hz;
  } catch {
    return Number.NaN;
  }
}

let ticks: number | undefined;
function clockTicksPerSecond(): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticks;
}
