/**
 * The write side of the order directory's file (`order-directory.db`) on one connection — in the
 * service, the connection of the directory's writer thread ({@link ./order-directory-writer.worker}).
 * {@link SqliteOrderDirectory} sends it groups of writes in the order they were asked for; a group
 * is committed in one transaction.
 */
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS order_refs (
  kind TEXT NOT NULL, ref TEXT NOT NULL, stream_id TEXT NOT NULL,
  shop_key TEXT NOT NULL, country_code TEXT NOT NULL, order_id TEXT NOT NULL,
  PRIMARY KEY (kind, ref, stream_id)
);
CREATE TABLE IF NOT EXISTS pending_links (
  ref TEXT NOT NULL, source_stream_id TEXT NOT NULL,
  PRIMARY KEY (ref, source_stream_id)
);
CREATE TABLE IF NOT EXISTS directory_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * A connection to the directory's file as both of its connections open it: WAL mode (readers see a
 * commit as soon as it is done), `synchronous=NORMAL` (the directory is a cache of the log: a lost
 * tail is re-indexed from its checkpoint), a 5 s busy wait, and the schema.
 */
export function openOrderDirectoryDatabase(filename: string): Database.Database {
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** One `order_refs` row: kind, reference, stream id, shop key, country code, order id. */
export type OrderRefRow = [kind: string, ref: string, streamId: string, shopKey: string, countryCode: string, orderId: string];

/**
 * One write of a group: an order's references (`INSERT OR IGNORE`), a pending link remembered or
 * forgotten, the catch-up checkpoint (a log position as a decimal string). Each is idempotent.
 */
export type DirectoryWrite =
  | { kind: 'record'; rows: OrderRefRow[] }
  | { kind: 'addPending'; reference: string; sourceStreamId: string }
  | { kind: 'resolvePending'; reference: string; sourceStreamId: string }
  | { kind: 'saveCheckpoint'; position: string };

export class OrderDirectoryWriter {
  private readonly group: Database.Transaction<(writes: readonly DirectoryWrite[]) => number[]>;

  /** @param db a connection from {@link openOrderDirectoryDatabase}. */
  constructor(db: Database.Database) {
    const insertRef = db.prepare<OrderRefRow>('INSERT OR IGNORE INTO order_refs (kind, ref, stream_id, shop_key, country_code, order_id) VALUES (?, ?, ?, ?, ?, ?)');
    const addPending = db.prepare<[string, string]>('INSERT OR IGNORE INTO pending_links (ref, source_stream_id) VALUES (?, ?)');
    const deletePending = db.prepare<[string, string]>('DELETE FROM pending_links WHERE ref = ? AND source_stream_id = ?');
    const setMeta = db.prepare<[string, string]>('INSERT INTO directory_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    const apply = (write: DirectoryWrite): number => {
      switch (write.kind) {
        case 'record': {
          let changes = 0;
          for (const row of write.rows) changes += insertRef.run(...row).changes;
          return changes;
        }
        case 'addPending':
          return addPending.run(write.reference, write.sourceStreamId).changes;
        case 'resolvePending':
          return deletePending.run(write.reference, write.sourceStreamId).changes;
        case 'saveCheckpoint':
          return setMeta.run('checkpoint', write.position).changes;
      }
    };
    this.group = db.transaction((writes) => writes.map(apply));
  }

  /**
   * Applies `writes` in order in one IMMEDIATE transaction.
   * @returns the rows each write changed, in order (a record's inserted references: 0 when it taught nothing).
   * @throws the driver's error when the transaction fails (busy, disk full): then none of the group is stored.
   */
  commitGroup(writes: readonly DirectoryWrite[]): number[] {
    return this.group.immediate(writes);
  }
}
