/** Messages between {@link SqliteEventStore} and its log writer thread (structured clone: bigints travel as they are). */
import type { AppendRequest, WriteFailure, WriteOutcome } from './sqlite-log-writer';

/** What the writer thread opens (`workerData`). */
export interface LogWriterData {
  filename: string;
  /** `synchronous` pragma of the writing connection (see SqliteEventStoreOptions.synchronous). */
  synchronous: 'FULL' | 'NORMAL';
  walAutocheckpointPages?: number | undefined;
}

/** Store → writer: commit a group; or close the connection and exit. */
export type ToLogWriter = { kind: 'commit'; seq: number; batch: AppendRequest[] } | { kind: 'close' };

/**
 * Writer → store: the connection is open (`ready`); a group's outcomes; a group whose transaction
 * failed (nothing of it stored), or an open that failed (`seq` -1, the thread exits).
 */
export type FromLogWriter = { kind: 'ready' } | { kind: 'committed'; seq: number; outcomes: WriteOutcome[] } | { kind: 'failed'; seq: number; failure: WriteFailure };
