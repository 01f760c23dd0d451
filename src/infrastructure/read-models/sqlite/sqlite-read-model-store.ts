import Database from 'better-sqlite3';
import {
  Checkpoint,
  CheckpointMove,
  CheckpointMovedError,
  CollectionSpec,
  CommitResult,
  DeadLetter,
  Filter,
  FindQuery,
  InvalidQueryError,
  JsonObject,
  Page,
  ReadModelStore,
  StaleGenerationError,
  StoredDocument,
  WriteOp,
  decodePosition,
  encodePosition,
  shadowName,
} from '../../../application/ports/read-model-store.port';
import { assertCollectionName, Condition, encodeCursor, planFilter, planQuery } from '../query-plan';

export interface SqliteReadModelStoreOptions {
  /** File path (`LEDGER_DATA_DIR/read-models.db`), or `:memory:`. */
  filename: string;
  /** `NORMAL` (default) survives a process crash; the log is the source of truth, read models can be rebuilt. */
  synchronous?: 'FULL' | 'NORMAL';
}

interface DocRow {
  id: string;
  position: string;
  doc: string;
}

const META = `
CREATE TABLE IF NOT EXISTS rm_collections (name TEXT PRIMARY KEY, spec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rm_checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL, generation INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rm_dead_letters (
  projection TEXT NOT NULL, position TEXT NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL,
  stream_id TEXT NOT NULL, error TEXT NOT NULL, failed_at TEXT NOT NULL, PRIMARY KEY (projection, position)
);
`;

/** WAL pages between automatic checkpoints (the WAL file grows to about this many 4 KiB pages). */
const WAL_AUTOCHECKPOINT_PAGES = 20_000;

const table = (collection: string) => `rm_${collection}`;
const sideTable = (collection: string, field: string) => `rm_${collection}__m_${field.replace(/\./g, '_')}`;
const expr = (field: string) => (field === '_id' ? 'id' : `json_extract(doc, '$.${field}')`);

/**
 * Embedded read models (DESIGN §3): one SQLite file in WAL mode, a table per collection
 * (`id`, `position` as a 40-digit decimal string, `doc` as JSON text). Declared index fields become
 * expression indexes on `json_extract(doc, '$.field')`; queries use the same expressions, so SQLite
 * picks those indexes. Array (`multi`) fields are mirrored into a side table `(value, id)`.
 * A commit is one transaction, checkpoints included.
 */
