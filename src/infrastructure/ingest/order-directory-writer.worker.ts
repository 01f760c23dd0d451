/**
 * The order directory's writer thread: its own connection to `order-directory.db` commits the
 * groups of writes {@link SqliteOrderDirectory} sends, one at a time, and answers each with the rows
 * each write changed. The inserts of a new order's references (3–4 rows per webhook) happen here,
 * so the main thread goes on answering requests; the writes asked for meanwhile form the next group.
 */
import { workerData } from 'node:worker_threads';
import { threadFailure } from '../threads/request-thread';
import { serveRequests } from '../threads/serve-requests';
import { openOrderDirectoryDatabase, OrderDirectoryWriter, type DirectoryWrite } from './order-directory-writer';

const { filename } = workerData as { filename: string };

serveRequests(
  () => openOrderDirectoryDatabase(filename),
  (db) => {
    const writer = new OrderDirectoryWriter(db);
    return (writes: DirectoryWrite[]): number[] => writer.commitGroup(writes);
  },
  threadFailure,
);
