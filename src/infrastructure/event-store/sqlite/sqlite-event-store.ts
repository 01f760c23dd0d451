import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import {
  ActualRevision,
  AllSubscription,
  AppendIfAbsentResult,
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamNotFoundError,
  StreamLookup,
  SubscribeToAllOptions,
} from '../../../application/ports/event-store.port';
import type { CommitFeed, CommittedListener } from '../shared-tail-event-store';
import { AppendRequest, openLogDatabase, SqliteLogWriter, writeError, type WriteOutcome } from './sqlite-log-writer';
import { LogWriterThread } from './sqlite-writer-thread';
import { SqliteAllSubscription } from './sqlite-subscription';
import { sourceTextOf } from '../source-text';

/** `synchronous` pragma choices; see README "Durability". */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteEventStoreOptions {
  /** File path, or `:memory:` for tests. */
  filename: string;
  /**
   * `FULL` (default): a commit is on disk before the append returns, so an acknowledged append
   * survives power loss. `NORMAL`: survives a process crash; the last commits may be lost on power loss.
   */
  synchronous?: SqliteSynchronous;
  /** How often subscriptions look for appends made by other processes, in ms (default 100). */
  pollIntervalMs?: number;
  /** Page size of `$all` reads and subscriptions (default 1000). */
  pageSize?: number;
  /**
   * WAL pages this connection's commits may leave before one of them copies the WAL back into the
   * database (`wal_autocheckpoint`; SQLite's default 1000 pages ≈ 4 MiB). The service raises it on
   * the main thread's connection when the projection thread checkpoints ({@link SqliteEventStore.checkpointWal}).
   */
  walAutocheckpointPages?: number;
  /**
   * Commit appends in a writer thread of their own (its own connection), so a commit and its fsync
   * do not hold this thread: the service's default (`LEDGER_EVENT_LOG_WRITER=thread`). Default false:
   * commits run inline. Reads always use this thread's connection.
   */
  writerThread?: boolean;
}

/** An append waiting for the next group commit. */
interface PendingAppend {
  streamId: string;
  events: readonly EventData[];
  expected: ExpectedRevision;
  resolve(result: AppendIfAbsentResult): void;
  reject(error: unknown): void;
}


interface EventRow {
  position: bigint;
  event_id: string;
  stream_id: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
  created: string;
  /** JSON text of `data.raw` when it is stored apart from `data` (see {@link storedForm}); null otherwise. */
  raw: string | null;
}


/**
 * The embedded event log (DESIGN §3): one SQLite file in WAL mode.
 *
 * - `position` is the table's integer primary key. Appends run one at a time inside an IMMEDIATE
 *   transaction and rows are never deleted, so positions are gap-free and a reader never sees a
 *   later position before an earlier one has committed.
 * - `UNIQUE(stream_id, revision)` backs the expected-revision check; `UNIQUE(event_id)` backs
 *   idempotent appends.
 */
export class SqliteEventStore implements EventStore, CommitFeed {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly subscriptions = new Set<SqliteAllSubscription>();
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private closed = false;
  private pendingAppends: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly committedListeners = new Set<CommittedListener>();
  /** Commits inline (on this connection), unless the writer thread does. */
  private readonly inlineWriter: SqliteLogWriter | undefined;
  private readonly writerThread: LogWriterThread | undefined;
  /** The group the writer thread is committing (one at a time, so commits are announced in log order). */
  private committing: Promise<void> | undefined;

  private readonly lookupTransaction: (streamId: string, eventIds: readonly string[]) => StreamLookup;

  private readonly stmt: {
    lastRevision: Database.Statement<[string], { revision: bigint | null }>;
    locateEvent: Database.Statement<[string], { stream_id: string; revision: bigint; position: bigint }>;
    readForward: Database.Statement<[string, bigint, number], EventRow>;
    readBackward: Database.Statement<[string, bigint, number], EventRow>;
    allForward: Database.Statement<[bigint, number], EventRow>;
    allBackward: Database.Statement<[bigint, number], EventRow>;
    head: Database.Statement<[], { head: bigint | null }>;
  };

