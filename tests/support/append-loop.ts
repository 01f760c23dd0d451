/**
 * Child process of the crash test: appends batches to the SQLite log in a loop and prints one line
 * per acknowledged append (`ack <stream> <batch> <size>`), until it is killed.
 * Usage: node append-loop.js <db-file> <batch-size>
 */
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite/sqlite-event-store';

async function main(): Promise<void> {
  const [filename, sizeArg] = process.argv.slice(2);
  const size = Number(sizeArg ?? '10');
  const store = new SqliteEventStore({ filename: filename! });
  for (let batch = 0; ; batch++) {
    const stream = `crash-${batch % 7}`;
    const events = Array.from({ length: size }, (_, i) => ({
      id: randomUUID(),
      type: 'CrashTestAppended',
      data: { batch, index: i, size },
      metadata: { source: 'ledger' as const, occurredAt: new Date().toISOString(), recordedAt: new Date().toISOString(), schemaVersion: 1 },
    }));
    await store.appendToStream(stream, events, { expectedRevision: 'any' });
    process.stdout.write(`ack ${stream} ${batch} ${size}\n`);
  }
}

void main();
