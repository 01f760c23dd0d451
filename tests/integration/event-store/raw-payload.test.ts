import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import type { EventData } from '../../../src/application/ports/event-store.port';
import { rememberSourceText } from '../../../src/infrastructure/event-store/source-text';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { tempDir } from '../../support/temp-dir';

const fact = (n: number, data: unknown): EventData => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'Fact',
  data,
  metadata: { source: 'scayle', occurredAt: '2024-06-01T10:00:00Z', recordedAt: '2024-06-01T10:00:00Z', schemaVersion: 1 },
});

type Row = { data: string; raw: string | null };

for (const writerThread of [false, true]) {
  describe(`SQLite event log: a source fact's raw payload is stored apart from the rest of its data${writerThread ? ' (writer thread)' : ''}`, () => {
    const dir = tempDir();
    const file = join(dir.path, 'events.db');
    let store: SqliteEventStore;
    let db: Database.Database;
    const row = (id: string): Row => db.prepare<[string], Row>('SELECT data, raw FROM events WHERE event_id = ?').get(id)!;
    before(() => {
      store = new SqliteEventStore({ filename: file, writerThread });
      db = new Database(file, { readonly: true });
    });
    after(async () => {
      db.close();
      await store.close();
      dir.remove();
    });

    it('data ending in raw: raw in events.raw, the rest in data; read back equal, in the same member order', async () => {
      const data = { order: { orderId: '901', gross: '13.90' }, webhookKey: 'k-1', raw: { key: 'k-1', payload: { id: 901, price: 1390 } } };
      const e = fact(1, data);
      await store.appendToStream('s-1', [e], { expectedRevision: 'no_stream' });
      expect(row(e.id)).to.deep.equal({ data: '{"order":{"orderId":"901","gross":"13.90"},"webhookKey":"k-1"}', raw: '{"key":"k-1","payload":{"id":901,"price":1390}}' });
      const [read] = await store.readStream('s-1');
      expect(read!.data).to.deep.equal(data);
      expect(Object.keys(read!.data as object)).to.deep.equal(['order', 'webhookKey', 'raw']);
      expect(JSON.stringify(read!.data)).to.equal(JSON.stringify(data));
    });

    it('raw elsewhere than last, or data that is not a plain object, is stored whole as before', async () => {
      const notLast = fact(2, { raw: 'text as sent', quantisedAmounts: [] });
      const list = fact(3, [{ raw: 1 }]);
      const undefinedRaw = fact(4, { n: 4, raw: undefined });
      await store.appendToStream('s-2', [notLast, list, undefinedRaw], { expectedRevision: 'no_stream' });
      expect(row(notLast.id)).to.deep.equal({ data: '{"raw":"text as sent","quantisedAmounts":[]}', raw: null });
      expect(row(list.id)).to.deep.equal({ data: '[{"raw":1}]', raw: null });
      expect(row(undefinedRaw.id)).to.deep.equal({ data: '{"n":4}', raw: null });
      expect((await store.readStream('s-2')).map((r) => r.data)).to.deep.equal([{ raw: 'text as sent', quantisedAmounts: [] }, [{ raw: 1 }], { n: 4 }]);
    });

    it("a raw payload whose received text is known is stored as that text: the sender's spelling of numbers and its spacing", async () => {
      const text = '{ "key": "k-5",  "payload": {"amount": 1.50, "big": 12345678901234567890, "name": "caf\\u00e9"} }\n';
      const body = JSON.parse(text) as unknown;
      rememberSourceText(body, Buffer.from(text, 'utf8'));
      const e = fact(5, { webhookKey: 'k-5', raw: body });
      await store.appendToStream('s-5', [e], { expectedRevision: 'no_stream' });
      expect(row(e.id).raw).to.equal(text);
      const [read] = await store.readStream('s-5');
      expect((read!.data as { raw: unknown }).raw).to.deep.equal(body);
    });

    it('a raw string (a CSV or Business Central text) goes apart too, as JSON text', async () => {
      const e = fact(6, { batchId: 'b-1', raw: 'a;b\n1;2\n' });
      await store.appendToStream('s-6', [e], { expectedRevision: 'no_stream' });
      expect(row(e.id)).to.deep.equal({ data: '{"batchId":"b-1"}', raw: '"a;b\\n1;2\\n"' });
      expect((await store.readStream('s-6'))[0]!.data).to.deep.equal({ batchId: 'b-1', raw: 'a;b\n1;2\n' });
    });
  });
}

describe('SQLite event log: a log file from before events.raw', () => {
  const dir = tempDir();
  const file = join(dir.path, 'events.db');
  after(() => dir.remove());

  it('gains the column when opened; its rows read as before and new rows store raw apart', async () => {
    const old = new Database(file);
    old.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (stream_id, revision))`);
    const before = fact(7, { webhookKey: 'k-7', raw: { payload: { id: 7 } } });
    old.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, created) VALUES (?, ?, 0, ?, ?, ?, ?)').run(before.id, 's-7', before.type, JSON.stringify(before.data), JSON.stringify(before.metadata), '2024-06-01T10:00:01.000Z');
    old.close();
    const store = new SqliteEventStore({ filename: file });
    try {
      const after = fact(8, { webhookKey: 'k-8', raw: { payload: { id: 8 } } });
      await store.appendToStream('s-7', [after], { expectedRevision: 0n });
      expect((await store.readStream('s-7')).map((e) => e.data)).to.deep.equal([before.data, after.data]);
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT raw FROM events ORDER BY position').all()).to.deep.equal([{ raw: null }, { raw: '{"payload":{"id":8}}' }]);
      db.close();
    } finally {
      await store.close();
    }
  });
});
