import { join } from 'node:path';
import { expect } from 'chai';
import type { ErpExportEntry } from '../../../src/application/ports/erp-export-store.port';
import { SqliteErpExportStore } from '../../../src/infrastructure/erp-export/sqlite-erp-export-store';
import { tempDir } from '../../support/temp-dir';

const entry = (exportId: string, streamId: string, position: bigint, extra: Partial<ErpExportEntry> = {}): ErpExportEntry => ({
  exportId,
  streamId,
  orderId: streamId.split('-').pop()!,
  documentKind: 'invoice',
  category: 'sale',
  sequence: 1,
  documentNumber: `${streamId.split('-').pop()}-INV1`,
  postingDate: '2024-05-02',
  period: '2024-05',
  status: 'pending',
  attempts: 0,
  position,
  requestedAt: '2024-05-02T12:00:00Z',
  updatedAt: '2024-05-02T12:00:00Z',
  ...extra,
});
const NOW = '2024-05-02T12:00:00.000Z';
const LATER = '2024-05-02T13:00:00.000Z';
const none = { requested: [], outcomes: [], dirty: [] };

describe('SQLite export index', () => {
  const dir = tempDir();
  let store: SqliteErpExportStore;
  beforeEach(() => {
    store = new SqliteErpExportStore(join(dir.path, `idx-${Math.random().toString(36).slice(2)}.db`), 'NORMAL');
  });
  afterEach(() => store.close());
  after(() => dir.remove());

  it('sends an order\'s documents one at a time, in log order, and never hands one entry to two holders', async () => {
    await store.addRequested([entry('a1', 'order-s-DE-1', 10n), entry('b1', 'order-s-DE-2', 11n), entry('a2', 'order-s-DE-1', 12n, { sequence: 2, documentNumber: '1-INV2' })]);
    expect((await store.due(NOW, 10)).map((e) => e.exportId)).to.deep.equal(['a1', 'b1']);
    const first = await store.claim(['a1', 'b1'], NOW, LATER);
    expect([...first]).to.deep.equal([['a1', { attempt: 1, budgetUsed: 1 }], ['b1', { attempt: 1, budgetUsed: 1 }]]);
    expect((await store.claim(['a1'], NOW, LATER)).size, 'held').to.equal(0);
    expect(await store.due(NOW, 10), 'held entries are not due').to.deep.equal([]);
    await store.settle({ exportId: 'a1', position: 20n, status: 'exported', at: NOW, erpDocumentNumber: 'PS-1', payloadHash: 'h' });
    expect((await store.due(NOW, 10)).map((e) => e.exportId)).to.deep.equal(['a2']);
    await store.recordRetry('b1', 'HTTP 503', LATER, NOW);
    expect((await store.due(NOW, 10)).map((e) => e.exportId)).to.deep.equal(['a2']);
    expect((await store.due(LATER, 10)).map((e) => e.exportId)).to.deep.equal(['b1', 'a2']);
    expect(await store.nextWakeAt()).to.equal(LATER);
    expect((await store.claim(['b1'], LATER, LATER)).get('b1')).to.deep.equal({ attempt: 2, budgetUsed: 2 });
  });

  it('an older outcome never overwrites a newer one; a mapping change unblocks what a missing mapping blocked before it', async () => {
    await store.addRequested([entry('a1', 'order-s-DE-1', 10n)]);
    await store.advance(30n, { ...none, outcomes: [{ exportId: 'a1', position: 30n, status: 'blocked', at: NOW, reason: 'mapping_missing', missing: [{ kind: 'discount_account' }], error: 'x' }] });
    await store.advance(31n, { ...none, outcomes: [{ exportId: 'a1', position: 25n, status: 'failed', at: NOW, reason: 'rejected' }] });
    const [blocked] = (await store.list({ limit: 10 })).entries;
    expect(blocked).to.deep.include({ status: 'blocked', reason: 'mapping_missing', missing: [{ kind: 'discount_account' }] });
    await store.advance(29n, { ...none, mappingsChangedAt: 29n });
    expect((await store.counts()).blocked, 'a change before the block does not unblock').to.equal(1);
    await store.advance(40n, { ...none, mappingsChangedAt: 40n });
    expect(await store.counts()).to.deep.equal({ pending: 1, blocked: 0, exported: 0, failed: 0 });
    expect(await store.checkpoint()).to.equal(40n);
  });

  it('re-opens failed entries (and configuration-blocked ones at start) with a fresh attempt budget', async () => {
    await store.addRequested([entry('a1', 'order-s-DE-1', 10n), entry('b1', 'order-s-DE-2', 11n), entry('c1', 'order-s-DE-3', 12n)]);
    await store.claim(['a1', 'b1', 'c1'], NOW, LATER);
    await store.settle({ exportId: 'a1', position: 20n, status: 'failed', at: NOW, attempts: 1, reason: 'unavailable' });
    await store.settle({ exportId: 'b1', position: 21n, status: 'blocked', at: NOW, attempts: 1, reason: 'mapping_missing', missing: [{ kind: 'fee_account', category: 'delivery' }] });
    await store.settle({ exportId: 'c1', position: 22n, status: 'blocked', at: NOW, attempts: 1, reason: 'mapping_missing', missing: [{ kind: 'item', variantReferenceKey: 'V', itemIds: ['1'] }] });
    expect(await store.reopenFailed(NOW)).to.equal(1);
    expect(await store.unblockConfigured(NOW)).to.equal(1);
    expect((await store.list({ status: 'blocked', limit: 10 })).entries.map((e) => e.exportId)).to.deep.equal(['c1']);
    expect((await store.claim(['a1'], NOW, LATER)).get('a1')).to.deep.equal({ attempt: 2, budgetUsed: 1 });
  });

  it('marks orders for planning and forgets a mark only up to the position planned', async () => {
    await store.advance(5n, { ...none, dirty: [{ streamId: 'order-s-DE-1', position: 3n }, { streamId: 'order-s-DE-2', position: 4n }, { streamId: 'order-s-DE-1', position: 5n }] });
    expect(await store.dirtyOrders({ maxPosition: 10n, limit: 10 })).to.deep.equal([{ streamId: 'order-s-DE-2', position: 4n }, { streamId: 'order-s-DE-1', position: 5n }]);
    expect(await store.dirtyOrders({ maxPosition: 4n, limit: 10 })).to.deep.equal([{ streamId: 'order-s-DE-2', position: 4n }]);
    expect(await store.dirtyOrders({ after: { position: 4n, streamId: 'order-s-DE-2' }, maxPosition: 10n, limit: 10 })).to.deep.equal([{ streamId: 'order-s-DE-1', position: 5n }]);
    await store.clean('order-s-DE-1', 4n);
    expect((await store.dirtyOrders({ maxPosition: 10n, limit: 10 })).length, 'renewed after 4').to.equal(2);
    await store.clean('order-s-DE-1', 5n);
    expect(await store.dirtyOrders({ maxPosition: 10n, limit: 10 })).to.deep.equal([{ streamId: 'order-s-DE-2', position: 4n }]);
  });

  it('keeps positions beyond 64 bits (EventStoreDB) in order; lists by status, period and order with a cursor', async () => {
    const big = (1n << 70n) + 5n;
    await store.addRequested([entry('a1', 'order-s-DE-1', big), entry('b1', 'order-s-DE-2', big + 1n, { period: '2024-06', postingDate: '2024-06-01' }), entry('c1', 'order-s-DE-3', big + 2n)]);
    const page = await store.list({ limit: 2 });
    expect(page.entries.map((e) => e.position)).to.deep.equal([big, big + 1n]);
    expect(page.nextAfter).to.equal(big + 1n);
    expect((await store.list({ limit: 2, after: page.nextAfter! })).entries.map((e) => e.exportId)).to.deep.equal(['c1']);
    expect((await store.list({ period: '2024-06', limit: 10 })).entries.map((e) => e.exportId)).to.deep.equal(['b1']);
    expect((await store.list({ orderId: '3', limit: 10 })).entries.map((e) => e.exportId)).to.deep.equal(['c1']);
  });

  it('with FULL durability, an index advance (derived from the log, with its checkpoint) commits without a WAL sync and FULL is back for what is not derived', async () => {
    const full = new SqliteErpExportStore(join(dir.path, `full-${Math.random().toString(36).slice(2)}.db`), 'FULL');
    try {
      const db = (full as unknown as { db: { pragma(sql: string, o: { simple: true }): number } }).db;
      const stmt = (full as unknown as { stmt: { checkpoint: { run(...a: unknown[]): unknown } } }).stmt;
      const seen: number[] = [];
      const run = stmt.checkpoint.run.bind(stmt.checkpoint);
      stmt.checkpoint.run = (...a: unknown[]) => {
        seen.push(db.pragma('synchronous', { simple: true }));
        return run(...a);
      };
      await full.advance(5n, { ...none, requested: [entry('f1', 'order-s-DE-9', 5n)] });
      expect(seen, 'inside the advance: NORMAL (1)').to.deep.equal([1]);
      expect(db.pragma('synchronous', { simple: true }), 'after it: FULL (2)').to.equal(2);
      expect(await full.checkpoint()).to.equal(5n);
      stmt.checkpoint.run = () => {
        throw new Error('disk full');
      };
      let failure: unknown;
      await full.advance(6n, none).catch((err: unknown) => (failure = err));
      expect(String(failure)).to.contain('disk full');
      expect(db.pragma('synchronous', { simple: true }), 'restored after a failed advance too').to.equal(2);
      expect(await full.checkpoint()).to.equal(5n);
    } finally {
      full.close();
    }
  });

  it('releaseClaims at start frees the claims of a process that died mid-export (trial: they waited out a 51-minute lease); the next claim counts a second attempt, so the ERP is read back first', async () => {
    await store.addRequested([entry('c1', 'order-s-DE-7', 10n), entry('c2', 'order-s-DE-8', 11n)]);
    expect([...(await store.claim(['c1', 'c2'], NOW, '2024-05-02T13:00:00.000Z')).values()].map((c) => c.attempt)).to.deep.equal([1, 1]);
    await store.settle({ exportId: 'c2', position: 20n, status: 'exported', at: NOW, erpDocumentNumber: 'ERP-8' });
    // The process dies here; a new one starts before the lease ends.
    const restartedAt = '2024-05-02T12:05:00.000Z';
    expect(await store.due(restartedAt, 10)).to.deep.equal([]);
    expect(await store.releaseClaims(restartedAt)).to.equal(1);
    expect((await store.due(restartedAt, 10)).map((e) => e.exportId)).to.deep.equal(['c1']);
    expect((await store.claim(['c1'], restartedAt, '2024-05-02T14:00:00.000Z')).get('c1')).to.deep.equal({ attempt: 2, budgetUsed: 2 });
  });
});
