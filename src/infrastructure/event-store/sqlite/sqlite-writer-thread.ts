/**
 * The main thread's handle on the event log's writer thread ({@link ./sqlite-writer.worker}), a
 * {@link RequestThread}: started on the first commit (a process that only reads the log never
 * starts one), keeping the process alive only while a group is waiting for its answer. A thread
 * that dies fails the group it was committing — whether that group is stored is then unknown, and
 * retrying its appends is safe (event ids make them idempotent) — and the next commit starts a new
 * one. It is closed by a message after its last group, never terminated.
 */
import { join } from 'node:path';
import { RequestThread } from '../../threads/request-thread';
import { writeError, type AppendRequest, type WriteFailure, type WriteOutcome } from './sqlite-log-writer';
import type { LogWriterData } from './sqlite-writer.messages';

const WORKER_FILE = join(__dirname, 'sqlite-writer.worker.js');

export class LogWriterThread extends RequestThread<AppendRequest[], WriteOutcome[], WriteFailure> {
  /** @param workerFile the thread's entry (tests give one that dies). */
  constructor(data: LogWriterData, workerFile: string = WORKER_FILE) {
    super({
      workerFile,
      workerData: data,
      errorOf: writeError,
      exitedError: (code) => new Error(`The event log writer thread exited (code ${code}) before answering: the appends it was committing may or may not be stored; retrying them is safe`),
    });
  }

  /**
   * Commits `batch` in the writer thread.
   * @returns one outcome per append, in order.
   * @throws the driver's error when the group's transaction failed (nothing of it stored), or an
   *   Error when the thread died before answering (the group may or may not be stored).
   */
  commit(batch: AppendRequest[]): Promise<WriteOutcome[]> {
    return this.request(batch);
  }
}
