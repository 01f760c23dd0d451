import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { OrderDirectoryEntry } from '../../../src/application/ports/order-directory.port';
import { SqliteOrderDirectory } from '../../../src/infrastructure/ingest/sqlite-order-directory';
import { tempDir } from '../../support/temp-dir';

const entry = (id: number): OrderDirectoryEntry => ({ streamId: `order-msde-DE-${id}`, shopKey: 'msde', countryCode: 'DE', orderId: String(id), referenceKey: `ref-${id}`, publicKey: `pub-${id}`, paymentReferences: [`pay-${id}`] });
const location = (id: number) => ({ streamId: `order-msde-DE-${id}`, shopKey: 'msde', countryCode: 'DE', orderId: String(id) });
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

type Request = (writes: { kind: string }[]) => Promise<number[]>;
/** Records the groups the directory sends its writer thread (one message each): the kinds of their writes. */
function spyOnGroups(directory: SqliteOrderDirectory, onSend?: (groupIndex: number) => void): string[][] {
  const writer = (directory as unknown as { writer: { request: Request } }).writer;
  const request = writer.request.bind(writer);
  const groups: string[][] = [];
  writer.request = (writes) => {
    groups.push(writes.map((w) => w.kind));
    const answer = request(writes);
    onSend?.(groups.length - 1);
    return answer;
  };
  return groups;
}

