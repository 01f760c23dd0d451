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

  it('is listed page by page after the last revision of the previous page (no cursor: the HTTP layer signs one from it)', async () => {
    await buildRunner(stores.events, stores.store).catchUp();
    const queries = new ReadModelQueries(stores.store, fixedClock);
    const seen: number[] = [];
    const lasts: number[] = [];
    let afterRevision: number | undefined;
    do {
      const page = await queries.orderHistory(STREAM, { limit: 45, ...(afterRevision !== undefined ? { afterRevision } : {}) });
      seen.push(...page.items.map((e) => Number(e.revision)));
      expect(page.items.every((e) => e.streamId === STREAM && typeof e.position === 'string')).to.equal(true);
      afterRevision = page.nextAfterRevision;
      if (afterRevision !== undefined) lasts.push(afterRevision);
    } while (afterRevision !== undefined);
    expect(lasts).to.deep.equal([44, 89]);
    expect(seen).to.deep.equal(Array.from({ length: 120 }, (_, i) => i));
    const exact = await queries.orderHistory(STREAM, { limit: 120 });
    expect(exact.items).to.have.length(120);
    expect(exact.nextAfterRevision).to.equal(undefined);
    expect((await queries.orderHistory(STREAM, { limit: 10, afterRevision: 115 })).items.map((e) => Number(e.revision))).to.deep.equal([116, 117, 118, 119]);
    expect((await queries.orderHistory('order-msde-DE-none', { limit: 10 })).items).to.deep.equal([]);
  });
});
