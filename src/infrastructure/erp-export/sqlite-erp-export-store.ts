import Database from 'better-sqlite3';
import { encodePosition } from '../../application/ports/read-model-store.port';
import type { MissingMapping } from '../../domain/erp-export/erp-export.events';
import type {
  DirtyOrder,
  ErpExportEntry,
  ErpExportOutcome,
  ErpExportPage,
  ErpExportStatus,
  ErpExportStore,
  IndexChanges,
} from '../../application/ports/erp-export-store.port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS erp_exports (
  export_id           TEXT PRIMARY KEY,
  stream_id           TEXT NOT NULL,
  order_id            TEXT NOT NULL,
  document_kind       TEXT NOT NULL,
  category            TEXT NOT NULL,
  sequence            INTEGER NOT NULL,
  document_number     TEXT NOT NULL,
  posting_date        TEXT NOT NULL,
  period              TEXT NOT NULL,
  status              TEXT NOT NULL,
  status_position     TEXT NOT NULL,
  attempts            INTEGER NOT NULL,
  attempt_base        INTEGER NOT NULL DEFAULT 0,
  reason              TEXT,
  missing             TEXT,
  last_error          TEXT,
  next_attempt_at     TEXT,
  claimed_until       TEXT,
  erp_document_number TEXT,
  payload_hash        TEXT,
  exported_at         TEXT,
  position            TEXT NOT NULL,
  requested_at        TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS erp_exports_status ON erp_exports (status, position);
