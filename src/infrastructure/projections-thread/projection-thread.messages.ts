/**
 * The messages between the main thread and the projection thread (structured clone: bigint
 * positions travel as they are).
 */
import type { RunnerProgress } from '../../projections/runner';
import type { Config } from '../config/config';

/** What the projection thread is started with (`workerData`). */
export interface ProjectionThreadData {
  /** The service's configuration (plain data). */
  config: Config;
}

/** Main thread → projection thread. */
export type ToProjectionThread =
  /** The main thread committed appends: look at the log now instead of at the next poll. */
  | { kind: 'appended' }
  /** The stored checkpoints' generations differ from the reported ones (a rebuild swapped in): look now. */
  | { kind: 'recheck' }
  /** A reader waits for `position`: commit the batch that holds it as soon as it does (`ProjectionRunner.hurry`). */
  | { kind: 'hurry'; position: bigint }
  /** Stop the runner and the scheduler, close the stores, then exit. */
  | { kind: 'stop' };

/** Projection thread → main thread. */
export type FromProjectionThread =
  /** The stores are open, the runner and the scheduler started; `progress` as loaded. */
  | { kind: 'started'; progress: RunnerProgress }
  /** Start-up failed; the thread exits. */
  | { kind: 'failed'; message: string; stack?: string }
  /** A commit, the head reached, owed work done. */
  | { kind: 'progress'; progress: RunnerProgress }
  /** Everything stopped and closed; the thread exits next. */
  | { kind: 'stopped' };
