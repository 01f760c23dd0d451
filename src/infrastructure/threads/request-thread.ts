/**
 * The main thread's handle on a worker thread that does one kind of work for it — a writer with a
 * connection of its own (the event log's, the order directory's) — answering each request with one
 * message ({@link serveRequests} is the thread's side).
 *
 * Started on the first request (a process that never asks never starts one). It keeps the process
 * alive only while a request waits for its answer (`ref`), and is `unref`'d while idle. A thread
 * that dies fails the requests it was answering with {@link RequestThreadOptions.exitedError} —
 * whether their work is stored is then unknown — and the next request starts a new one.
 *
 * The thread is never terminated from outside: `worker.terminate()` while SQLite is inside a call
 * that ends in an error (a busy wait) aborts the whole process in better-sqlite3's native code. It
 * is closed by a message, after its last request.
 */
import { Worker } from 'node:worker_threads';

/** Main → thread: a numbered request; or close the connection and exit. */
export type ToRequestThread<Request> = { kind: 'request'; seq: number; request: Request } | { kind: 'close' };

/**
 * Thread → main: its connection is open (`ready`); a request's answer; a request that failed, or an
 * open that failed (`seq` -1, the thread exits).
 */
export type FromRequestThread<Answer, Failure> = { kind: 'ready' } | { kind: 'answered'; seq: number; answer: Answer } | { kind: 'failed'; seq: number; failure: Failure };

/** An error as plain data (it crosses from a thread; structured clone keeps no prototype). */
export interface ThreadFailure {
  name: string;
  message: string;
  /** The driver's code (`SQLITE_BUSY`, …) when it has one. */
  code?: string;
}

/** The {@link ThreadFailure} of anything thrown. */
export function threadFailure(err: unknown): ThreadFailure {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}

/** An `Error` with the name, message and code of a {@link ThreadFailure}. */
export function threadError(failure: ThreadFailure): Error {
  return Object.assign(new Error(failure.message), { name: failure.name, ...(failure.code ? { code: failure.code } : {}) });
}

export interface RequestThreadOptions<Failure> {
  /** The thread's entry (compiled `.js`; tests give one that dies). */
  workerFile: string;
  /** What the thread opens (`workerData`, structured clone). */
  workerData: unknown;
  /** The error a request gets for the failure the thread answered. */
  errorOf(failure: Failure): Error;
  /** The error the requests in flight get when the thread exits (`code`: its exit code) before answering them. */
  exitedError(code: number): Error;
}

export class RequestThread<Request, Answer, Failure> {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(answer: Answer): void; reject(err: unknown): void }>();

  constructor(private readonly options: RequestThreadOptions<Failure>) {}

  /**
   * Sends `request` to the thread (starting one if none runs); requests are handled in the order sent.
   * @throws the error of the thread's failure ({@link RequestThreadOptions.errorOf}), or
   *   {@link RequestThreadOptions.exitedError} when the thread died before answering.
   */
  request(request: Request): Promise<Answer> {
    const worker = this.worker ?? this.spawn();
    const seq = ++this.seq;
    return new Promise<Answer>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      worker.ref();
      worker.postMessage({ kind: 'request', seq, request } satisfies ToRequestThread<Request>);
    });
  }

  /** Closes the thread's connection and waits for it to exit (call when no request is waiting). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held while closing: an idle thread is unref'd, and a process with nothing else to do would
    // end before the close is done (and before whatever its caller does next).
    worker.ref();
    worker.postMessage({ kind: 'close' } satisfies ToRequestThread<Request>);
    await exited;
  }

  private spawn(): Worker {
    const worker = new Worker(this.options.workerFile, { workerData: this.options.workerData });
    this.worker = worker;
    worker.on('message', (message: FromRequestThread<Answer, Failure>) => {
      if (message.kind === 'ready') return;
      if (message.kind === 'failed' && message.seq === -1) {
        this.failAll(this.options.errorOf(message.failure)); // the connection did not open; the thread exits
        return;
      }
      const waiter = this.waiting.get(message.seq);
      if (!waiter) return;
      this.waiting.delete(message.seq);
      if (this.waiting.size === 0) worker.unref();
      if (message.kind === 'answered') waiter.resolve(message.answer);
      else waiter.reject(this.options.errorOf(message.failure));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(this.options.exitedError(code));
    });
    worker.unref();
    return worker;
  }

  private failAll(err: unknown): void {
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