describe('SqliteOrderDirectory: writes in a writer thread of their own', function () {
  this.timeout(20_000);
  const dir = tempDir();
  after(() => dir.remove());
  let n = 0;
  const open = (options?: ConstructorParameters<typeof SqliteOrderDirectory>[2]) => {
    const file = join(dir.path, `directory-${++n}.db`);
    return { file, directory: new SqliteOrderDirectory(file, async () => undefined, options) };
  };

  it('commits off the calling thread: while another connection holds the write lock, the event loop keeps running and reads answer', async () => {
    const { file, directory } = open();
    const locker = new Database(file);
    try {
      expect(await directory.record(entry(1))).to.equal(true);
      locker.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const pending = directory.record(entry(2));
      let settled = false;
      void pending.then(() => (settled = true), () => (settled = true));
      // Inline, this record would block this thread in SQLite's busy wait (up to 5 s) at the next turn.
      await new Promise((r) => setTimeout(r, 200));
      expect(Date.now() - started, 'the timer fired on time').to.be.below(1_000);
      expect(settled, 'waits for the lock').to.equal(false);
      expect(await directory.resolve('ref-1', ['referenceKey'])).to.deep.equal(location(1));
      expect(await directory.resolve('ref-2', ['referenceKey'])).to.equal(undefined);
      locker.exec('COMMIT');
      expect(await pending).to.equal(true);
    } finally {
      if (locker.inTransaction) locker.exec('ROLLBACK');
      locker.close();
      await directory.close();
    }
  });

  it('a record is visible to resolve as soon as its promise resolves (every reference)', async () => {
    const { directory } = open();
    try {
      const seen = await Promise.all(
        [3, 4, 5].map((id) =>
          directory.record(entry(id)).then(async (added) => [
            added,
            await directory.resolve(String(id), ['orderId']),
            await directory.resolve(`ref-${id}`, ['referenceKey']),
            await directory.resolve(`pub-${id}`, ['publicKey']),
            await directory.resolve(`pay-${id}`, ['paymentReference']),
          ]),
        ),
      );
      expect(seen).to.deep.equal([3, 4, 5].map((id) => [true, location(id), location(id), location(id), location(id)]));
      expect(await directory.record(entry(3)), 'remembered: nothing new').to.equal(false);
    } finally {
      await directory.close();
    }
  });

  it('sends the records of one turn as one group, those asked for while it is in flight as the next, and nothing for remembered ones', async () => {
    const { directory } = open();
    try {
      let later: Promise<boolean>[] = [];
      const groups = spyOnGroups(directory, (index) => {
        if (index === 0) later = [directory.record(entry(13)), directory.record(entry(14)), directory.record(entry(10))]; // 10: in flight, not yet remembered
      });
      const first = await Promise.all([10, 11, 12].map((id) => directory.record(entry(id))));
      expect(await Promise.all(later)).to.deep.equal([true, true, false]);
      expect(first).to.deep.equal([true, true, true]);
      expect(groups).to.deep.equal([
        ['record', 'record', 'record'],
        ['record', 'record', 'record'],
      ]);
      expect(await Promise.all([directory.record(entry(10)), directory.record(entry(14))])).to.deep.equal([false, false]);
      expect(groups, 'remembered entries send nothing').to.have.length(2);
    } finally {
      await directory.close();
    }
  });

  it('keeps the order of writes: a resolvePending after an addPending of the same link is never overtaken', async () => {
    const { directory } = open();
    try {
      const link = (i: number) => ({ reference: `ref-p${i}`, sourceStreamId: `erp-unlinked-SI-${i}` });
      const groups = spyOnGroups(directory);
      const oneTurn = [directory.addPending(link(1)), directory.resolvePending(link(1)), directory.addPending(link(2))];
      await nextTurn(); // that group is in flight
      const nextGroup = [directory.addPending(link(3)), directory.resolvePending(link(2)), directory.resolvePending(link(3)), directory.addPending(link(3))];
      await Promise.all([...oneTurn, ...nextGroup]);
      expect(groups).to.deep.equal([
        ['addPending', 'resolvePending', 'addPending'],
        ['addPending', 'resolvePending', 'resolvePending', 'addPending'],
      ]);
      expect(await directory.pendingFor(['ref-p1', 'ref-p2', 'ref-p3'])).to.deep.equal([link(3)]);
    } finally {
      await directory.close();
    }
  });

  it('close() commits and answers the writes already asked for, then refuses writes', async () => {
    const { file, directory } = open();
    const asked = [directory.record(entry(20)), directory.addPending({ reference: 'ref-21', sourceStreamId: 'settlement-adyen-21' }), directory.saveCheckpoint(9_007_199_254_740_993n)];
    await directory.close();
    expect(await Promise.all(asked)).to.deep.equal([true, undefined, undefined]);
    let refused: unknown;
    await directory.record(entry(22)).catch((err: unknown) => (refused = err));
    expect(String(refused)).to.equal('Error: The order directory is closed');

    const reopened = new SqliteOrderDirectory(file, async () => undefined);
    try {
      expect(await reopened.resolve('pay-20', ['paymentReference'])).to.deep.equal(location(20));
      expect(await reopened.pendingFor(['ref-21'])).to.deep.equal([{ reference: 'ref-21', sourceStreamId: 'settlement-adyen-21' }]);
      expect(await reopened.checkpoint()).to.equal(9_007_199_254_740_993n);
    } finally {
      await reopened.close();
    }
  });

  it('close() keeps the process alive until it is done: code after it runs (an idle thread is unref\'d)', () => {
    const script = `
      const { SqliteOrderDirectory } = require(${JSON.stringify(require.resolve('../../../src/infrastructure/ingest/sqlite-order-directory'))});
      (async () => {
        const d = new SqliteOrderDirectory(${JSON.stringify(join(dir.path, 'close.db'))}, async () => undefined);
        await d.record(${JSON.stringify(entry(30))});
        const asked = d.addPending({ reference: 'ref-31', sourceStreamId: 'erp-unlinked-SI-31' });
        await d.close();
        await asked;
        process.stdout.write('after close');
      })();`;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect([out.status, out.stdout, out.stderr]).to.deep.equal([0, 'after close', '']);
    const check = new Database(join(dir.path, 'close.db'), { readonly: true });
    try {
      expect(check.prepare('SELECT ref FROM pending_links').pluck().all()).to.deep.equal(['ref-31']);
    } finally {
      check.close();
    }
  });

  it('a writer thread that dies fails the group it was committing with a clear error, and the next write starts a new one', async () => {
    const marker = join(dir.path, 'die-once');
    const dying = join(dir.path, 'dying-directory-writer.js');
    writeFileSync(marker, '');
    writeFileSync(
      dying,
      `const { existsSync, rmSync } = require('node:fs');
       if (existsSync(${JSON.stringify(marker)})) {
         rmSync(${JSON.stringify(marker)});
         require('node:worker_threads').parentPort.on('message', () => process.exit(3));
       } else require(${JSON.stringify(join(__dirname, '../../../src/infrastructure/ingest/order-directory-writer.worker.js'))});`,
    );
    const { directory } = open({ writerFile: dying });
    try {
      const dyingGroup = [directory.record(entry(40)), directory.addPending({ reference: 'ref-41', sourceStreamId: 'erp-unlinked-SI-41' })].map((p) => p.then(() => 'answered', (err: unknown) => String(err)));
      await nextTurn(); // that group is in flight
      const queued = directory.record(entry(42));
      expect(await Promise.all(dyingGroup)).to.deep.equal(
        Array(2).fill('Error: The order directory writer thread exited (code 3) before answering: the writes it was committing may or may not be stored; retrying them is safe (each is idempotent)'),
      );
      expect(await queued, 'asked for meanwhile: committed by the next thread').to.equal(true);
      expect(await directory.resolve('ref-42', ['referenceKey'])).to.deep.equal(location(42));
      expect(await directory.resolve('ref-40', ['referenceKey']), 'not stored, not remembered').to.equal(undefined);
      expect(await directory.record(entry(40)), 'retried').to.equal(true);
      expect(await directory.resolve('ref-40', ['referenceKey'])).to.deep.equal(location(40));
    } finally {
      await directory.close();
    }
  });

  it('refuses an in-memory database (the writer thread could not open the same one)', () => {
    expect(() => new SqliteOrderDirectory(':memory:', async () => undefined)).to.throw('The order directory needs a file: its writer thread opens a connection of its own, and an in-memory database cannot be shared');
  });
});
