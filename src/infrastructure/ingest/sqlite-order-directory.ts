import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { isCountryCode, isShopKey, scayleOrderId } from '../../application/ingest/scayle/scayle-order-keys';
import { StreamNotFoundError, type EventStore } from '../../application/ports/event-store.port';
import type { OrderDirectory, OrderDirectoryEntry, OrderLocation, OrderReferenceKind, PendingLink } from '../../application/ports/order-directory.port';

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

/** An entry waiting for the next group commit: its rows not known to be stored yet. */
interface PendingRecord {
  rows: [string, string, OrderDirectoryEntry][];
  resolve(added: boolean): void;
  reject(error: unknown): void;
}

interface RefRow {
  stream_id: string;
  shop_key: string;
  country_code: string;
  order_id: string;
}

/** Log position of a stream's first event, or undefined when it has none. */
export type FirstPositionOf = (streamId: string) => Promise<bigint | undefined>;

/** {@link FirstPositionOf} read from the log. */
export function firstPositionIn(store: EventStore): FirstPositionOf {
  return async (streamId) => {
    try {
      return (await store.readStream(streamId, { maxCount: 1 }))[0]?.position;
    } catch (err) {
      if (err instanceof StreamNotFoundError) return undefined;
      throw err;
    }
  };
}

/**
 * How many recorded directory entries (order id, reference key, public key or payment reference of
 * one stream) {@link SqliteOrderDirectory} remembers: about 40 MiB. Unbounded, they grew by about
 * 400 MiB per million orders.
 */
export const KNOWN_ENTRIES = 100_000;

/**
 * The order directory in its own SQLite file (`LEDGER_DATA_DIR/order-directory.db`): a cache of the
 * log, rebuilt by the catch-up subscription when deleted, so it runs with `synchronous=NORMAL` (a
 * lost tail is re-indexed from its checkpoint). The most recently recorded entries (up to
 * {@link KNOWN_ENTRIES}) are remembered in memory so the webhook hot path does not write them again;
 * an entry forgotten from there is written again as `INSERT OR IGNORE`, which changes nothing.
 */
export class SqliteOrderDirectory implements OrderDirectory {
  private readonly db: Database.Database;
  private readonly known: LRUCache<string, true>;
  private readonly stmt;
  private readonly recordTx: Database.Transaction<(batch: readonly PendingRecord[]) => number[]>;
  private pendingRecords: PendingRecord[] = [];
  private flushScheduled = false;
  /** First positions of streams asked about (a stream's first event never changes). */
  private readonly firstPositions = new Map<string, bigint | undefined>();

