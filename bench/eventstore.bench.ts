import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EventData } from '../src/application/ports/event-store.port';
import { SqliteEventStore } from '../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { BenchOptions, BenchRow, BenchSuite, withPeakRss } from './harness';

const payload = {
  orderId: 'o-1',
  items: [{ itemId: 'i-1', gross: '19.99', net: '16.80', tax: '3.19', taxRate: '0.19' }],
  currency: 'EUR',
};
const metadata = { source: 'scayle' as const, occurredAt: '2024-05-01T10:00:00.000Z', recordedAt: '2024-05-01T10:00:01.000Z', schemaVersion: 1 };
const makeEvent = (): EventData => ({ id: randomUUID(), type: 'ScayleOrderConfirmed', data: payload, metadata });

/** Raw better-sqlite3: the same rows inserted in transactions of `batch`, same pragmas, no checks. */
function rawInsertRate(file: string, total: number, batch: number): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (position INTEGER PRIMARY KEY, event_id TEXT UNIQUE, stream_id TEXT, revision INTEGER, type TEXT, data TEXT, metadata TEXT, created TEXT, UNIQUE(stream_id, revision))');
  const insert = db.prepare('INSERT INTO t (event_id, stream_id, revision, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const tx = db.transaction((stream: string, n: number) => {
    for (let i = 0; i < n; i++) insert.run(randomUUID(), stream, i, 'ScayleOrderConfirmed', JSON.stringify(payload), JSON.stringify(metadata), new Date().toISOString());
  });
  const started = process.hrtime.bigint();
  for (let done = 0, s = 0; done < total; done += batch, s++) tx(`raw-${s}`, batch);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return total / seconds;
}

async function appendRate(store: SqliteEventStore, total: number, batch: number, prefix: string): Promise<number> {
  const started = process.hrtime.bigint();
  for (let done = 0, s = 0; done < total; done += batch, s++) {
    await store.appendToStream(`${prefix}-${s}`, Array.from({ length: batch }, makeEvent), { expectedRevision: 'no_stream' });
  }
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

export const suite: BenchSuite = {
  name: 'eventstore',
  async run({ quick, workDir }: BenchOptions): Promise<BenchRow[]> {
    const singles = quick ? 2_000 : 10_000;
    const batched = quick ? 100_000 : 500_000;
    const readTotal = quick ? 100_000 : 1_000_000;

    const rawSingle = rawInsertRate(join(workDir, 'raw-1.db'), singles, 1);
    const rawBatched = rawInsertRate(join(workDir, 'raw-100.db'), batched, 100);

    const store = new SqliteEventStore({ filename: join(workDir, 'events.db') });
    const single = await appendRate(store, singles, 1, 's');
    const hundred = await appendRate(store, batched, 100, 'b');
    // Fill up to the read size, then read it all through $all.
    const have = singles + batched;
    if (readTotal > have) await appendRate(store, readTotal - have, 100, 'fill');
    const rawReadStarted = process.hrtime.bigint();
    const rawDb = new Database(join(workDir, 'events.db'), { readonly: true });
    let rawRows = 0;
    for (const row of rawDb.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{ data: string; metadata: string }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      rawRows++;
    }
    rawDb.close();
    const rawReadRate = rawRows / (Number(process.hrtime.bigint() - rawReadStarted) / 1e9);
    const read = await withPeakRss(async () => {
      const started = process.hrtime.bigint();
      let n = 0;
      for await (const _e of store.readAll()) n++;
      return n / (Number(process.hrtime.bigint() - started) / 1e9);
    });
    await store.close();

    return [
      {
        name: 'eventstore: append 1-event batches (sqlite, synchronous=FULL)',
        unit: 'events',
        size: `${singles.toLocaleString('en')} events`,
        throughput: single,
        baseline: { name: 'raw better-sqlite3 insert, 1 row/tx', throughput: rawSingle },
      },
      {
        name: 'eventstore: append 100-event batches (sqlite, synchronous=FULL)',
        unit: 'events',
        size: `${batched.toLocaleString('en')} events`,
        throughput: hundred,
        baseline: { name: 'raw better-sqlite3 insert, 100 rows/tx', throughput: rawBatched },
        target: '≥ 50% of raw insert rate',
        met: hundred >= 0.5 * rawBatched,
      },
      {
        name: `eventstore: read ${rawRows.toLocaleString('en')} events through $all`,
        unit: 'events',
        size: `${rawRows.toLocaleString('en')} events`,
        throughput: read.result,
        peakRssMiB: read.peakRssMiB,
        baseline: { name: 'raw better-sqlite3 iterate + JSON.parse', throughput: rawReadRate },
        target: 'peak RSS < 300 MB',
        met: read.peakRssMiB < 300,
      },
    ];
  },
};
