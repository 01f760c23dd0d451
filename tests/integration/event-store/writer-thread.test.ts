import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { LogWriterThread } from '../../../src/infrastructure/event-store/sqlite/sqlite-writer-thread';
import { tempDir } from '../../support/temp-dir';

const event = (n: number) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'Fact', data: { n }, metadata: { source: 'scayle' as const, occurredAt: '2024-06-01T10:00:00Z', recordedAt: '2024-06-01T10:00:00Z', schemaVersion: 1 } });
const threadOf = (store: SqliteEventStore) => (store as unknown as { writerThread: { close(): Promise<void>; worker?: unknown } }).writerThread;

describe('SQLite event log: the writer thread', function () {
  this.timeout(20_000);
  const dir = tempDir();
  const file = join(dir.path, 'events.db');
  const store = new SqliteEventStore({ filename: file, writerThread: true });
  after(async () => {
    await store.close();
    dir.remove();
  });

  it('commits off the calling thread: while another connection holds the write lock, the event loop keeps running and reads answer', async () => {
    await store.appendToStream('s-1', [event(1)], { expectedRevision: 'no_stream' });
    const locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');
    try {
      const pending = store.appendToStream('s-2', [event(2)], { expectedRevision: 'no_stream' });
      let settled = false;
      void pending.then(() => (settled = true));
      // Inline, this append would block this thread in SQLite's busy wait (up to 5 s) at the next turn.
      await new Promise((r) => setTimeout(r, 200));
      expect(settled, 'waits for the lock').to.equal(false);
      expect(await store.headPosition()).to.equal(1n);
      locker.exec('COMMIT');
      expect(await pending).to.deep.equal({ nextExpectedRevision: 0n, position: 2n });
    } finally {
      if (locker.inTransaction) locker.exec('ROLLBACK');
      locker.close();
    }
  });

  it('a thread that is closed while idle is started again by the next append', async () => {
    await threadOf(store).close();
    expect(threadOf(store).worker).to.equal(undefined);
    expect(await store.appendToStream('s-3', [event(3)], { expectedRevision: 'no_stream' })).to.deep.equal({ nextExpectedRevision: 0n, position: 3n });
    expect((await store.readStream('s-3')).map((e) => e.data)).to.deep.equal([{ n: 3 }]);
  });


  it('a thread that dies before answering fails its group with a clear error, and each later commit gets its own answer (no hang)', async () => {
    const dying = join(dir.path, 'dying-writer.js');
    writeFileSync(dying, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));");
    const thread = new LogWriterThread({ filename: join(dir.path, 'unused.db'), synchronous: 'FULL' }, dying);
    const batch = [{ streamId: 's', expected: 'no_stream' as const, events: [{ id: 'e', type: 'Fact', data: '{}', metadata: '{}' }] }];
    for (let attempt = 0; attempt < 2; attempt++) {
      let failure: unknown;
      await thread.commit(batch).catch((err: unknown) => (failure = err));
      expect(String(failure)).to.equal('Error: The event log writer thread exited (code 3) before answering: the appends it was committing may or may not be stored; retrying them is safe');
    }
  });

  it('close() keeps the process alive until it is done: code after it runs (an idle thread is unref\'d; the bench and CLIs ended early)', () => {
    const script = `
      const { SqliteEventStore } = require(${JSON.stringify(require.resolve('../../../src/infrastructure/event-store/sqlite/sqlite-event-store'))});
      (async () => {
        const s = new SqliteEventStore({ filename: ${JSON.stringify(join(dir.path, 'close.db'))}, writerThread: true });
        await s.appendToStream('s', [${JSON.stringify(event(9))}], { expectedRevision: 'any' });
        await s.close();
        process.stdout.write('after close');
      })();`;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect([out.status, out.stdout]).to.deep.equal([0, 'after close']);
  });
});
