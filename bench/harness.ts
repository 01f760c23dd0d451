/**
 * Benchmark harness shared by every suite under bench/. A suite measures its subject and, in the
 * same run, a baseline (the bare operation it is built on), so figures are read as ratios that do
 * not depend on how fast this machine is today.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface BenchRow {
  /** Suite and case, e.g. `eventstore: append 100-event batches`. */
  name: string;
  /** What one unit of work is (`events`, `orders`, `requests`). */
  unit: string;
  /** Units per second. */
  throughput: number;
  /** Latency percentiles in milliseconds, where the suite measures latency. */
  p50Ms?: number;
  p99Ms?: number;
  /** Peak resident set size in MiB during the case, where measured. */
  peakRssMiB?: number;
  /** Name and throughput of the same-run baseline. */
  baseline?: { name: string; throughput: number };
  /** Target from the issue, as text (e.g. `≥ 50% of raw insert`), and whether it was met. */
  target?: string;
  met?: boolean;
  /** Work size of the row (e.g. `100,000 orders`, `10,904 requests / 10 s`). */
  size?: string;
  /**
   * Set by the runner when the suite threw or is not registered yet, or by a suite for a case it could
   * not measure (e.g. a missing tool): the row carries no figures.
   */
  error?: string;
}

export interface BenchOptions {
  /** `--quick`: a tenth of the full size. */
  quick: boolean;
  /** Scratch directory for this run. */
  workDir: string;
  /**
   * The suite size every suite shares (issue 8): full 100,000 orders ≈ 1,000,000 events, quick a
   * tenth. Suites that work on a simulated month use {@link benchSize}.orders; suites that count
   * events use .events.
   */
  size: BenchSize;
}

export interface BenchSize {
  orders: number;
  /** Approximate log events those orders make (≈ 10 per order: webhooks, ERP documents, PSP lines). */
  events: number;
}

/** The shared size: full 100,000 orders ≈ 1,000,000 events; quick a tenth. */
export function benchSize(quick: boolean): BenchSize {
  return quick ? { orders: 10_000, events: 100_000 } : { orders: 100_000, events: 1_000_000 };
}

export interface BenchSuite {
  name: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

/**
 * Peak RSS while `fn` runs. On Linux the kernel's high-water mark is reset before (`clear_refs` 5)
 * and read after (`VmHWM`), so a peak inside work that never returns to the event loop counts too
 * (a projection catch-up used to run whole in microtasks: the sampling timer never fired and the
 * figure was the RSS before or after). Elsewhere, and as a floor, RSS is sampled every 20 ms.
 */
export async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakRssMiB: number }> {
  const hwm = resetHighWaterMark();
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage.rss(), hwm ? highWaterMark() : 0);
    return { result, peakRssMiB: peak / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}

/** Resets the kernel's peak-RSS mark of this process; false where that is not possible (not Linux). */
function resetHighWaterMark(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return highWaterMark() > 0;
  } catch {
    return false;
  }
}

/** `VmHWM` of this process in bytes (0 when unreadable). */
function highWaterMark(): number {
  try {
    const kib = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib ? Number(kib) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Percentile (0–100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
