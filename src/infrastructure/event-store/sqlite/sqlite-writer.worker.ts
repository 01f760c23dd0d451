/**
 * The event log's writer thread (`LEDGER_EVENT_LOG_WRITER=thread`, the default for the service):
 * its own connection to the log's file commits the groups of appends {@link SqliteEventStore} sends,
 * one at a time, and answers each with its outcomes. The commit and its fsync (`synchronous=FULL`)
 * happen here, so the main thread goes on parsing and answering requests meanwhile; the appends
 * that arrive in the meantime form the next group.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openLogDatabase, SqliteLogWriter, writeFailure } from './sqlite-log-writer';
import type { FromLogWriter, LogWriterData, ToLogWriter } from './sqlite-writer.messages';

const port = parentPort!;
const { filename, synchronous, walAutocheckpointPages } = workerData as LogWriterData;
const post = (message: FromLogWriter): void => port.postMessage(message);

let db: Database.Database | undefined;
try {
  db = openLogDatabase(filename, { synchronous, walAutocheckpointPages });
  const writer = new SqliteLogWriter(db);
  port.on('message', (message: ToLogWriter) => {
    if (message.kind === 'close') {
      db?.close();
      db = undefined;
      port.close();
      return;
    }
    try {
      post({ kind: 'committed', seq: message.seq, outcomes: writer.commitGroup(message.batch) });
    } catch (err) {
      post({ kind: 'failed', seq: message.seq, failure: writeFailure(err) });
    }
  });
  post({ kind: 'ready' });
} catch (err) {
  db?.close();
  post({ kind: 'failed', seq: -1, failure: writeFailure(err) });
  port.close();
}
