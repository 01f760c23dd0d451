/**
 * The main thread's side of the projection thread (`LEDGER_PROJECTION_THREAD=worker`, the default).
 *
 * The projection runner and the grace-window scheduler work in a worker thread with connections of
 * their own ({@link ./projection-thread.worker}); the main thread keeps HTTP, the appends and the
 * other subscribers. On one core per thread, a webhook's append no longer waits behind a batch of
 * read-model evaluations (issue 4's ingest rate), and a long batch no longer stalls requests.
 *
 * This class is the {@link ProjectionMonitor} of the main thread: it holds the last progress the
 * thread reported (after every commit) and answers `checkpoints()`, `waitForPosition()` (read-your-
 * writes, the period close) and `status()` (lag, read from the main thread's log) from it. It wakes
 * the thread's catch-up subscription after each group commit of the embedded log, so the thread does
 * not wait for its poll. A thread that dies (an uncaught error) is logged and started again after a
 * back-off (1 s, doubling up to 30 s); meanwhile waits time out and `status()` says not caught up.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EventStore } from '../../application/ports/event-store.port';
import type { ProjectionLag, ProjectionMonitor } from '../../application/ports/projection-monitor.port';
import type { ReadModelStore } from '../../application/ports/read-model-store.port';
import { PositionWaiters } from '../../projections/position-waiters';
import { projectionLag, type RunnerProgress } from '../../projections/runner';
import type { Config } from '../config/config';
import { commitFeedOf } from '../event-store/decorated-store';
import type { Logger } from '../logging/logger';
import type { FromProjectionThread, ProjectionThreadData, ToProjectionThread } from './projection-thread.messages';

const WORKER_FILE = join(__dirname, 'projection-thread.worker.js');
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;

export class ProjectionThread implements ProjectionMonitor {
  readonly name = 'projection runner (worker thread)';
  readonly phase = 10;
  private worker: Worker | undefined;
  private progress: RunnerProgress;
  private alive = false;
  private stopping = false;
  private restartDelayMs = RESTART_MIN_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new PositionWaiters(() => this.lowest(), () => this.stopping);
  private stopFeed: (() => void) | undefined;
  private wakeQueued = false;

  /**
   * @param projectionNames the projections the thread runs, in the runner's order (their progress
   *   reads as position 0 until the thread reports).
   */
  /**
   * @param readModels this thread's connection to the read models, to read the stored checkpoints'
   *   generations (a live rebuild's swap) before answering a wait at once.
   */
  constructor(
    private readonly config: Config,
    private readonly events: EventStore,
    private readonly readModels: Pick<ReadModelStore, 'getCheckpoint'>,
    private readonly logger: Logger,
    projectionNames: readonly string[],
  ) {
    this.progress = { projections: projectionNames.map((name) => ({ name, checkpoint: 0n, position: 0n, generation: 0, owing: false, deadLetters: 0 })), reachedHead: false, pendingEvents: 0 };
  }

  /**
   * Starts the thread and resolves once its stores are open and its runner started.
   * @throws Error with the thread's reason when it fails to start (a store that does not answer).
   */
  async start(): Promise<void> {
    this.stopping = false;
    await this.spawn();
    this.stopFeed = commitFeedOf(this.events)?.onCommitted(() => this.wake());
  }

  /** Stops the thread's runner and scheduler (their batch finishes and commits), waits for it to exit (at most `LEDGER_SHUTDOWN_TIMEOUT`, then terminates it). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.stopFeed?.();
    this.stopFeed = undefined;
    const worker = this.worker;
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      this.send({ kind: 'stop' });
      const timer = setTimeout(() => {
        this.logger.warn({ component: this.name, timeoutMs: this.config.shutdownTimeoutMs }, 'projection thread did not stop in time; terminating it');
        void worker.terminate();
      }, this.config.shutdownTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    this.notify();
  }

  checkpoints(): { name: string; position: bigint }[] {
    return this.progress.projections.map(({ name, position }) => ({ name, position }));
  }

  headPosition(): Promise<bigint> {
    return this.events.headPosition();
  }

  async status(): Promise<ProjectionLag[]> {
    const lag = await projectionLag(this.events, this.progress);
    return this.alive ? lag : lag.map((l) => ({ ...l, caughtUp: false }));
  }

  /**
   * A wait that would be answered at once first compares the stored checkpoints' generations with
   * the reported ones: after a live rebuild's swap the thread's runner reports its own, later position
   * until it notices (its next commit); here the stored positions count at once and the thread is
   * asked to restart from them (`ProjectionRunner.recheckGenerations`). A wait that is not answered
   * at once asks the thread's runner to commit the batch holding `position` as soon as it does
   * (`ProjectionRunner.hurry`) rather than after its linger.
   */
  async waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.lowest() >= position) await this.recheckGenerations();
    else this.hurry(position);
    return this.waiters.wait(position, timeoutMs);
  }

  /** {@link ProjectionMonitor.hurry}: passed to the thread's runner (`ProjectionRunner.hurry`) unless it is there already. */
  hurry(position: bigint): void {
    if (this.lowest() < position) this.send({ kind: 'hurry', position });
  }

  private async recheckGenerations(): Promise<void> {
    let moved = false;
    const projections = [];
    try {
      for (const p of this.progress.projections) {
        const stored = await this.readModels.getCheckpoint(p.name);
        if (stored.generation !== p.generation) {
          moved = true;
          projections.push({ ...p, position: stored.position < p.position ? stored.position : p.position });
        } else projections.push(p);
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not read the checkpoints to look for a rebuild swap');
      return;
    }
    if (!moved) return;
    this.progress = { ...this.progress, projections };
    this.send({ kind: 'recheck' });
  }


  private lowest(): bigint {
    const all = this.progress.projections.map((p) => p.position);
    return all.reduce((a, b) => (b < a ? b : a), all[0] ?? 0n);
  }

  private notify(): void {
    this.waiters.notify();
  }

  private send(message: ToProjectionThread): void {
    this.worker?.postMessage(message);
  }

  /** One wake per event-loop turn however many group commits it saw. */
  private wake(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.send({ kind: 'appended' });
    });
  }

  private spawn(): Promise<void> {
    const data: ProjectionThreadData = { config: this.config };
    const worker = new Worker(WORKER_FILE, { workerData: data });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromProjectionThread) => {
        switch (message.kind) {
          case 'started':
            started = true;
            this.alive = true;
            this.restartDelayMs = RESTART_MIN_MS;
            this.progress = message.progress;
            this.notify();
            resolve();
            break;
          case 'progress':
            this.progress = message.progress;
            this.notify();
            break;
          case 'failed': {
            const err = Object.assign(new Error(message.message), message.stack ? { stack: message.stack } : {});
            this.logger.error({ err }, started ? 'projection thread failed' : 'projection thread failed to start');
            if (!started) reject(err);
            // Its stores may hold the thread open (a MongoDB client's sockets): end it.
            void worker.terminate();
            break;
          }
          case 'stopped':
            this.alive = false;
            break;
        }
      });
      worker.on('error', (err) => {
        this.logger.error({ err }, 'projection thread died on an uncaught error');
        if (!started) reject(err);
      });
      worker.on('exit', (code) => {
        this.alive = false;
        if (this.worker === worker) this.worker = undefined;
        if (!started) {
          reject(new Error(`The projection thread exited during start-up (code ${code})`));
          return;
        }
        this.notify();
        if (!this.stopping) this.scheduleRestart(code);
      });
    });
  }

  private scheduleRestart(code: number): void {
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(RESTART_MAX_MS, delayMs * 2);
    this.logger.error({ code, restartInMs: delayMs }, 'projection thread exited; starting it again');
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.spawn().catch((err: unknown) => {
        this.logger.error({ err }, 'projection thread failed to start again');
        if (!this.stopping) this.scheduleRestart(1);
      });
    }, delayMs);
    this.restartTimer.unref();
  }
}