  constructor(options: SqliteEventStoreOptions) {
    const connection = { synchronous: options.synchronous ?? 'FULL', walAutocheckpointPages: options.walAutocheckpointPages } as const;
    this.db = openLogDatabase(options.filename, connection);
    this.pageSize = options.pageSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.appended.setMaxListeners(0);
    this.inlineWriter = options.writerThread ? undefined : new SqliteLogWriter(this.db);
    this.writerThread = options.writerThread
      ? new LogWriterThread({ filename: options.filename, ...connection })
      : undefined;
    this.lookupTransaction = this.db.transaction((streamId: string, eventIds: readonly string[]): StreamLookup => {
      const found: StreamLookup['found'] = [];
      for (const id of eventIds) {
        const row = this.stmt.locateEvent.get(id);
        if (row && row.stream_id === streamId) found.push({ id, revision: row.revision, position: row.position });
      }
      return { revision: this.currentRevision(streamId), found };
    });
    const prepare = <P extends unknown[], R>(sql: string) =>
      this.db.prepare<P, R>(sql).safeIntegers(true) as Database.Statement<P, R>;
    this.stmt = {
      lastRevision: prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?'),
      locateEvent: prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?'),
      readForward: prepare(
        'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
      ),
      readBackward: prepare(
        'SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
      ),
      allForward: prepare('SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?'),
      allBackward: prepare('SELECT * FROM events WHERE position < ? ORDER BY position DESC LIMIT ?'),
      head: prepare('SELECT MAX(position) AS head FROM events'),
    };
  }