CREATE INDEX IF NOT EXISTS erp_exports_stream ON erp_exports (stream_id, position);
CREATE INDEX IF NOT EXISTS erp_exports_period ON erp_exports (period, position);
CREATE INDEX IF NOT EXISTS erp_exports_order ON erp_exports (order_id, position);
CREATE TABLE IF NOT EXISTS erp_export_dirty (
  stream_id TEXT PRIMARY KEY,
  position  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS erp_export_dirty_position ON erp_export_dirty (position, stream_id);
CREATE TABLE IF NOT EXISTS erp_export_checkpoint (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  position TEXT NOT NULL
);
`;


interface Row {
  export_id: string;
  stream_id: string;
  order_id: string;
  document_kind: ErpExportEntry['documentKind'];
  category: ErpExportEntry['category'];
  sequence: number;
  document_number: string;
  posting_date: string;
  period: string;
  status: ErpExportStatus;
  attempts: number;
  reason: string | null;
  missing: string | null;
  last_error: string | null;
  next_attempt_at: string | null;
  erp_document_number: string | null;
  payload_hash: string | null;
  exported_at: string | null;
  position: string;
  requested_at: string;
  updated_at: string;
}

const toEntry = (r: Row): ErpExportEntry => ({
  exportId: r.export_id,
  streamId: r.stream_id,
  orderId: r.order_id,
  documentKind: r.document_kind,
  category: r.category,
  sequence: r.sequence,
  documentNumber: r.document_number,
  postingDate: r.posting_date,
  period: r.period,
  status: r.status,
  attempts: r.attempts,
  ...(r.reason !== null ? { reason: r.reason } : {}),
  ...(r.missing !== null ? { missing: JSON.parse(r.missing) as MissingMapping[] } : {}),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  ...(r.next_attempt_at !== null ? { nextAttemptAt: r.next_attempt_at } : {}),
  ...(r.erp_document_number !== null ? { erpDocumentNumber: r.erp_document_number } : {}),
  ...(r.payload_hash !== null ? { payloadHash: r.payload_hash } : {}),
  ...(r.exported_at !== null ? { exportedAt: r.exported_at } : {}),
  position: BigInt(r.position),
  requestedAt: r.requested_at,
  updatedAt: r.updated_at,
});

/**
 * The export index in one SQLite file (`<dataDir>/erp-export.db`): entries, the orders to plan and
 * the indexer's checkpoint, so that what the indexer saw and its checkpoint commit together.
 * Positions are stored as 40-digit zero-padded text (order-preserving, lossless for EventStoreDB).
 * Entries are derived from the log, but attempt counts are not: they decide whether a repeated
 * attempt reads the ERP back first, so the file keeps the service's durability setting (FULL by
 * default) and a batch's claims commit in one transaction. An index advance is the exception: it is
 * derived from the log and carries its checkpoint, so after a power loss it is simply redone from
 * the log; it commits without a WAL sync (`synchronous=NORMAL` for that transaction), because the
 * indexer advances on the main thread after nearly every webhook at moderate rates and an fsync there
 * stalls every request behind it. The next synced commit makes it durable too.
 */
export class SqliteErpExportStore implements ErpExportStore {
  private readonly db: Database.Database;
  private readonly advanceTx: Database.Transaction<(position: bigint, changes: IndexChanges) => void>;
  private readonly stmt;

  constructor(
    filename: string,
    private readonly synchronous: 'FULL' | 'NORMAL' = 'FULL',
  ) {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.stmt = {
      insert: this.db.prepare(
        `INSERT INTO erp_exports (export_id, stream_id, order_id, document_kind, category, sequence, document_number, posting_date, period, status, status_position, attempts, position, requested_at, updated_at)
         VALUES (@exportId, @streamId, @orderId, @documentKind, @category, @sequence, @documentNumber, @postingDate, @period, 'pending', @position, 0, @position, @requestedAt, @updatedAt)
         ON CONFLICT (export_id) DO NOTHING`,
      ),
      settle: this.db.prepare(
        `UPDATE erp_exports SET status = @status, status_position = @position, attempts = MAX(attempts, COALESCE(@attempts, attempts)),
           reason = @reason, missing = @missing, last_error = @error,
           erp_document_number = COALESCE(@erpDocumentNumber, erp_document_number), payload_hash = COALESCE(@payloadHash, payload_hash),
           exported_at = CASE WHEN @status = 'exported' THEN @at ELSE exported_at END, next_attempt_at = NULL, updated_at = @at
         WHERE export_id = @exportId AND status_position < @position`,
      ),
      release: this.db.prepare(`UPDATE erp_exports SET claimed_until = NULL WHERE export_id = ?`),
      unblock: this.db.prepare(
        `UPDATE erp_exports SET status = 'pending', status_position = @position, attempt_base = attempts, next_attempt_at = NULL, updated_at = @at
         WHERE status = 'blocked' AND status_position < @position`,
      ),
      dirty: this.db.prepare(
        `INSERT INTO erp_export_dirty (stream_id, position) VALUES (?, ?)
         ON CONFLICT (stream_id) DO UPDATE SET position = MAX(position, excluded.position)`,
      ),
      checkpoint: this.db.prepare('INSERT INTO erp_export_checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position'),
      claim: this.db.prepare(
        `UPDATE erp_exports SET attempts = attempts + 1, claimed_until = ?, updated_at = ?
         WHERE export_id = ? AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= ?)
         RETURNING attempts, attempt_base`,
      ),
      dirtyOrders: this.db.prepare(
        `SELECT stream_id, position FROM erp_export_dirty
         WHERE position <= @max AND (position > @afterPos OR (position = @afterPos AND stream_id > @afterStream))
         ORDER BY position, stream_id LIMIT @limit`,
      ),
      clean: this.db.prepare('DELETE FROM erp_export_dirty WHERE stream_id = ? AND position <= ?'),
      retry: this.db.prepare(`UPDATE erp_exports SET last_error = ?, next_attempt_at = ?, claimed_until = NULL, updated_at = ? WHERE export_id = ? AND status = 'pending'`),
      nextWake: this.db.prepare(`SELECT MIN(next_attempt_at) AS at FROM erp_exports WHERE status = 'pending'`),
      counts: this.db.prepare('SELECT status, COUNT(*) AS n FROM erp_exports GROUP BY status'),
      checkpointGet: this.db.prepare('SELECT position FROM erp_export_checkpoint WHERE id = 1'),
      due: this.db.prepare(
        `SELECT * FROM erp_exports e
         WHERE e.status = 'pending' AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= @now) AND (e.claimed_until IS NULL OR e.claimed_until <= @now)
           AND NOT EXISTS (SELECT 1 FROM erp_exports p WHERE p.stream_id = e.stream_id AND p.position < e.position AND p.status <> 'exported')
         ORDER BY e.position LIMIT @limit`,
      ),
    };
    const applyOutcome = (o: ErpExportOutcome) => {
      this.stmt.settle.run({
        exportId: o.exportId,
        position: encodePosition(o.position),
        status: o.status,
        at: o.at,
        attempts: o.attempts ?? null,
        reason: o.status === 'exported' ? null : (o.reason ?? null),
        missing: o.status === 'exported' || !o.missing ? null : JSON.stringify(o.missing),
        error: o.status === 'exported' ? null : (o.error ?? null),
        erpDocumentNumber: o.erpDocumentNumber ?? null,
        payloadHash: o.payloadHash ?? null,
      });
    };
    this.advanceTx = this.db.transaction((position, changes) => {
      for (const e of changes.requested) this.stmt.insert.run(rowParams(e));
      for (const o of changes.outcomes) applyOutcome(o);
      for (const d of changes.dirty) this.stmt.dirty.run(d.streamId, encodePosition(d.position));
      if (changes.mappingsChangedAt !== undefined) this.stmt.unblock.run({ position: encodePosition(changes.mappingsChangedAt), at: new Date().toISOString() });
      this.stmt.checkpoint.run(encodePosition(position));
    });
    this.settleTx = this.db.transaction((o: ErpExportOutcome) => {
      applyOutcome(o);
      this.stmt.release.run(o.exportId);
    });
    this.claimTx = this.db.transaction((ids: readonly string[], now: string, until: string) => {
      const out = new Map<string, { attempt: number; budgetUsed: number }>();
      for (const id of ids) {
        const row = this.stmt.claim.get(until, now, id, now) as { attempts: number; attempt_base: number } | undefined;
        if (row) out.set(id, { attempt: row.attempts, budgetUsed: row.attempts - row.attempt_base });
      }
      return out;
    });
  }

  private readonly settleTx: Database.Transaction<(o: ErpExportOutcome) => void>;
  private readonly claimTx: Database.Transaction<(ids: readonly string[], now: string, until: string) => Map<string, { attempt: number; budgetUsed: number }>>;

  async checkpoint(): Promise<bigint> {
    const row = this.stmt.checkpointGet.get() as { position: string } | undefined;
    return row ? BigInt(row.position) : 0n;
  }

  async advance(position: bigint, changes: IndexChanges): Promise<void> {
    if (this.synchronous === 'NORMAL') {
      this.advanceTx(position, changes);
      return;
    }
    this.db.pragma('synchronous = NORMAL');
    try {
      this.advanceTx(position, changes);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  async dirtyOrders(options: { after?: { position: bigint; streamId: string }; maxPosition: bigint; limit: number }): Promise<DirtyOrder[]> {
    const after = options.after;
    const rows = this.stmt.dirtyOrders.all({ max: encodePosition(options.maxPosition), afterPos: after ? encodePosition(after.position) : '', afterStream: after?.streamId ?? '', limit: options.limit }) as { stream_id: string; position: string }[];
    return rows.map((r) => ({ streamId: r.stream_id, position: BigInt(r.position) }));
  }

  async clean(streamId: string, position: bigint): Promise<void> {
    this.stmt.clean.run(streamId, encodePosition(position));
  }

  async addRequested(entries: readonly ErpExportEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.db.transaction(() => entries.forEach((e) => this.stmt.insert.run(rowParams(e))))();
  }

  async due(nowIso: string, limit: number): Promise<ErpExportEntry[]> {
    return (this.stmt.due.all({ now: nowIso, limit }) as Row[]).map(toEntry);
  }

  async claim(exportIds: readonly string[], nowIso: string, untilIso: string): Promise<Map<string, { attempt: number; budgetUsed: number }>> {
    return this.claimTx(exportIds, nowIso, untilIso);
  }

  async recordRetry(exportId: string, error: string, nextAttemptAt: string, at: string): Promise<void> {
    this.stmt.retry.run(error, nextAttemptAt, at, exportId);
  }

  async settle(outcome: ErpExportOutcome): Promise<void> {
    this.settleTx(outcome);
  }

  async releaseClaims(at: string): Promise<number> {
    return this.db.prepare(`UPDATE erp_exports SET claimed_until = NULL, updated_at = ? WHERE claimed_until IS NOT NULL AND status = 'pending'`).run(at).changes;
  }

  async unblockConfigured(at: string): Promise<number> {
    return this.db
      .prepare(
        `UPDATE erp_exports SET status = 'pending', attempt_base = attempts, next_attempt_at = NULL, updated_at = ?
         WHERE status = 'blocked' AND (missing LIKE '%"fee_account"%' OR missing LIKE '%"discount_account"%')`,
      )
      .run(at).changes;
  }

  async reopenFailed(at: string): Promise<number> {
    return this.db.prepare(`UPDATE erp_exports SET status = 'pending', attempt_base = attempts, next_attempt_at = NULL, claimed_until = NULL, updated_at = ? WHERE status = 'failed'`).run(at).changes;
  }

  async nextWakeAt(): Promise<string | undefined> {
    const row = this.stmt.nextWake.get() as { at: string | null };
    return row.at ?? undefined;
  }

  async counts(): Promise<Record<ErpExportStatus, number>> {
    const out: Record<ErpExportStatus, number> = { pending: 0, blocked: 0, exported: 0, failed: 0 };
    for (const r of this.stmt.counts.all() as { status: ErpExportStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  async list(options: { status?: ErpExportStatus; period?: string; orderId?: string; after?: bigint; limit: number }): Promise<ErpExportPage> {
    const where = ['position > @after'];
    if (options.status) where.push('status = @status');
    if (options.period) where.push('period = @period');
    if (options.orderId) where.push('order_id = @orderId');
    const rows = this.db
      .prepare(`SELECT * FROM erp_exports WHERE ${where.join(' AND ')} ORDER BY position LIMIT @limit`)
      .all({ after: encodePosition(options.after ?? 0n), status: options.status ?? null, period: options.period ?? null, orderId: options.orderId ?? null, limit: options.limit + 1 }) as Row[];
    const entries = rows.slice(0, options.limit).map(toEntry);
    return { entries, ...(rows.length > options.limit ? { nextAfter: entries[entries.length - 1]!.position } : {}) };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function rowParams(e: ErpExportEntry) {
  return {
    exportId: e.exportId,
    streamId: e.streamId,
    orderId: e.orderId,
    documentKind: e.documentKind,
    category: e.category,
    sequence: e.sequence,
    documentNumber: e.documentNumber,
    postingDate: e.postingDate,
    period: e.period,
    position: encodePosition(e.position),
    requestedAt: e.requestedAt,
    updatedAt: e.updatedAt,
  };
}
