/**
 * The main thread's handle on the event log's writer thread ({@link ./sqlite-writer.worker}).
 * Started on the first commit (a process that only reads the log never starts one). It keeps the
 * process alive only while a group is waiting for its answer. A thread that dies fails the group it
 * was committing — whether that group is stored is then unknown, and retrying its appends is safe
 * (event ids make them idempotent) — and the next commit starts a new one.
 *
 * The thread is never terminated from outside: `worker.terminate()` while SQLite is inside a call
 * that ends in an error (a busy wait) aborts the whole process in better-sqlite3's native code. It
 * is closed by a message, after its last group.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeError, type AppendRequest, type WriteOutcome } from './sqlite-log-writer';
import type { FromLogWriter, LogWriterData, ToLogWriter } from './sqlite-writer.messages';

const WORKER_FILE = join(__dirname, 'sqlite-writer.worker.js');

export class LogWriterThread {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(outcomes: WriteOutcome[]): void; reject(err: unknown): void }>();

  /** @param workerFile the thread's entry (tests give one that dies). */
  constructor(
    private readonly data: LogWriterData,
    private readonly workerFile: string = WORKER_FILE,
  ) {}

  /**
   * Commits `batch` in the writer thread.
   * @returns one outcome per append, in order.
   * @throws the driver's error when the group's transaction failed (nothing of it stored), or an
   *   Error when the thread died before answering (the group may or may not be stored).
   */
  commit(batch: AppendRequest[]): Promise<WriteOutcome[]> {
    const worker = this.worker ?? this.spawn();
    const seq = ++this.seq;
    return new Promise<WriteOutcome[]>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      worker.ref();
      worker.postMessage({ kind: 'commit', seq, batch } satisfies ToLogWriter);
    });
  }

  /** Closes the thread's connection and waits for it to exit (call when no group is waiting). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held while closing: an idle thread is unref'd, and a process with nothing else to do would
    // end before the close is done (and before whatever its caller does next).
    worker.ref();
    worker.postMessage({ kind: 'close' } satisfies ToLogWriter);
    await exited;
  }

  private spawn(): Worker {
    const worker = new Worker(this.workerFile, { workerData: this.data });
    this.worker = worker;
    worker.on('message', (message: FromLogWriter) => {
      if (message.kind === 'ready') return;
      if (message.kind === 'failed' && message.seq === -1) {
        this.failAll(writeError(message.failure)); // the connection did not open; the thread exits
        return;
      }
      const waiter = this.waiting.get(message.seq);
      if (!waiter) return;
      this.waiting.delete(message.seq);
      if (this.waiting.size === 0) worker.unref();
      if (message.kind === 'committed') waiter.resolve(message.outcomes);
      else waiter.reject(writeError(message.failure));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`The event log writer thread exited (code ${code}) before answering: the appends it was committing may or may not be stored; retrying them is safe`));
    });
    worker.unref();
    return worker;
  }

  private failAll(err: unknown): void {
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
