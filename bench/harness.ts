/**
 * Benchmark harness shared by every suite under bench/. A suite measures its subject and, in the
 * same run, a baseline (the bare operation it is built on), so figures are read as ratios that do
 * not depend on how fast this machine is today.
 */
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
}

export interface BenchOptions {
  /** `--quick`: a tenth of the full size. */
  quick: boolean;
  /** Scratch directory for this run. */
  workDir: string;
}

export interface BenchSuite {
  name: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

/** Tracks peak RSS by sampling while `fn` runs. */
export async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakRssMiB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakRssMiB: peak / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}

/** Percentile (0–100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
