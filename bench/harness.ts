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
  /** Work size of the row (e.g. `100,000 orders`), where it differs from the run's shared size. */
  size?: string;
  /** Set by the runner when the suite threw or is not registered yet: the row carries no figures. */
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
