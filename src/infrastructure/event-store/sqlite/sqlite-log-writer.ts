/**
 * The write side of the embedded event log on one SQLite connection: a group of appends committed
 * in one IMMEDIATE transaction, each in its own savepoint with its own expected-revision check and
 * idempotency. {@link SqliteEventStore} runs it inline or in its log writer thread
 * ({@link ./sqlite-writer.worker}), where the commit — and its fsync under `synchronous=FULL` —
 * does not hold the main thread.
 */
import Database from 'better-sqlite3';
import { ActualRevision, ConcurrencyConflictError, EventIdInOtherStreamError, ExpectedRevision } from '../../../application/ports/event-store.port';
import { threadError, threadFailure, type ThreadFailure } from '../../threads/request-thread';

/** `events` table of the log (created by whichever connection opens the file first; {@link openLogDatabase}). */
const LOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY,
  event_id  TEXT    NOT NULL UNIQUE,
  stream_id TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL,
  created   TEXT    NOT NULL,
  raw       TEXT,
  UNIQUE (stream_id, revision)
);
`;

/**
 * `events.raw` came after the first release: a log file created before it gets the column (NULL in
 * every existing row, whose raw payload stays inside `data`). Checked again under the write lock, as
 * two connections may open an old file at once.
 */
function addRawColumn(db: Database.Database): void {
  const hasRaw = (): boolean => (db.pragma('table_info(events)') as { name: string }[]).some((c) => c.name === 'raw');
  if (hasRaw()) return;
  db.transaction(() => {
    if (!hasRaw()) db.exec('ALTER TABLE events ADD COLUMN raw TEXT');
  }).immediate();
}

/**
 * A connection to the log's file as every connection of the service opens it: WAL mode, the given
 * `synchronous`, a 5 s busy wait, optionally a raised automatic checkpoint, and the schema.
 */
export function openLogDatabase(filename: string, options: { synchronous: 'FULL' | 'NORMAL'; walAutocheckpointPages?: number | undefined }): Database.Database {
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('busy_timeout = 5000');
    if (options.walAutocheckpointPages !== undefined) db.pragma(`wal_autocheckpoint = ${options.walAutocheckpointPages}`);
    db.exec(LOG_SCHEMA);
    addRawColumn(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * One append of a group: the events with `data` and `metadata` already as JSON text; `raw`, when
 * present, is the JSON text of the source payload taken out of `data` (stored in `events.raw`;
 * see `SqliteEventStore`).
 */
export interface AppendRequest {
  streamId: string;
  expected: ExpectedRevision;
  events: { id: string; type: string; data: string; metadata: string; raw?: string | undefined }[];
}

/**
 * What one append of a group came to. Written: its events are at positions
 * `position - n + 1 … position` and revisions `nextExpectedRevision - n + 1 … nextExpectedRevision`
 * (n = its event count), stored with `created`. Not written (`written: false`): an idempotent retry
 * of an append already stored, answered as it was answered then.
 */
export type WriteOutcome =
  | { ok: true; written: boolean; nextExpectedRevision: bigint; position: bigint; created: string }
  | { ok: false; error: WriteFailure };

/** An append refused or failed, as plain data (it crosses from the writer thread). */
export type WriteFailure =
  | { kind: 'conflict'; streamId: string; expected: ExpectedRevision; actual: ActualRevision }
  | { kind: 'elsewhere'; streamId: string; expected: ExpectedRevision; actual: ActualRevision; eventId: string; stored: { streamId: string; revision: bigint; position: bigint } }
  | ({ kind: 'error' } & ThreadFailure);

/** The port's error (or an `Error` with the driver's message and code) for a {@link WriteFailure}. */
export function writeError(failure: WriteFailure): Error {
  switch (failure.kind) {
    case 'conflict':
      return new ConcurrencyConflictError(failure.streamId, failure.expected, failure.actual);
    case 'elsewhere':
      return new EventIdInOtherStreamError(failure.streamId, failure.expected, failure.actual, failure.eventId, failure.stored);
    case 'error':
      return threadError(failure);
  }
}

/** The {@link WriteFailure} of an error thrown by an append. */
export function writeFailure(err: unknown): WriteFailure {
  if (err instanceof EventIdInOtherStreamError) return { kind: 'elsewhere', streamId: err.streamId, expected: err.expected, actual: err.actual, eventId: err.eventId, stored: err.stored };
  if (err instanceof ConcurrencyConflictError) return { kind: 'conflict', streamId: err.streamId, expected: err.expected, actual: err.actual };
  return { kind: 'error', ...threadFailure(err) };
}

interface StoredRow {
  event_id: string;
  stream_id: string;
  revision: bigint;
  position: bigint;
}

export class SqliteLogWriter {
  private readonly group: Database.Transaction<(batch: readonly AppendRequest[], created: string, outcomes: WriteOutcome[]) => void>;
  private readonly append: Database.Transaction<(request: AppendRequest, created: string) => WriteOutcome>;
  private readonly stmt: {
    lastRevision: Database.Statement<[string], { revision: bigint | null }>;
    byEventId: Database.Statement<[string], StoredRow>;
    insert: Database.Statement<[string, string, bigint, string, string, string, string, string | null], unknown>;
  };

  /** @param db a connection to the log's file, in WAL mode, with {@link LOG_SCHEMA} created. */
  constructor(db: Database.Database) {
    const prepare = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql).safeIntegers(true) as Database.Statement<P, R>;
    this.stmt = {
      lastRevision: prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?'),
      byEventId: prepare('SELECT event_id, stream_id, revision, position FROM events WHERE event_id = ?'),
      insert: prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, created, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    };
    this.append = db.transaction((request: AppendRequest, created: string) => this.appendLocked(request, created));
    this.group = db.transaction((batch: readonly AppendRequest[], created: string, outcomes: WriteOutcome[]) => {
      for (const request of batch) {
        try {
          outcomes.push(this.append(request, created));
        } catch (error) {
          outcomes.push({ ok: false, error: writeFailure(error) });
        }
      }
    });
  }

  /**
   * Commits `batch` in one IMMEDIATE transaction, each append in its own savepoint: all of an
   * append or none of it, a refused append (expected revision, an id stored in another stream)
   * leaving the others alone.
   * @returns one outcome per append, in order.
   * @throws the driver's error when the transaction itself fails (busy, disk full): then nothing of
   *   the group is stored.
   */
  commitGroup(batch: readonly AppendRequest[]): WriteOutcome[] {
    const outcomes: WriteOutcome[] = [];
    this.group.immediate(batch, new Date().toISOString(), outcomes);
    return outcomes;
  }

  /** Runs inside the IMMEDIATE transaction: check, detect idempotent retries, insert. */
  private appendLocked({ streamId, expected, events }: AppendRequest, created: string): WriteOutcome {
    const actual = this.currentRevision(streamId);
    const replay = this.findIdempotentReplay(streamId, events, expected);
    if (replay) return { ok: true, written: false, ...replay, created };
    if (!revisionMatches(expected, actual)) throw new ConcurrencyConflictError(streamId, expected, actual);
    let revision = actual === 'no_stream' ? -1n : actual;
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      position = BigInt(this.insertOrExplain(streamId, expected, event, revision, created).lastInsertRowid);
    }
    return { ok: true, written: true, nextExpectedRevision: revision, position, created };
  }

  /**
   * Inserts one event; a later event of the append whose id is already stored (the first one is
   * checked by {@link findIdempotentReplay}) is reported as the port's error instead of SQLite's.
   */
  private insertOrExplain(streamId: string, expected: ExpectedRevision, event: AppendRequest['events'][number], revision: bigint, created: string): Database.RunResult {
    try {
      return this.stmt.insert.run(event.id, streamId, revision, event.type, event.data, event.metadata, created, event.raw ?? null) as Database.RunResult;
    } catch (err) {
      const row = (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' ? this.stmt.byEventId.get(event.id) : undefined;
      if (!row) throw err;
      if (row.stream_id !== streamId) throw new EventIdInOtherStreamError(streamId, expected, this.currentRevision(streamId), event.id, { streamId: row.stream_id, revision: row.revision, position: row.position });
      throw new ConcurrencyConflictError(streamId, expected, this.currentRevision(streamId));
    }
  }

  /**
   * EventStoreDB's idempotency: when every event id is already stored, consecutively, in this
   * stream right after the expected revision (or anywhere for `any`), the append is a retry of one
   * that succeeded; answer as it was answered then.
   */
  private findIdempotentReplay(streamId: string, events: AppendRequest['events'], expected: ExpectedRevision): { nextExpectedRevision: bigint; position: bigint } | undefined {
    const first = this.stmt.byEventId.get(events[0]!.id);
    if (!first) return undefined;
    if (first.stream_id !== streamId) {
      throw new EventIdInOtherStreamError(streamId, expected, this.currentRevision(streamId), first.event_id, { streamId: first.stream_id, revision: first.revision, position: first.position });
    }
    const startOk =
      expected === 'any' ||
      (expected === 'stream_exists' && first.revision > 0n) ||
      (expected === 'no_stream' && first.revision === 0n) ||
      (typeof expected === 'bigint' && first.revision === expected + 1n);
    let last = first;
    for (let i = 1; i < events.length && startOk; i++) {
      const row = this.stmt.byEventId.get(events[i]!.id);
      if (!row || row.stream_id !== streamId || row.revision !== first.revision + BigInt(i)) {
        return undefined;
      }
      last = row;
    }
    if (!startOk) return undefined;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  private currentRevision(streamId: string): ActualRevision {
    const revision = this.stmt.lastRevision.get(streamId)?.revision;
    return revision === null || revision === undefined ? 'no_stream' : revision;
  }
}

function revisionMatches(expected: ExpectedRevision, actual: ActualRevision): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 'no_stream';
  if (expected === 'stream_exists') return actual !== 'no_stream';
  return actual === expected;
}