  /**
   * Group commit: appends requested in the same event-loop turn are committed together in one
   * IMMEDIATE transaction (one WAL sync for all of them under `synchronous=FULL`), each inside its
   * own savepoint — so each append is still all-or-nothing with its own expected-revision check and
   * idempotency, a failing append does not affect the others, and a promise resolves only after the
   * commit that holds its events (an acknowledged append is durable). Without concurrency this is
   * one append per transaction, as before.
   */
  async appendToStream(streamId: string, events: readonly EventData[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const { nextExpectedRevision, position } = await this.enqueue(streamId, events, options.expectedRevision);
    return { nextExpectedRevision, position };
  }

  /**
   * The port's exactly-once fast path: `UNIQUE(event_id)` keeps ids unique across the log for ever,
   * so an append with expected revision `any` is idempotent without a read first — inside the group
   * commit's transaction, an id already stored in this stream is answered as stored (the writer's
   * idempotent-retry check), one stored in another stream is refused, a new one is inserted.
   * @throws EventIdInOtherStreamError when the id is stored in another stream.
   */
  async appendIfAbsent(streamId: string, event: EventData): Promise<AppendIfAbsentResult> {
    return this.enqueue(streamId, [event], 'any');
  }

  /** Queues an append for the next group commit (see {@link appendToStream}). */
  private enqueue(streamId: string, events: readonly EventData[], expected: ExpectedRevision): Promise<AppendIfAbsentResult> {
    this.assertOpen();
    return new Promise<AppendIfAbsentResult>((resolve, reject) => {
      this.pendingAppends.push({ streamId, events, expected, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushAppends());
      }
    });
  }

  /**
   * Commits every queued append in one transaction (see {@link appendToStream}): inline, or in the
   * writer thread — one group at a time there; appends that arrive while a group commits wait for
   * the next one.
   */
  private flushAppends(): void {
    this.flushScheduled = false;
    if (this.committing) return; // the group in flight flushes again when it is done
    const batch = this.pendingAppends;
    this.pendingAppends = [];
    if (batch.length === 0) return;
    if (this.closed) {
      for (const p of batch) p.reject(new Error('The event store is closed'));
      return;
    }
    const sent: PendingAppend[] = [];
    const requests: AppendRequest[] = [];
    const dataValues: (StoredForm['dataValue'])[][] = [];
    for (const p of batch) {
      try {
        const forms = p.events.map(storedForm);
        requests.push({ streamId: p.streamId, expected: p.expected, events: forms.map((f) => f.row) });
        dataValues.push(forms.map((f) => f.dataValue));
        sent.push(p);
      } catch (err) {
        p.reject(err); // data JSON cannot hold (a bigint, a cycle): this append only
      }
    }
    if (sent.length === 0) return;
    if (this.inlineWriter) {
      let outcomes: WriteOutcome[];
      try {
        outcomes = this.inlineWriter.commitGroup(requests);
      } catch (err) {
        for (const p of sent) p.reject(err); // the commit failed: nothing of the group is stored
        return;
      }
      this.settle(sent, requests, dataValues, outcomes);
      return;
    }
    const failAll = (err: unknown) => {
      for (const p of sent) p.reject(err); // answered ones stay answered
    };
    this.committing = this.writerThread!.commit(requests)
      .then((outcomes) => this.settle(sent, requests, dataValues, outcomes), failAll)
      .catch(failAll) // a commit listener that threw: no append is left unanswered
      .finally(() => {
        this.committing = undefined;
        if (this.pendingAppends.length > 0) this.flushAppends();
      });
  }

  /** Announces a committed group to the commit listeners, then answers its appends. */
  private settle(sent: readonly PendingAppend[], requests: readonly AppendRequest[], dataValues: readonly StoredForm['dataValue'][][], outcomes: readonly WriteOutcome[]): void {
    this.announce(sent, requests, dataValues, outcomes);
    let written = false;
    sent.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) {
        written ||= o.written;
        p.resolve({ nextExpectedRevision: o.nextExpectedRevision, position: o.position, written: o.written });
      } else p.reject(writeError(o.error));
    });
    if (written) this.appended.emit('appended');
  }

  /**
   * {@link CommitFeed}: `listener` gets the events of every group commit that wrote any, in log
   * order, synchronously right after the commit and before any of its appends is answered.
   * Positions are the table's rowids, which never leave a gap (rows are never deleted and a
   * rolled-back savepoint frees its rowids again), so the event before the first one is at
   * `position - 1`. An event's `data` and `metadata` are the appender's own values when JSON gives
   * them back exactly (see {@link jsonFaithful}; a parsed request body does), so they are not parsed
   * again; otherwise they are parsed lazily from the stored text, as read events are. Either way a
   * reader sees what a read of the log answers. A commit holding an id, stream id or type that is not
   * well-formed UTF-16 (SQLite would store U+FFFD for a lone surrogate) is not announced: readers
   * read it back.
   * @returns a function that removes the listener.
   */
  onCommitted(listener: CommittedListener): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /**
   * Tells the commit listeners what the group commit just stored (see {@link onCommitted}): each
   * written append's events at their positions and revisions (consecutive within the append).
   */
  private announce(sent: readonly PendingAppend[], requests: readonly AppendRequest[], dataValues: readonly StoredForm['dataValue'][][], outcomes: readonly WriteOutcome[]): void {
    if (this.committedListeners.size === 0) return;
    const events: RecordedEvent[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (!o.ok || !o.written) continue;
      const { streamId, events: stored } = requests[i]!;
      if (!wellFormed(streamId)) return;
      const appended = sent[i]!.events;
      const last = stored.length - 1;
      for (let j = 0; j <= last; j++) {
        const event = appended[j]!;
        if (!wellFormed(event.id) || !wellFormed(event.type)) return;
        const back = BigInt(last - j);
        const row = stored[j]!;
        const parsed: { data?: unknown; metadata?: unknown } = {};
        const dataValue = dataValues[i]![j];
        if (dataValue !== undefined && jsonFaithful(dataValue)) parsed.data = row.raw === undefined ? dataValue : withStoredRaw(dataValue as Record<string, unknown>, row.raw);
        if (jsonFaithful(event.metadata)) parsed.metadata = event.metadata;
        events.push(recorded({ position: o.position - back, event_id: event.id, stream_id: streamId, revision: o.nextExpectedRevision - back, type: event.type, data: row.data, metadata: row.metadata, created: o.created, raw: row.raw ?? null }, parsed));
      }
    }
    if (events.length === 0) return;
    const after = events[0]!.position - 1n;
    for (const listener of this.committedListeners) listener(after, events);
  }

  /** One read transaction: the stream's revision and the ids it holds (index lookups, no payloads). */
  async findInStream(streamId: string, eventIds: readonly string[]): Promise<StreamLookup> {
    this.assertOpen();
    return this.lookupTransaction(streamId, eventIds);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const direction = options.direction ?? 'forwards';
    const limit = options.maxCount ?? -1;
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const rows =
      direction === 'forwards'
        ? this.stmt.readForward.all(streamId, from === 'start' ? 0n : from === 'end' ? MAX_I64 : from, limit)
        : this.stmt.readBackward.all(streamId, from === 'end' ? MAX_I64 : from === 'start' ? 0n : from, limit);
    if (rows.length === 0 && this.currentRevision(streamId) === 'no_stream') {
      throw new StreamNotFoundError(streamId);
    }
    return rows.map(toRecorded);
  }

  async streamRevision(streamId: string): Promise<ActualRevision> {
    this.assertOpen();
    return this.currentRevision(streamId);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const direction = options.direction ?? 'forwards';
    const start = options.fromPosition ?? (direction === 'forwards' ? 'start' : 'end');
    let cursor = start === 'start' ? (direction === 'forwards' ? 0n : 0n) : start === 'end' ? MAX_I64 : start;
    if (direction === 'forwards' && start === 'end') return;
    // Positions are SQLite rowids (< 2^63): beyond that, forwards there is nothing, backwards is from the end.
    if (cursor > MAX_I64) {
      if (direction === 'forwards') return;
      cursor = MAX_I64;
    }
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      this.assertOpen();
      const limit = Math.min(this.pageSize, remaining);
      const rows =
        direction === 'forwards' ? this.stmt.allForward.all(cursor, limit) : this.stmt.allBackward.all(cursor, limit);
      for (const row of rows) yield toRecorded(row);
      if (rows.length < limit) return;
      remaining -= rows.length;
      cursor = rows[rows.length - 1]!.position;
    }
  }

  /** Reads one page of `$all` forwards after `after` (used by subscriptions). */
  readPageAfter(after: bigint, limit: number): RecordedEvent[] {
    this.assertOpen();
    return this.stmt.allForward.all(after, limit).map(toRecorded);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return this.stmt.head.get()?.head ?? 0n;
  }

  /** Another thread or process of the service appended: subscriptions at the head look now, not at their next poll. */
  wakeSubscriptions(): void {
    this.appended.emit('appended');
  }

  /**
   * Copies the WAL's committed frames into the database file (`PRAGMA wal_checkpoint(PASSIVE)`:
   * blocks neither the writer nor readers; frames a reader still needs stay for the next one), so
   * the WAL is reused from its start. A commit that triggers SQLite's automatic checkpoint does
   * that copy, and its fsync, inside the append: 10–50 ms every few MiB of appends on the main
   * thread. The service therefore raises the main connection's `walAutocheckpointPages` and runs this
   * from the projection thread's own connection instead.
   * @returns frames in the WAL and frames now in the database file (both 0 when the WAL is empty).
   */
  checkpointWal(): { walFrames: number; checkpointed: number } {
    this.assertOpen();
    const [row] = this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    return { walFrames: Math.max(0, row?.log ?? 0), checkpointed: Math.max(0, row?.checkpointed ?? 0) };
  }

  subscribeToAll(options: SubscribeToAllOptions): AllSubscription {
    this.assertOpen();
    const subscription = new SqliteAllSubscription({
      from: options.fromPosition === 'start' ? 0n : options.fromPosition,
      readPage: (after, limit) => this.readPageAfter(after, limit),
      pageSize: this.pageSize,
      pollIntervalMs: this.pollIntervalMs,
      appended: this.appended,
      onClose: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<{ ok: boolean; detail?: string }> {
    if (this.closed) return { ok: false, detail: 'closed' };
    try {
      this.stmt.head.get();
      return { ok: true, detail: this.db.name };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends already requested are committed (and answered) before closing.
    this.flushAppends();
    while (this.committing) {
      await this.committing;
      this.flushAppends();
    }
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.closed = true;
    await this.writerThread?.close();
    this.db.close();
  }

  private currentRevision(streamId: string): ActualRevision {
    const revision = this.stmt.lastRevision.get(streamId)?.revision;
    return revision === null || revision === undefined ? 'no_stream' : revision;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}

const MAX_I64 = 9223372036854775807n;

/** Deepest nesting {@link jsonFaithful} looks into (request bodies are refused beyond 64 levels). */
const MAX_FAITHFUL_DEPTH = 100;

/**
 * True when `JSON.parse(JSON.stringify(value))` gives back a deep copy equal to `value` as readers
 * use it: only strings, booleans, finite numbers other than -0, null, arrays without holes, and
 * objects with the plain object prototype, no `undefined` member, no inherited enumerable member, no
 * `toJSON` and no `__proto__` key. Such a value can be handed to readers as it is instead of parsing
 * the stored text again (a parsed request body always qualifies, except for a -0). Walks without
 * allocating, so members JSON skips that only reflection would show — symbol keys, non-enumerable
 * own members, named members of an array — are not looked for: event data does not have them (it is
 * built from JSON.parse results, literals and spreads, which cannot make them).
 */
function jsonFaithful(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > MAX_FAITHFUL_DEPTH) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !jsonFaithful(value[i], depth + 1)) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const o = value as Record<string, unknown>;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key)) return false;
    if (key === '__proto__' || key === 'toJSON' || !jsonFaithful(o[key], depth + 1)) return false;
  }
  return true;
}

