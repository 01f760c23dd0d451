import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { isCountryCode, isShopKey, scayleOrderId } from '../../application/ingest/scayle/scayle-order-keys';
import { StreamNotFoundError, type EventStore } from '../../application/ports/event-store.port';
import type { OrderDirectory, OrderDirectoryEntry, OrderLocation, OrderReferenceKind, PendingLink } from '../../application/ports/order-directory.port';
import { RequestThread, threadError, type ThreadFailure } from '../threads/request-thread';
import { openOrderDirectoryDatabase, type DirectoryWrite, type OrderRefRow } from './order-directory-writer';

const WRITER_FILE = join(__dirname, 'order-directory-writer.worker.js');

/** A write waiting for the next group sent to the writer thread. */
interface QueuedWrite {
  write: DirectoryWrite;
  /** With the rows the write changed, once its group committed. */
  resolve(changes: number): void;
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

/** Options of {@link SqliteOrderDirectory}. */
export interface SqliteOrderDirectoryOptions {
  /** Entries remembered in memory (default {@link KNOWN_ENTRIES}). */
  knownEntries?: number;
  /** The writer thread's entry (compiled `.js`; tests give one that dies). */
  writerFile?: string;
}

/**
 * The order directory in its own SQLite file (`LEDGER_DATA_DIR/order-directory.db`): a cache of the
 * log, rebuilt by the catch-up subscription when deleted, so it runs with `synchronous=NORMAL` (a
 * lost tail is re-indexed from its checkpoint). The most recently recorded entries (up to
 * {@link KNOWN_ENTRIES}) are remembered in memory so the webhook hot path does not write them again;
 * an entry forgotten from there is written again as `INSERT OR IGNORE`, which changes nothing.
 *
 * Threading: every write (`record`, `addPending`, `resolvePending`, `saveCheckpoint`) is committed by
 * a writer thread of its own ({@link ./order-directory-writer.worker}, a {@link RequestThread}) on its
 * own connection, so the inserts of a new order's references — about 30 µs per webhook, issue 4 —
 * do not hold the main thread, nor does a write wait for SQLite's lock there. Reads (`resolve`,
 * `pendingFor`, `checkpoint`) stay on this thread's connection; in WAL mode they see a commit as soon
 * as it is done. Writes form one queue, in the order asked for: the writes asked for in one event-loop
 * turn, or while a group is in flight, are sent as the next group (one message) and committed in one
 * transaction; every promise resolves only after the transaction holding its write committed (a
 * webhook is answered only once the directory knows its order), and a later write of the same link
 * never overtakes an earlier one. A writer thread that dies fails the group it was committing (each
 * write is idempotent: retrying is safe) and the next write starts a new one. The file must be a real
 * file (`:memory:` cannot be shared between the two connections).
 */
export class SqliteOrderDirectory implements OrderDirectory {
  private readonly db: Database.Database;
  private readonly known: LRUCache<string, true>;
  private readonly stmt;
  private readonly writer: RequestThread<DirectoryWrite[], number[], ThreadFailure>;
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  /** The group the writer thread is committing (one at a time, so writes stay in order). */
  private committing: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** First positions of streams asked about (a stream's first event never changes). */
  private readonly firstPositions = new Map<string, bigint | undefined>();

  /**
   * @param filename the directory's file (not `:memory:`: the writer thread opens it too).
   * @param firstPositionOf reads the log, to tell which of several streams claiming one order id came first.
   * @throws Error when `filename` names an in-memory database.
   */
  constructor(
    filename: string,
    private readonly firstPositionOf: FirstPositionOf,
    options: SqliteOrderDirectoryOptions = {},
  ) {
    if (filename === '' || filename === ':memory:' || filename.includes('mode=memory') || filename.startsWith('file::memory:')) {
      throw new Error('The order directory needs a file: its writer thread opens a connection of its own, and an in-memory database cannot be shared');
    }
    this.known = new LRUCache({ max: options.knownEntries ?? KNOWN_ENTRIES });
    this.db = openOrderDirectoryDatabase(filename); // creates the schema before the first read
    this.stmt = {
      findRef: this.db.prepare<[string, string], RefRow>('SELECT stream_id, shop_key, country_code, order_id FROM order_refs WHERE kind = ? AND ref = ? LIMIT 2'),
      findAllRefs: this.db.prepare<[string, string], RefRow>('SELECT stream_id, shop_key, country_code, order_id FROM order_refs WHERE kind = ? AND ref = ?'),
      // References as a JSON array: one query per webhook instead of one per reference (measured 10.5 → 4.2 µs for four).
      pendingFor: this.db.prepare<[string], { ref: string; source_stream_id: string }>(
        'SELECT p.ref, p.source_stream_id FROM json_each(?) AS r JOIN pending_links AS p ON p.ref = r.value ORDER BY r.key, p.source_stream_id',
      ),
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM directory_meta WHERE key = ?'),
    };
    this.writer = new RequestThread({
      workerFile: options.writerFile ?? WRITER_FILE,
      workerData: { filename },
      errorOf: threadError,
      exitedError: (code) => new Error(`The order directory writer thread exited (code ${code}) before answering: the writes it was committing may or may not be stored; retrying them is safe (each is idempotent)`),
    });
  }

  /**
   * Group commit (as the event log's): entries recorded in the same event-loop turn — the webhooks
   * of one append group answer together — or while a group is in flight are written in one
   * transaction of the writer thread; each promise resolves once that transaction committed, with
   * whether its entry added anything. An entry remembered in memory sends nothing.
   * @throws the driver's error when the group's transaction failed, or an Error when the writer
   *   thread died before answering or the directory is closed.
   */
  async record(entry: OrderDirectoryEntry): Promise<boolean> {
    const refs: [string, string][] = [['orderId', entry.orderId]];
    if (entry.referenceKey) refs.push(['referenceKey', entry.referenceKey]);
    if (entry.publicKey) refs.push(['publicKey', entry.publicKey]);
    for (const p of entry.paymentReferences ?? []) refs.push(['paymentReference', p]);
    const unknown = refs.filter(([kind, ref]) => this.known.get(knownKey(kind, ref, entry.streamId)) === undefined); // get: a hit counts as recent use
    if (unknown.length === 0) return false;
    const rows = unknown.map(([kind, ref]): OrderRefRow => [kind, ref, entry.streamId, entry.shopKey, entry.countryCode, entry.orderId]);
    const changes = await this.write({ kind: 'record', rows });
    for (const [kind, ref] of unknown) this.known.set(knownKey(kind, ref, entry.streamId), true);
    return changes > 0;
  }

  /** Queues `write` for the next group; resolves with the rows it changed once its group committed. */
  private write(write: DirectoryWrite): Promise<number> {
    if (this.closed) return Promise.reject(new Error('The order directory is closed'));
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends the queued writes as one group, unless a group is in flight (it flushes again when answered). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.committing) return;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    this.committing = this.writer
      .request(group.map((q) => q.write))
      .then(
        (changes) => group.forEach((q, i) => q.resolve(changes[i]!)),
        (err: unknown) => group.forEach((q) => q.reject(err)),
      )
      .finally(() => {
        this.committing = undefined;
        if (this.queue.length > 0) this.flush();
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

  /** Remembers a pending link once its group committed (see {@link record} for the errors). */
  async addPending(link: PendingLink): Promise<void> {
    await this.write({ kind: 'addPending', reference: link.reference, sourceStreamId: link.sourceStreamId });
  }

  /** The port's answer in one query: references in the order given (each once), each one's links by source stream id. */
  async pendingFor(references: readonly string[]): Promise<PendingLink[]> {
    if (references.length === 0) return [];
    return this.stmt.pendingFor.all(JSON.stringify([...new Set(references)])).map((r) => ({ reference: r.ref, sourceStreamId: r.source_stream_id }));
  }

  /** Forgets a pending link once its group committed; never before an earlier `addPending` of it. */
  async resolvePending(link: PendingLink): Promise<void> {
    await this.write({ kind: 'resolvePending', reference: link.reference, sourceStreamId: link.sourceStreamId });
  }

  async checkpoint(): Promise<bigint> {
    const row = this.stmt.getMeta.get('checkpoint');
    return row ? BigInt(row.value) : 0n;
  }

  /** Stores the catch-up checkpoint (a log position) once its group committed. */
  async saveCheckpoint(position: bigint): Promise<void> {
    await this.write({ kind: 'saveCheckpoint', position: String(position) });
  }

  /**
   * Commits the writes already asked for (and answers them), then closes the writer thread and this
   * thread's connection; later writes are refused. Calling it again waits for the same close.
   */
  close(): Promise<void> {
    return (this.closing ??= this.closeOnce());
  }

  private async closeOnce(): Promise<void> {
    this.flush();
    while (this.committing) {
      await this.committing;
      this.flush();
    }
    this.closed = true;
    await this.writer.close();
    if (this.db.open) this.db.close();
  }
}

/** Key of a recorded reference in the in-memory {@link SqliteOrderDirectory.known}. */
const knownKey = (kind: string, ref: string, streamId: string): string => `${kind}\u0000${ref}\u0000${streamId}`;

const location = (r: RefRow): OrderLocation => ({ streamId: r.stream_id, shopKey: r.shop_key, countryCode: r.country_code, orderId: r.order_id });

/** Earlier first; a stream without events last. */
function comparePositions(a: bigint | undefined, b: bigint | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}