  /** @param firstPositionOf reads the log, to tell which of several streams claiming one order id came first. */
  constructor(
    filename: string,
    private readonly firstPositionOf: FirstPositionOf,
    knownEntries: number = KNOWN_ENTRIES,
  ) {
    this.known = new LRUCache({ max: knownEntries });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.stmt = {
      insertRef: this.db.prepare<[string, string, string, string, string, string]>(
        'INSERT OR IGNORE INTO order_refs (kind, ref, stream_id, shop_key, country_code, order_id) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      findRef: this.db.prepare<[string, string], RefRow>('SELECT stream_id, shop_key, country_code, order_id FROM order_refs WHERE kind = ? AND ref = ? LIMIT 2'),
      findAllRefs: this.db.prepare<[string, string], RefRow>('SELECT stream_id, shop_key, country_code, order_id FROM order_refs WHERE kind = ? AND ref = ?'),
      addPending: this.db.prepare<[string, string]>('INSERT OR IGNORE INTO pending_links (ref, source_stream_id) VALUES (?, ?)'),
      // References as a JSON array: one query per webhook instead of one per reference (measured 10.5 → 4.2 µs for four).
      pendingFor: this.db.prepare<[string], { ref: string; source_stream_id: string }>(
        'SELECT p.ref, p.source_stream_id FROM json_each(?) AS r JOIN pending_links AS p ON p.ref = r.value ORDER BY r.key, p.source_stream_id',
      ),
      deletePending: this.db.prepare<[string, string]>('DELETE FROM pending_links WHERE ref = ? AND source_stream_id = ?'),
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM directory_meta WHERE key = ?'),
      setMeta: this.db.prepare<[string, string]>('INSERT INTO directory_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
    this.recordTx = this.db.transaction((batch) =>
      batch.map(({ rows }) => {
        let changes = 0;
        for (const [kind, ref, e] of rows) changes += this.stmt.insertRef.run(kind, ref, e.streamId, e.shopKey, e.countryCode, e.orderId).changes;
        return changes;
      }),
    );
  }

  /**
   * Group commit (as the event log's): entries recorded in the same event-loop turn — the webhooks
   * of one append group answer together — are written in one transaction; each promise resolves
   * once that transaction committed, with whether its entry added anything.
   */
  async record(entry: OrderDirectoryEntry): Promise<boolean> {
    const rows: [string, string, OrderDirectoryEntry][] = [['orderId', entry.orderId, entry]];
    if (entry.referenceKey) rows.push(['referenceKey', entry.referenceKey, entry]);
    if (entry.publicKey) rows.push(['publicKey', entry.publicKey, entry]);
    for (const p of entry.paymentReferences ?? []) rows.push(['paymentReference', p, entry]);
    const unknown = rows.filter(([kind, ref]) => this.known.get(`${kind}\u0000${ref}\u0000${entry.streamId}`) === undefined); // get: a hit counts as recent use
    if (unknown.length === 0) return false;
    return new Promise<boolean>((resolve, reject) => {
      this.pendingRecords.push({ rows: unknown, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushRecords());
      }
    });
  }

  private flushRecords(): void {
    this.flushScheduled = false;
    const batch = this.pendingRecords;
    this.pendingRecords = [];
    if (batch.length === 0) return;
    let changes: number[];
    try {
      if (!this.db.open) throw new Error('The order directory is closed');
      changes = this.recordTx(batch);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      for (const [kind, ref, e] of p.rows) this.known.set(`${kind}\u0000${ref}\u0000${e.streamId}`, true);
      p.resolve(changes[i]! > 0);
    });
  }

  async resolve(reference: string, kinds: readonly OrderReferenceKind[]): Promise<OrderLocation | undefined> {
    for (const kind of kinds) {
      const rows = this.stmt.findRef.all(kind, reference);
      if (rows.length === 1) return location(rows[0]!);
      if (rows.length > 1) return kind === 'orderId' ? this.firstClaimant(this.stmt.findAllRefs.all(kind, reference)) : undefined;
    }
    return undefined;
  }

  /**
   * The order among several streams that claim one order id (see the port's `resolve`): streams
   * whose shop key, country code and order id are valid Scayle values before the others, then the
   * one whose first event is earliest in the log; the stream id breaks a tie (a stream without events).
   */
  private async firstClaimant(rows: readonly RefRow[]): Promise<OrderLocation> {
    const ranked = await Promise.all(
      rows.map(async (r) => ({ r, valid: isShopKey(r.shop_key) && isCountryCode(r.country_code) && scayleOrderId(r.order_id) !== undefined, first: await this.firstPosition(r.stream_id) })),
    );
    ranked.sort((a, b) => Number(b.valid) - Number(a.valid) || comparePositions(a.first, b.first) || (a.r.stream_id < b.r.stream_id ? -1 : a.r.stream_id > b.r.stream_id ? 1 : 0));
    return location(ranked[0]!.r);
  }

  private async firstPosition(streamId: string): Promise<bigint | undefined> {
    if (this.firstPositions.has(streamId)) return this.firstPositions.get(streamId);
    const first = await this.firstPositionOf(streamId);
    if (first !== undefined) this.firstPositions.set(streamId, first);
    return first;
  }

  async addPending(link: PendingLink): Promise<void> {
    this.stmt.addPending.run(link.reference, link.sourceStreamId);
  }

  /** The port's answer in one query: references in the order given (each once), each one's links by source stream id. */
  async pendingFor(references: readonly string[]): Promise<PendingLink[]> {
    if (references.length === 0) return [];
    return this.stmt.pendingFor.all(JSON.stringify([...new Set(references)])).map((r) => ({ reference: r.ref, sourceStreamId: r.source_stream_id }));
  }

  async resolvePending(link: PendingLink): Promise<void> {
    this.stmt.deletePending.run(link.reference, link.sourceStreamId);
  }

  async checkpoint(): Promise<bigint> {
    const row = this.stmt.getMeta.get('checkpoint');
    return row ? BigInt(row.value) : 0n;
  }

  async saveCheckpoint(position: bigint): Promise<void> {
    this.stmt.setMeta.run('checkpoint', String(position));
  }

  close(): void {
    this.flushRecords(); // records already requested are written (and answered) first
    if (this.db.open) this.db.close();
  }
}

const location = (r: RefRow): OrderLocation => ({ streamId: r.stream_id, shopKey: r.shop_key, countryCode: r.country_code, orderId: r.order_id });

/** Earlier first; a stream without events last. */
function comparePositions(a: bigint | undefined, b: bigint | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}
