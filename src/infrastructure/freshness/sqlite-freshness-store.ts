import Database from 'better-sqlite3';
import type { FreshnessState } from '../../application/freshness/freshness.tracker';

/**
 * The freshness projection's state and checkpoint in one row of `<dataDir>/freshness.db`, written in
 * one statement, so after a crash state and checkpoint always belong together (the tail after the
 * checkpoint is folded again on start).
 */
export class SqliteFreshnessStore {
  private readonly db: Database.Database;

  constructor(filename: string, synchronous: 'FULL' | 'NORMAL' = 'FULL') {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.exec('CREATE TABLE IF NOT EXISTS freshness_state (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT NOT NULL, state TEXT NOT NULL)');
  }

  load(): FreshnessState | undefined {
    const row = this.db.prepare('SELECT state FROM freshness_state WHERE id = 1').get() as { state: string } | undefined;
    return row ? (JSON.parse(row.state) as FreshnessState) : undefined;
  }

  save(state: FreshnessState): void {
    this.db.prepare('INSERT INTO freshness_state (id, position, state) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position, state = excluded.state').run(state.position, JSON.stringify(state));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
