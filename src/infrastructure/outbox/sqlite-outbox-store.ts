import Database from 'better-sqlite3';
import type { OutboxEntry, OutboxPage, OutboxStatus, OutboxStore } from '../../application/ports/outbox-store.port';
import { decodePosition, encodePosition, POSITION_DIGITS } from '../../application/ports/read-model-store.port';

const OUTBOX_TABLE = `
CREATE TABLE IF NOT EXISTS outbox (
  command_id      TEXT PRIMARY KEY,
  command_type    TEXT NOT NULL,
  stream_id       TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  event_id        TEXT NOT NULL,
  position        TEXT NOT NULL,
  status          TEXT NOT NULL,
  attempts        INTEGER NOT NULL,
  round           INTEGER NOT NULL DEFAULT 1,
  last_error      TEXT,
  next_attempt_at TEXT,
  enqueued_at     TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
`;
const OUTBOX_INDEXES = `
CREATE INDEX IF NOT EXISTS outbox_status_position ON outbox (status, position);
CREATE INDEX IF NOT EXISTS outbox_order ON outbox (order_id, position);
`;
const CHECKPOINT_TABLE = `
CREATE TABLE IF NOT EXISTS outbox_checkpoint (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  position TEXT NOT NULL
);
`;

/**
 * Files written before positions were stored as text kept them as SQLite integers, which cannot hold
 * EventStoreDB's positions: both tables are copied once into the text form, in one transaction.
 */
function migrateIntegerPositions(db: Database.Database): void {
  const positionType = (table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[]).find((c) => c.name === 'position')?.type;
  const migrate = db.transaction(() => {
    if (positionType('outbox') === 'INTEGER') {
      const columns = (db.prepare('PRAGMA table_info(outbox)').all() as { name: string }[]).map((c) => c.name);
      if (!columns.includes('round')) db.exec('ALTER TABLE outbox ADD COLUMN round INTEGER NOT NULL DEFAULT 1');
      db.exec('DROP INDEX IF EXISTS outbox_status_position; DROP INDEX IF EXISTS outbox_order; ALTER TABLE outbox RENAME TO outbox_integer_positions;');
      db.exec(OUTBOX_TABLE);
      db.exec(`INSERT INTO outbox (command_id, command_type, stream_id, order_id, event_id, position, status, attempts, round, last_error, next_attempt_at, enqueued_at, updated_at)
               SELECT command_id, command_type, stream_id, order_id, event_id, printf('%0${POSITION_DIGITS}d', position), status, attempts, round, last_error, next_attempt_at, enqueued_at, updated_at
               FROM outbox_integer_positions`);
      db.exec('DROP TABLE outbox_integer_positions');
    }
    if (positionType('outbox_checkpoint') === 'INTEGER') {
      db.exec('ALTER TABLE outbox_checkpoint RENAME TO outbox_checkpoint_integer');
      db.exec(CHECKPOINT_TABLE);
      db.exec(`INSERT INTO outbox_checkpoint (id, position) SELECT id, printf('%0${POSITION_DIGITS}d', position) FROM outbox_checkpoint_integer`);
      db.exec('DROP TABLE outbox_checkpoint_integer');
    }
  });
  migrate.immediate();
}

interface Row {
  command_id: string;
  command_type: OutboxEntry['commandType'];
  stream_id: string;
  order_id: string;
  event_id: string;
  position: string;
  status: OutboxStatus;
  attempts: bigint;
  round: bigint;
  last_error: string | null;
  next_attempt_at: string | null;
  enqueued_at: string;
  updated_at: string;
}

type Settled = { commandId: string; status: 'sent' | 'failed'; at: string; error?: string };

const toEntry = (r: Row): OutboxEntry => ({
  commandId: r.command_id,
  commandType: r.command_type,
  streamId: r.stream_id,
  orderId: r.order_id,
  eventId: r.event_id,
  position: decodePosition(r.position),
  status: r.status,
  attempts: Number(r.attempts),
  round: Number(r.round),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  ...(r.next_attempt_at !== null ? { nextAttemptAt: r.next_attempt_at } : {}),
  enqueuedAt: r.enqueued_at,
  updatedAt: r.updated_at,
});