/** An event as the log stores it, and the value of its `data` that a commit may announce. */
interface StoredForm {
  row: AppendRequest['events'][number];
  /** `data` as readers will see it before `raw` is put back: the appender's value, or its copy without `raw`. */
  dataValue: unknown;
}

/**
 * How an event is stored. A source fact's raw payload — an object `data` whose last member is
 * `raw` — is stored in `events.raw`, apart from the rest of `data`: readers that never look at it
 * (the projections, the subscribers of the main thread) do not parse it, and a payload that came as
 * a request body is stored as the sender's own text ({@link sourceTextOf}) instead of being written
 * out again. Readers get `raw` back as the last member of `data`, parsed on first access. Any other
 * `data` (`raw` elsewhere, a `toJSON`, not a plain object) is stored whole, as before.
 * @throws TypeError / RangeError when `data` or `metadata` cannot be JSON (a bigint, a cycle).
 */
function storedForm(event: EventData): StoredForm {
  const { id, type, data } = event;
  const metadata = JSON.stringify(event.metadata);
  if (endsWithRaw(data)) {
    const { raw, ...rest } = data;
    const rawText = sourceTextOf(raw) ?? (JSON.stringify(raw) as string | undefined);
    if (rawText !== undefined) return { row: { id, type, data: JSON.stringify(rest), metadata, raw: rawText }, dataValue: rest };
  }
  return { row: { id, type, data: JSON.stringify(data), metadata }, dataValue: data };
}

