import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { OutboxEntry } from '../../../src/application/ports/outbox-store.port';
import { SqliteOutboxStore } from '../../../src/infrastructure/outbox/sqlite-outbox-store';
import { encodePosition } from '../../../src/application/ports/read-model-store.port';
import { tempDir } from '../../support/temp-dir';

/** An EventStoreDB position: commit << 64 | prepare (far beyond SQLite's signed 64-bit integers). */
const esdb = (commit: bigint, prepare = commit) => (commit << 64n) | prepare;

const entry = (commandId: string, position: bigint): OutboxEntry => ({
  commandId,
  commandType: 'RefundRequested',
  streamId: `order-msde-DE-${commandId}`,
  orderId: commandId,
  eventId: `e-${commandId}`,
  position,
  status: 'pending',
  attempts: 0,
  round: 1,
  enqueuedAt: '2024-06-01T10:00:00.000Z',
  updatedAt: '2024-06-01T10:00:00.000Z',
});

describe('SQLite outbox store: log positions', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('keeps EventStoreDB positions (beyond 2^63) losslessly and in log order: checkpoint, due, pages', async () => {
    const store = new SqliteOutboxStore(join(dir.path, 'outbox.db'));
    try {
      const positions = [esdb(1_000n), esdb(20_000n), esdb(3_000_000n, 2_999_999n)];
      await store.advance(positions[2]!, [entry('c3', positions[2]!), entry('c1', positions[0]!), entry('c2', positions[1]!)], []);
      expect(await store.checkpoint()).to.equal(positions[2]);
      expect((await store.due('2024-06-02T00:00:00.000Z', 10)).map((e) => [e.commandId, e.position])).to.deep.equal([
        ['c1', positions[0]],
        ['c2', positions[1]],
        ['c3', positions[2]],
      ]);
      const first = await store.list({ limit: 1 });
      expect(first.entries.map((e) => e.commandId)).to.deep.equal(['c1']);
      expect(first.nextAfter).to.equal(positions[0]);
      const rest = await store.list({ after: first.nextAfter!, limit: 5 });
      expect(rest.entries.map((e) => e.commandId)).to.deep.equal(['c2', 'c3']);
      expect((await store.get('c3'))?.position).to.equal(positions[2]);
    } finally {
      await store.close();
    }
  });

  it('moves a file with integer positions (before text positions) to text once, keeping every entry and the checkpoint', async () => {
    const file = join(dir.path, 'outbox.db');
    const old = new Database(file);
    old.exec(`
      CREATE TABLE outbox (command_id TEXT PRIMARY KEY, command_type TEXT NOT NULL, stream_id TEXT NOT NULL, order_id TEXT NOT NULL,
        event_id TEXT NOT NULL, position INTEGER NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT,
        next_attempt_at TEXT, enqueued_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE INDEX outbox_status_position ON outbox (status, position);
      CREATE INDEX outbox_order ON outbox (order_id, position);
      CREATE TABLE outbox_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
      INSERT INTO outbox VALUES ('c10', 'RefundRequested', 'order-msde-DE-10', '10', 'e10', 10, 'sent', 1, NULL, NULL, '2024-06-01T10:00:00.000Z', '2024-06-01T10:00:01.000Z');
      INSERT INTO outbox VALUES ('c9', 'RefundRequested', 'order-msde-DE-9', '9', 'e9', 9, 'failed', 3, 'HTTP 500', NULL, '2024-06-01T09:00:00.000Z', '2024-06-01T09:10:00.000Z');
      INSERT INTO outbox_checkpoint VALUES (1, 12);
    `);
    old.close();
    const store = new SqliteOutboxStore(file);
    try {
      expect(await store.checkpoint()).to.equal(12n);
      const page = await store.list({ limit: 10 });
      expect(page.entries.map((e) => [e.commandId, e.position, e.status, e.round, e.lastError])).to.deep.equal([
        ['c9', 9n, 'failed', 1, 'HTTP 500'],
        ['c10', 10n, 'sent', 1, undefined],
      ]);
      await store.advance(esdb(5n), [entry('c11', esdb(5n))], []);
      expect((await store.list({ after: 10n, limit: 10 })).entries.map((e) => e.position)).to.deep.equal([esdb(5n)]);
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT position FROM outbox_checkpoint').get()).to.deep.equal({ position: encodePosition(esdb(5n)) });
    expect((raw.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%integer%'").all() as unknown[]).length, 'the copies are dropped').to.equal(0);
    raw.close();
    // opening again leaves the migrated file as it is
    const again = new SqliteOutboxStore(file);
    expect((await again.list({ limit: 10 })).entries.map((e) => e.commandId)).to.deep.equal(['c9', 'c10', 'c11']);
    await again.close();
  });

  it('refuses a position it cannot store (negative, or more than 40 digits) instead of writing it wrong', () => {
    expect(() => encodePosition(-1n)).to.throw(RangeError);
    expect(() => encodePosition(10n ** 40n)).to.throw(RangeError);
    expect(encodePosition(10n ** 40n - 1n)).to.equal('9'.repeat(40));
  });
});
