import { expect } from 'chai';
import { ReadModelQueries } from '../../../src/application/read-models/read-model.queries';
import { historyPageId, ORDER_HISTORY, type OrderHistoryPageDoc } from '../../../src/projections/order-history.projection';
import { buildRunner, fixedClock, hashReadModels, openStores } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';

const STREAM = 'order-msde-DE-4711';

/** `n` unmodelled webhooks (the history lists them; the reconciliation ignores them) from revision `from`. */
const webhooks = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`,
    type: 'ScayleWebhookReceived',
    data: { webhookKey: `wh-${from + i}`, scayleEventType: 'order-returned-notice' },
    metadata: { source: 'scayle' as const, sourceEventId: `wh-${from + i}`, occurredAt: '2024-05-02T10:00:00Z', recordedAt: '2024-05-02T10:00:00Z', schemaVersion: 1 },
  }));

describe('order history read model (pages of 50 revisions)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let stores: ReturnType<typeof openStores>;
  beforeEach(async () => {
    dir = tempDir();
    stores = openStores(dir.path);
    await stores.events.appendToStream(STREAM, webhooks(0, 30), { expectedRevision: 'no_stream' });
    await stores.events.appendToStream(STREAM, webhooks(30, 90), { expectedRevision: 29n });
  });
  afterEach(async () => {
    await stores.events.close();
    await stores.store.close();
    dir.remove();
  });

  it('keeps every event once, in revision order, in pages <streamId>/<page>, whatever the batches', async () => {
    await buildRunner(stores.events, stores.store, { batchSize: 7 }).catchUp();
    const pages = await stores.store.find<OrderHistoryPageDoc>(ORDER_HISTORY, { filter: { streamId: STREAM }, sort: [{ field: 'page', direction: 'asc', type: 'number' }], limit: 10 });
    expect(pages.items.map((p) => [p._id, p.doc.page, p.doc.entries.length])).to.deep.equal([
      [historyPageId(STREAM, 0), 0, 50],
      [historyPageId(STREAM, 1), 1, 50],
      [historyPageId(STREAM, 2), 2, 20],
    ]);
    expect(pages.items.flatMap((p) => p.doc.entries.map((e) => e.revision))).to.deep.equal(Array.from({ length: 120 }, (_, i) => i));
    expect(pages.items[2]!.position).to.equal(120n);
    const oneBatch = openStores(dir.path, 'one-batch.db');
    try {
      await buildRunner(oneBatch.events, oneBatch.store, { batchSize: 500 }).catchUp();
      expect(await hashReadModels(oneBatch.store, [ORDER_HISTORY])).to.equal(await hashReadModels(stores.store, [ORDER_HISTORY]));
    } finally {
      await oneBatch.events.close();
      await oneBatch.store.close();
    }
  });

  it('is listed page by page with a cursor naming the last revision; a foreign cursor is refused', async () => {
    await buildRunner(stores.events, stores.store).catchUp();
    const queries = new ReadModelQueries(stores.store, fixedClock);
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queries.orderHistory(STREAM, { limit: 45, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => Number(e.revision)));
      expect(page.items.every((e) => e.streamId === STREAM && typeof e.position === 'string')).to.equal(true);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(Array.from({ length: 120 }, (_, i) => i));
    const exact = await queries.orderHistory(STREAM, { limit: 120 });
    expect(exact.items).to.have.length(120);
    expect(exact.nextCursor).to.equal(undefined);
    expect((await queries.orderHistory('order-msde-DE-none', { limit: 10 })).items).to.deep.equal([]);
    for (const bad of ['nope', Buffer.from('{"afterRevision":-1}').toString('base64url'), Buffer.from('{"after":3}').toString('base64url')]) {
      await queries.orderHistory(STREAM, { limit: 10, cursor: bad }).then(
        () => expect.fail(`cursor ${bad} was taken`),
        (err: { code?: string; field?: string }) => expect([err.code, err.field]).to.deep.equal(['invalid_cursor', 'cursor']),
      );
    }
  });
});