/** A plain object without `toJSON` whose last own member is a defined `raw` (see {@link storedForm}). */
function endsWithRaw(data: unknown): data is { raw: unknown } & Record<string, unknown> {
  if (data === null || typeof data !== 'object' || Object.getPrototypeOf(data) !== Object.prototype) return false;
  let last: string | undefined;
  for (const key in data) last = key;
  return last === 'raw' && (data as { raw?: unknown }).raw !== undefined && !Object.prototype.hasOwnProperty.call(data, 'toJSON');
}

/** The stored text and parsed value of `data.raw` of an event read back (see {@link storedForm}). */
const RAW = Symbol('storedRaw');
type WithRaw = { [RAW]: [text: string | undefined, value: unknown] };

/** An own enumerable `raw` accessor, parsed on first read (a write replaces it); shared by every event. */
const RAW_PROPERTY: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: WithRaw): unknown {
    const s = this[RAW];
    if (s[0] !== undefined) {
      s[1] = JSON.parse(s[0]) as unknown;
      s[0] = undefined;
    }
    return s[1];
  },
  set(this: WithRaw, v: unknown) {
    const s = this[RAW];
    s[0] = undefined;
    s[1] = v;
  },
};

/** Puts a stored `raw` back into `data` as its last member, parsed when first read; `data` other than an object is left alone. */
function withStoredRaw(data: unknown, rawText: string): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  Object.defineProperty(data, RAW, { value: [rawText, undefined] });
  Object.defineProperty(data, 'raw', RAW_PROPERTY);
  return data;
}