export class SqliteReadModelStore implements ReadModelStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly specs = new Map<string, CollectionSpec>();
  private readonly statements = new Map<string, ReturnType<SqliteReadModelStore['prepareCollection']>>();
  private closed = false;
  private readonly stmt;

  constructor(options: SqliteReadModelStoreOptions) {
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    // Checkpoint the WAL every 20,000 pages (≈ 80 MiB) instead of SQLite's default 1,000: a projection
    // batch dirties thousands of pages, and copying them back into the database after nearly every
    // commit wrote the hot index pages again and again (with an fsync each time). Rebuild of
    // 1,000,000 events on this machine: 11,600 → 15,400 events/s, system CPU per event 12.5 → 9.4 µs.
    this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    this.db.exec(META);
    this.stmt = {
      spec: this.db.prepare<[string], { spec: string }>('SELECT spec FROM rm_collections WHERE name = ?'),
      saveSpec: this.db.prepare('INSERT INTO rm_collections (name, spec) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET spec = excluded.spec'),
      checkpoint: this.db.prepare<[string], { position: string; generation: number }>('SELECT position, generation FROM rm_checkpoints WHERE name = ?'),
      saveCheckpoint: this.db.prepare(
        'INSERT INTO rm_checkpoints (name, position, generation) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position, generation = excluded.generation',
      ),
      deleteCheckpoint: this.db.prepare('DELETE FROM rm_checkpoints WHERE name = ?'),
      addDeadLetter: this.db.prepare(
        'INSERT OR IGNORE INTO rm_dead_letters (projection, position, event_id, event_type, stream_id, error, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      deadLetters: this.db.prepare('SELECT * FROM rm_dead_letters ORDER BY position, projection'),
    };
  }

  async ensureCollections(specs: readonly CollectionSpec[]): Promise<void> {
    this.assertOpen();
    this.db.transaction(() => {
      for (const spec of specs) this.createCollection(spec.name, spec);
    })();
  }

  private createCollection(name: string, spec: CollectionSpec): void {
    assertCollectionName(name);
    const t = table(name);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${t} (id TEXT PRIMARY KEY, position TEXT NOT NULL, doc TEXT NOT NULL)`);
    const wanted = new Set<string>();
    spec.indexes.forEach((index, i) => {
      const plain = index.fields.filter((f) => !(index.multi ?? []).includes(f));
      if (plain.length > 0) {
        const ix = `${t}__ix${i}`;
        wanted.add(ix);
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${ix} ON ${t} (${plain.map(expr).join(', ')})`);
      }
      for (const f of index.multi ?? []) {
        const side = sideTable(name, f);
        this.db.exec(`CREATE TABLE IF NOT EXISTS ${side} (value, id TEXT NOT NULL, PRIMARY KEY (value, id)) WITHOUT ROWID`);
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${side}__id ON ${side} (id)`);
      }
    });
    // Indexes from an older declaration are dropped so the names stay free for the new ones.
    const existing = this.db
      .prepare<[string], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE '%\\_\\_ix%' ESCAPE '\\'`)
      .all(t);
    for (const { name: ix } of existing) if (!wanted.has(ix)) this.db.exec(`DROP INDEX ${ix}`);
    this.stmt.saveSpec.run(name, JSON.stringify({ ...spec, name }));
    this.specs.set(name, { ...spec, name });
    this.statements.delete(name);
  }

  private spec(collection: string): CollectionSpec {
    let spec = this.specs.get(collection);
    if (!spec) {
      const row = this.stmt.spec.get(collection);
      if (!row) throw new InvalidQueryError(`Unknown collection: ${collection}`);
      spec = JSON.parse(row.spec) as CollectionSpec;
      this.specs.set(collection, spec);
    }
    return spec;
  }

  private multiFields(spec: CollectionSpec): string[] {
    return [...new Set(spec.indexes.flatMap((i) => i.multi ?? []))];
  }

  private prepareCollection(collection: string) {
    const spec = this.spec(collection);
    const t = table(collection);
    const multi = this.multiFields(spec).map((field) => ({
      field,
      del: this.db.prepare(`DELETE FROM ${sideTable(collection, field)} WHERE id = ?`),
      ins: this.db.prepare(`INSERT OR IGNORE INTO ${sideTable(collection, field)} (value, id) VALUES (?, ?)`),
    }));
    return {
      upsert: this.db.prepare(
        `INSERT INTO ${t} (id, position, doc) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET position = excluded.position, doc = excluded.doc WHERE excluded.position >= ${t}.position`,
      ),
      del: this.db.prepare(`DELETE FROM ${t} WHERE id = ? AND position <= ?`),
      exists: this.db.prepare<[string], { position: string }>(`SELECT position FROM ${t} WHERE id = ?`),
      get: this.db.prepare<[string], DocRow>(`SELECT id, position, doc FROM ${t} WHERE id = ?`),
      getMany: this.db.prepare<[string], DocRow>(`SELECT id, position, doc FROM ${t} WHERE id IN (SELECT value FROM json_each(?))`),
      multi,
    };
  }

  private stmts(collection: string) {
    let s = this.statements.get(collection);
    if (!s) {
      s = this.prepareCollection(collection);
      this.statements.set(collection, s);
    }
    return s;
  }

  /**
   * One `BEGIN IMMEDIATE` transaction: the checkpoints' generations and positions are compared first
   * (another process's commit on the same file is serialised by the write lock, so the comparison
   * and the move cannot interleave with it), then the writes, then the moves.
   */
  async commit(writes: readonly WriteOp[], checkpoints: readonly CheckpointMove[] = []): Promise<CommitResult> {
    this.assertOpen();
    return this.db.transaction((): CommitResult => {
      for (const c of checkpoints) {
        const stored = this.stmt.checkpoint.get(c.name);
        const generation = stored?.generation ?? 0;
        if (generation !== c.generation) throw new StaleGenerationError(c.name, c.generation, generation);
        const position = stored ? decodePosition(stored.position) : 0n;
        if (position !== c.expectedPosition) throw new CheckpointMovedError(c.name, c.expectedPosition, position);
      }
      let applied = 0;
      for (const w of writes) {
        const s = this.stmts(w.collection);
        const position = encodePosition(w.position);
        const changed =
          w.kind === 'upsert' ? s.upsert.run(w.id, position, JSON.stringify(w.doc)).changes : s.del.run(w.id, position).changes;
        if (changed === 0) {
          if (w.kind === 'delete' && !s.exists.get(w.id)) applied++;
          continue;
        }
        applied++;
        for (const m of s.multi) {
          m.del.run(w.id);
          if (w.kind !== 'upsert') continue;
          const values = w.doc[m.field];
          if (Array.isArray(values)) for (const v of values) if (typeof v === 'string' || typeof v === 'number') m.ins.run(v, w.id);
        }
      }
      for (const c of checkpoints) this.stmt.saveCheckpoint.run(c.name, encodePosition(c.position), c.generation);
      return { applied, skipped: writes.length - applied };
    }).immediate();
  }

  async get<T extends JsonObject = JsonObject>(collection: string, id: string): Promise<StoredDocument<T> | undefined> {
    this.assertOpen();
    const row = this.stmts(collection).get.get(id);
    return row ? toDoc<T>(row) : undefined;
  }

  async getMany<T extends JsonObject = JsonObject>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>> {
    this.assertOpen();
    const out = new Map<string, StoredDocument<T>>();
    if (ids.length === 0) return out;
    for (const row of this.stmts(collection).getMany.all(JSON.stringify(ids))) out.set(row.id, toDoc<T>(row));
    return out;
  }

  private where(collection: string, conditions: Condition[], params: unknown[]): string[] {
    return conditions.map((c) => {
      if (c.multi) {
        const side = sideTable(collection, c.field);
        const values = c.op === 'eq' ? [c.value] : c.op === 'in' ? c.values : undefined;
        if (!values) throw new InvalidQueryError(`Only equality and $in apply to the array field ${c.field}`);
        params.push(JSON.stringify(values));
        return `id IN (SELECT id FROM ${side} WHERE value IN (SELECT value FROM json_each(?)))`;
      }
      const e = expr(c.field);
      if (c.op === 'eq') {
        params.push(c.value);
        return `${e} = ?`;
      }
      if (c.op === 'in') {
        params.push(JSON.stringify(c.values));
        return `${e} IN (SELECT value FROM json_each(?))`;
      }
      const parts: string[] = [];
      for (const [op, sql] of [['$gt', '>'], ['$gte', '>='], ['$lt', '<'], ['$lte', '<=']] as const) {
        const v = c.range[op];
        if (v !== undefined) {
          params.push(v);
          parts.push(`${e} ${sql} ?`);
        }
      }
      return parts.join(' AND ');
    });
  }

  async find<T extends JsonObject = JsonObject>(collection: string, query: FindQuery): Promise<Page<T>> {
    this.assertOpen();
    const plan = planQuery(this.spec(collection), query);
    const params: unknown[] = [];
    const clauses = this.where(collection, plan.conditions, params);
    if (plan.after) {
      // Keyset pagination: (s1, s2, …, _id) strictly after the cursor in the sort's own directions.
      const ors: string[] = [];
      plan.sort.forEach((s, i) => {
        const ands = plan.sort.slice(0, i).map((p, j) => {
          params.push(plan.after![j]);
          return `${expr(p.field)} = ?`;
        });
        params.push(plan.after![i]);
        ands.push(`${expr(s.field)} ${s.direction === 'asc' ? '>' : '<'} ?`);
        ors.push(`(${ands.join(' AND ')})`);
      });
      clauses.push(`(${ors.join(' OR ')})`);
    }
    params.push(plan.limit + 1);
    const sql = `SELECT id, position, doc FROM ${table(collection)}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY ${plan.sort
      .map((s) => `${expr(s.field)} ${s.direction.toUpperCase()}`)
      .join(', ')} LIMIT ?`;
    const rows = this.db.prepare<unknown[], DocRow>(sql).all(...params);
    const items = rows.slice(0, plan.limit).map((r) => toDoc<T>(r));
    const page: Page<T> = { items };
    if (rows.length > plan.limit) {
      const last = items[items.length - 1]!;
      page.next = encodeCursor(plan.sort, last._id, last.doc);
    }
    return page;
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    this.assertOpen();
    const params: unknown[] = [];
    const clauses = this.where(collection, planFilter(this.spec(collection), filter), params);
    const sql = `SELECT COUNT(*) AS n FROM ${table(collection)}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''}`;
    return this.db.prepare<unknown[], { n: number }>(sql).get(...params)!.n;
  }

  async *scan<T extends JsonObject = JsonObject>(collection: string): AsyncIterable<StoredDocument<T>> {
    this.spec(collection);
    const page = this.db.prepare<[string, number], DocRow>(`SELECT id, position, doc FROM ${table(collection)} WHERE id > ? ORDER BY id LIMIT ?`);
    let after = '';
    for (;;) {
      this.assertOpen();
      const rows = page.all(after, 500);
      for (const r of rows) yield toDoc<T>(r);
      if (rows.length < 500) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async getCheckpoint(name: string): Promise<Checkpoint> {
    this.assertOpen();
    const row = this.stmt.checkpoint.get(name);
    return { name, position: row ? decodePosition(row.position) : 0n, generation: row?.generation ?? 0 };
  }

  async addDeadLetter(d: DeadLetter): Promise<void> {
    this.assertOpen();
    this.stmt.addDeadLetter.run(d.projection, encodePosition(d.position), d.eventId, d.eventType, d.streamId, d.error, d.failedAt);
  }

  async listDeadLetters(projection?: string): Promise<DeadLetter[]> {
    this.assertOpen();
    const rows = this.stmt.deadLetters.all() as {
      projection: string;
      position: string;
      event_id: string;
      event_type: string;
      stream_id: string;
      error: string;
      failed_at: string;
    }[];
    return rows
      .filter((r) => projection === undefined || r.projection === projection)
      .map((r) => ({
        projection: r.projection,
        position: decodePosition(r.position),
        eventId: r.event_id,
        eventType: r.event_type,
        streamId: r.stream_id,
        error: r.error,
        failedAt: r.failed_at,
      }));
  }

  async prepareShadow(collections: readonly string[], checkpoint: string): Promise<void> {
    this.assertOpen();
    this.db.transaction(() => {
      for (const name of collections) {
        const spec = this.spec(name);
        this.dropCollection(shadowName(name));
        this.createCollection(shadowName(name), { ...spec, name: shadowName(name) });
      }
      this.stmt.deleteCheckpoint.run(shadowName(checkpoint));
    })();
  }

  private dropCollection(name: string): void {
    const t = table(name);
    const sides = this.db
      .prepare<[string], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\\'`)
      .all(`${t.replace(/_/g, '\\_')}\\_\\_m\\_%`);
    for (const s of sides) this.db.exec(`DROP TABLE ${s.name}`);
    this.db.exec(`DROP TABLE IF EXISTS ${t}`);
    this.db.prepare('DELETE FROM rm_collections WHERE name = ?').run(name);
    this.specs.delete(name);
    this.statements.delete(name);
  }

  async swapShadow(collections: readonly string[], checkpoint: string): Promise<Checkpoint> {
    this.assertOpen();
    return this.db.transaction((): Checkpoint => {
      for (const name of collections) {
        const spec = this.spec(name);
        const shadow = shadowName(name);
        this.spec(shadow);
        const multi = this.multiFields(spec);
        this.dropCollection(name);
        // Index names carry the table name: drop the shadow's, rename, re-create under the live names.
        for (const { name: ix } of this.db
          .prepare<[string], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`)
          .all(table(shadow))) {
          this.db.exec(`DROP INDEX ${ix}`);
        }
        this.db.exec(`ALTER TABLE ${table(shadow)} RENAME TO ${table(name)}`);
        for (const f of multi) {
          this.db.exec(`DROP INDEX IF EXISTS ${sideTable(shadow, f)}__id`);
          this.db.exec(`ALTER TABLE ${sideTable(shadow, f)} RENAME TO ${sideTable(name, f)}`);
        }
        this.db.prepare('DELETE FROM rm_collections WHERE name = ?').run(shadow);
        this.specs.delete(shadow);
        this.statements.delete(shadow);
        this.createCollection(name, spec);
      }
      const live = this.stmt.checkpoint.get(checkpoint);
      const rebuilt = this.stmt.checkpoint.get(shadowName(checkpoint));
      const next: Checkpoint = {
        name: checkpoint,
        position: rebuilt ? decodePosition(rebuilt.position) : 0n,
        generation: (live?.generation ?? 0) + 1,
      };
      this.stmt.saveCheckpoint.run(next.name, encodePosition(next.position), next.generation);
      this.stmt.deleteCheckpoint.run(shadowName(checkpoint));
      return next;
    }).immediate();
  }

  async ping(): Promise<{ ok: boolean; detail?: string }> {
    if (this.closed) return { ok: false, detail: 'closed' };
    try {
      this.db.prepare('SELECT 1').get();
      return { ok: true, detail: this.db.name };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The read-model store is closed');
  }
}

function toDoc<T extends JsonObject>(row: DocRow): StoredDocument<T> {
  return { _id: row.id, position: decodePosition(row.position), doc: JSON.parse(row.doc) as T };
}
