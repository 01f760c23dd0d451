/**
 * The event log's writer thread (`LEDGER_EVENT_LOG_WRITER=thread`, the default for the service):
 * its own connection to the log's file commits the groups of appends {@link SqliteEventStore} sends,
 * one at a time, and answers each with its outcomes. The commit and its fsync (`synchronous=FULL`)
 * happen here, so the main thread goes on parsing and answering requests meanwhile; the appends
 * that arrive in the meantime form the next group.
 */
import { workerData } from 'node:worker_threads';
import { serveRequests } from '../../threads/serve-requests';
import { openLogDatabase, SqliteLogWriter, writeFailure, type AppendRequest, type WriteOutcome } from './sqlite-log-writer';
import type { LogWriterData } from './sqlite-writer.messages';

const { filename, synchronous, walAutocheckpointPages } = workerData as LogWriterData;

serveRequests(
  () => openLogDatabase(filename, { synchronous, walAutocheckpointPages }),
  (db) => {
    const writer = new SqliteLogWriter(db);
    return (batch: AppendRequest[]): WriteOutcome[] => writer.commitGroup(batch);
  },
  writeFailure,
);