/** True when SQLite stores `text` as it is and answers it back as the same string (it replaces a lone surrogate with U+FFFD). */
const wellFormed = (text: unknown): boolean => typeof text === 'string' && text.isWellFormed();


/**
 * Unparsed text and parsed value of `data` and `metadata` of a {@link toRecorded} event, and the
 * stored text of `data.raw` when it is kept apart ({@link storedForm}; put back when `data` is parsed).
 */
const LAZY = Symbol('lazyJson');
type LazyState = [dataText: string | undefined, data: unknown, metadataText: string | undefined, metadata: unknown, rawText: string | null];
type WithLazy = { [LAZY]: LazyState };

/**
 * An own enumerable accessor that parses the JSON text at `state[text]` on first read into
 * `state[value]` (a write replaces both); one getter/setter pair per property, shared by every event.
 */
function lazyJsonProperty(text: 0 | 2, value: 1 | 3): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: WithLazy): unknown {
      const s = this[LAZY];
      if (s[text] !== undefined) {
        const parsed = JSON.parse(s[text] as string) as unknown;
        s[value] = text === 0 && s[4] !== null ? withStoredRaw(parsed, s[4]) : parsed;
        s[text] = undefined;
      }
      return s[value];
    },
    set(this: WithLazy, v: unknown) {
      const s = this[LAZY];
      s[text] = undefined;
      s[value] = v;
    },
  };
}

/** Own enumerable accessors shared by every lazily parsed event (one pair of functions, not closures per event). */
const LAZY_PROPERTIES: PropertyDescriptorMap = { data: lazyJsonProperty(0, 1), metadata: lazyJsonProperty(2, 3) };

/**
 * A stored row as a {@link RecordedEvent} whose `data` and `metadata` are parsed on first access
 * (then kept). Most readers of `$all` look at a few event types only (the outbox, the export index,
 * freshness, the order directory, the first pass of a replay): they skip the rest without paying
 * for `JSON.parse` of payloads they never read — a Scayle order event carries the whole delivery in
 * `data.raw`. Both are own enumerable accessors, so spreading, `JSON.stringify` and deep equality see
 * plain values; assigning replaces the value. The accessor functions are shared (defined once) and
 * the state sits under a non-enumerable symbol: reading every field costs what eager parsing did
 * (measured: 11.8 vs 11.4 µs per 9 KB event), skipping `data` saves the parse (4.9 µs).
 * Events are immutable facts: readers must not mutate what they get (an event object may be handed
 * to several in-process consumers).
 */
function toRecorded(row: EventRow): RecordedEvent {
  return recorded(row);
}

/**
 * {@link toRecorded}, with `data` and/or `metadata` already given as values (what the text parses
 * to) for the events a commit announces.
 */
function recorded(row: EventRow, parsed?: { data?: unknown; metadata?: unknown }): RecordedEvent {
  const event = { id: row.event_id, streamId: row.stream_id, revision: row.revision, position: row.position, type: row.type };
  const state: LazyState = [row.data, undefined, row.metadata, undefined, row.raw];
  if (parsed && 'data' in parsed) [state[0], state[1]] = [undefined, parsed.data];
  if (parsed && 'metadata' in parsed) [state[2], state[3]] = [undefined, parsed.metadata];
  Object.defineProperty(event, LAZY, { value: state });
  Object.defineProperties(event, LAZY_PROPERTIES);
  return Object.assign(event, { created: row.created }) as unknown as RecordedEvent;
}
