/**
 * How far the read models have got (issue 5): per projection its checkpoint, the log head and the
 * lag, plus a bounded wait for read-your-writes (`minPosition`) and for the period close. Implemented
 * by the projection runner; read by `/v1/freshness`, metrics and queries.
 */

/** One projection's progress. Positions are bigint (decimal strings in JSON). */
export interface ProjectionLag {
  name: string;
  /** Log position applied and durable. */
  checkpoint: bigint;
  /** Position of the last event in the log. */
  head: bigint;
  /** Events after the checkpoint up to the head (counted up to {@link LAG_COUNT_CAP}). */
  lagEvents: number;
  /** True when `lagEvents` hit the cap (the lag is at least that). */
  lagEventsCapped: boolean;
  /** Ledger time of the head event minus that of the first event not applied yet, in seconds (0 when caught up). */
  lagSeconds: number;
  /** The runner has reached the head at least once and has nothing pending. */
  caughtUp: boolean;
  /** Events dead-lettered by this projection so far. */
  deadLetters: number;
}

/** Lag is counted event by event up to this many. */
export const LAG_COUNT_CAP = 10_000;

export interface ProjectionMonitor {
  /** Every projection's progress (reads the log head). */
  status(): Promise<ProjectionLag[]>;
  /**
   * Resolves true once every projection's checkpoint is at or past `position`, false after
   * `timeoutMs`. The batch holding `position` is written as soon as it holds it ({@link hurry}).
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean>;
  /**
   * Someone waits for `position` (a reader polling positions, the period close): the batch that holds
   * it is written as soon as it does instead of after the batch linger (`LEDGER_PROJECTION_MAX_LATENCY`).
   */
  hurry?(position: bigint): void;
  /** Position of the last event in the log (`0n` when empty). */
  headPosition(): Promise<bigint>;
  /** Checkpoints as of now, without reading the log. */
  checkpoints(): { name: string; position: bigint }[];
}