/**
 * The outbox and its checkpoint in one SQLite file (`<dataDir>/outbox.db`), so enqueueing and
 * moving the checkpoint commit together. Positions are stored as 40-digit text ({@link encodePosition}):
 * EventStoreDB's exceed SQLite's 64-bit integers.
 *
 * It runs with `synchronous=NORMAL`: everything in it is derived from the log (commands, outcomes,
 * retries are events), and WAL commits roll back together with their checkpoint, so losing the last
 * commits on power loss only re-scans a few events — while an fsync per enqueue would block the
 * event loop on every refund.
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly db: Database.Database;
  private readonly advanceTx: Database.Transaction<
    (position: bigint, entries: readonly OutboxEntry[], settled: readonly Settled[], requeued: readonly { commandId: string; at: string }[]) => void
  >;

  constructor(filename: string, synchronous: 'FULL' | 'NORMAL' = 'NORMAL') {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.pragma('busy_timeout = 5000');
    migrateIntegerPositions(this.db);
    this.db.exec(OUTBOX_TABLE + OUTBOX_INDEXES + CHECKPOINT_TABLE);
    this.db.defaultSafeIntegers(true);
    const insert = this.db.prepare(
      `INSERT INTO outbox (command_id, command_type, stream_id, order_id, event_id, position, status, attempts, enqueued_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (command_id) DO NOTHING`,
    );
    const settle = this.db.prepare(`UPDATE outbox SET status = ?, last_error = COALESCE(?, last_error), next_attempt_at = NULL, updated_at = ? WHERE command_id = ? AND status = 'pending'`);
    const checkpoint = this.db.prepare('INSERT INTO outbox_checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position');
    const requeue = this.db.prepare(
      `UPDATE outbox SET status = 'pending', attempts = 0, round = round + 1, last_error = NULL, next_attempt_at = NULL, updated_at = ? WHERE command_id = ? AND status = 'failed'`,
    );
    this.advanceTx = this.db.transaction((position, entries, settled, requeued) => {
      for (const e of entries) insert.run(e.commandId, e.commandType, e.streamId, e.orderId, e.eventId, encodePosition(e.position), e.enqueuedAt, e.updatedAt);
      for (const s of settled) settle.run(s.status, s.error ?? null, s.at, s.commandId);
      for (const r of requeued) requeue.run(r.at, r.commandId);
      checkpoint.run(encodePosition(position));
    });
  }

  async checkpoint(): Promise<bigint> {
    const row = this.db.prepare('SELECT position FROM outbox_checkpoint WHERE id = 1').get() as { position: string } | undefined;
    return row ? decodePosition(row.position) : 0n;
  }

  async advance(position: bigint, entries: readonly OutboxEntry[], settled: readonly Settled[], requeued: readonly { commandId: string; at: string }[] = []): Promise<void> {
    this.advanceTx(position, entries, settled, requeued);
  }

  async get(commandId: string): Promise<OutboxEntry | undefined> {
    const row = this.db.prepare('SELECT * FROM outbox WHERE command_id = ?').get(commandId) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  async due(nowIso: string, limit: number): Promise<OutboxEntry[]> {
    const rows = this.db
      .prepare(`SELECT * FROM outbox WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY position LIMIT ?`)
      .all(nowIso, limit) as Row[];
    return rows.map(toEntry);
  }

  async nextWakeAt(): Promise<string | undefined> {
    const row = this.db.prepare(`SELECT MIN(next_attempt_at) AS at FROM outbox WHERE status = 'pending'`).get() as { at: string | null };
    return row.at ?? undefined;
  }

  async recordRetry(commandId: string, attempts: number, error: string, nextAttemptAt: string, at: string): Promise<void> {
    this.db.prepare(`UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE command_id = ?`).run(attempts, error, nextAttemptAt, at, commandId);
  }

  async settle(commandId: string, status: 'sent' | 'failed', attempts: number, at: string, error?: string): Promise<void> {
    this.db
      .prepare(`UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = NULL, updated_at = ? WHERE command_id = ?`)
      .run(status, attempts, error ?? null, at, commandId);
  }

  async counts(): Promise<Record<OutboxStatus, number>> {
    const out: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as { status: OutboxStatus; n: bigint }[]) out[r.status] = Number(r.n);
    return out;
  }

  async list(options: { status?: OutboxStatus; orderId?: string; after?: bigint; limit: number }): Promise<OutboxPage> {
    const where = ['position > ?'];
    const params: unknown[] = [encodePosition(options.after ?? 0n)];
    if (options.status) {
      where.push('status = ?');
      params.push(options.status);
    }
    if (options.orderId) {
      where.push('order_id = ?');
      params.push(options.orderId);
    }
    const rows = this.db.prepare(`SELECT * FROM outbox WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`).all(...params, options.limit + 1) as Row[];
    const entries = rows.slice(0, options.limit).map(toEntry);
    return { entries, ...(rows.length > options.limit ? { nextAfter: entries[entries.length - 1]!.position } : {}) };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
