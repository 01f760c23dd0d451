import { expect } from 'chai';
import { v5 as uuidv5 } from 'uuid';
import { schemaVersionOf } from '../../../src/domain/event-schema/ledger-upcasters';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../../src/domain/shared/ids';
import type { ExceptionDoc } from '../../../src/projections/exception-queue';
import type { ReconciliationDoc } from '../../../src/projections/reconciliation.projection';
import { appendErpInvoice, orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { historyPageId, ORDER_HISTORY, type OrderHistoryPageDoc } from '../../../src/projections/order-history.projection';
import { ALL_COLLECTIONS, buildRunner, hashReadModels, openStores } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';

describe('projection runner and read models', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let stores: ReturnType<typeof openStores>;
  beforeEach(() => {
    dir = tempDir();
    stores = openStores(dir.path);
  });
  afterEach(async () => {
    await stores.events.close();
    await stores.store.close();
    dir.remove();
  });

  async function seedTwoOrders(): Promise<{ matched: string; drift: string }> {
    const a = orderSnapshot('1001');
    const matched = await seedOrder(stores.events, a);
    await appendErpInvoice(stores.events, matched, a);
    const b = orderSnapshot('1002');
    const drift = await seedOrder(stores.events, b);
    // The ERP billed the first item 10.00 short.
    await appendErpInvoice(stores.events, drift, { ...b, items: [{ ...b.items[0]!, gross: '109.00', net: '91.60', tax: '17.40' }, b.items[1]!] });
    return { matched, drift };
  }

  it('projects reconciliations, exceptions, period summaries and history from the log', async () => {
    const { matched, drift } = await seedTwoOrders();
    const runner = buildRunner(stores.events, stores.store);
    await runner.catchUp();
    const ok = (await stores.store.get<ReconciliationDoc>('reconciliations', matched))!;
    expect(ok.doc).to.include({ orderId: '1001', shopKey: 'msde', countryCode: 'DE', status: 'matched', period: '2024-05' });
    expect(ok.doc.findings).to.deep.equal([]);
    expect(ok.position).to.equal(3n);
    const bad = (await stores.store.get<ReconciliationDoc>('reconciliations', drift))!;
    expect(bad.doc.status).to.equal('drift');
    expect(bad.doc.findingCodes).to.include('AMOUNT_MISMATCH');
    expect(bad.doc.exceptionIds.length).to.be.greaterThan(0);
    const exceptions = await stores.store.find<ExceptionDoc>('exceptions', { filter: { status: 'open' }, limit: 50 });
    expect(exceptions.items.map((e) => e._id)).to.deep.equal([...bad.doc.exceptionIds].sort());
    const ex = exceptions.items.find((e) => e.doc.code === 'AMOUNT_MISMATCH')!;
    expect(ex.doc).to.include({ streamId: drift, owner: 'finance', severity: 'error', status: 'open', occurrences: 1, openedAt: '2024-05-02T13:00:00Z' });
    expect(ex.doc.dueAt).to.equal('2024-05-05T13:00:00.000Z');
    expect((ex.doc.finding as { delta?: unknown }).delta).to.not.equal(undefined);
    const summary = (await stores.store.get('period_summaries', '2024-05'))!.doc as { orders: number; byStatus: Record<string, number>; totals: { scayle: Record<string, Record<string, { gross: string }>> } };
    expect(summary.orders).to.equal(2);
    expect(summary.byStatus).to.deep.equal({ drift: 1, matched: 1 });
    expect(summary.totals.scayle.EUR!.items!.gross).to.equal('357.00');
    const history = (await stores.store.get<OrderHistoryPageDoc>(ORDER_HISTORY, historyPageId(matched, 0)))!;
    expect(history.doc.entries.map((h) => h.type)).to.deep.equal(['ScayleOrderConfirmed', 'ScaylePaymentCaptured', 'ErpInvoicePosted']);
    expect(history.doc.entries[0]).to.include({ source: 'scayle', occurredAt: '2024-05-02T10:00:00Z', revision: 0, position: '1' });
    expect(history.position).to.equal(history.doc.entries.map((h) => BigInt(h.position)).reduce((a, b) => (b > a ? b : a)));
    const status = await runner.status();
    expect(status.map((s) => [s.name, s.checkpoint, s.head, s.lagEvents, s.caughtUp])).to.deep.equal([
      ['reconciliation', 6n, 6n, 0, true],
      ['order-history', 6n, 6n, 0, true],
    ]);
  });

  it('auto-resolves an exception when the drift disappears', async () => {
    const { drift } = await seedTwoOrders();
    const runner = buildRunner(stores.events, stores.store);
    await runner.catchUp();
    const id = (await stores.store.get<ReconciliationDoc>('reconciliations', drift))!.doc.exceptionIds.find((x) => x.includes('AMOUNT_MISMATCH'))!;
    const b = orderSnapshot('1002');
    const fixed = { documentType: 'invoice', documentNumber: 'INV-1002', revision: 2, status: 'posted', orderReference: '1002', postingDate: '2024-05-02', documentDate: '2024-05-02', currency: 'EUR', pricesIncludeTax: false, totals: { net: b.cost.net, tax: b.cost.tax, gross: b.cost.gross }, lines: [...b.items.map((it, i) => ({ lineNumber: i + 1, kind: 'item', orderItemIds: [it.itemId], quantity: '1', net: it.net, tax: it.tax, gross: it.gross, taxCode: 'DE19', taxRate: it.taxRate })), { lineNumber: 100, kind: 'shipping', quantity: '1', net: '4.16', tax: '0.79', gross: '4.95', taxCode: 'DE19', taxRate: '0.19' }] };
    const meta = { source: 'erp' as const, sourceEventId: 'INV-1002:2', occurredAt: '2024-05-03T08:00:00Z', recordedAt: '2024-05-03T08:00:00Z', schemaVersion: 2 };
    await stores.events.appendToStream(drift, [{ id: uuidv5(sourceEventName('erp', 'INV-1002:2', 'ErpInvoicePosted'), LEDGER_EVENT_NAMESPACE), type: 'ErpInvoicePosted', data: { document: fixed, quantisedAmounts: [] }, metadata: meta }], { expectedRevision: 'any' });
    await runner.catchUp();
    const ex = (await stores.store.get<ExceptionDoc>('exceptions', id))!.doc;
    expect(ex.status).to.equal('auto_resolved');
    expect(ex.history.map((h) => h.what)).to.deep.equal(['opened', 'auto_resolved']);
    expect((await stores.store.get<ReconciliationDoc>('reconciliations', drift))!.doc.status).to.equal('matched');
    const summary = (await stores.store.get('period_summaries', '2024-05'))!.doc as { byStatus: Record<string, number>; byFindingCode: Record<string, number> };
    expect(summary.byStatus).to.deep.equal({ matched: 2 });
    expect(summary.byFindingCode).to.deep.equal({});
  });

  it('folds human decisions on an exception', async () => {
    const { drift } = await seedTwoOrders();
    const runner = buildRunner(stores.events, stores.store);
    await runner.catchUp();
    const id = (await stores.store.get<ReconciliationDoc>('reconciliations', drift))!.doc.exceptionIds[0]!;
    const meta = { source: 'ledger' as const, occurredAt: '2024-05-04T09:00:00Z', recordedAt: '2024-05-04T09:00:00Z', schemaVersion: 1 };
    await stores.events.appendToStream(
      drift,
      [
        { id: uuidv5(`ack|${id}`, LEDGER_EVENT_NAMESPACE), type: 'ExceptionAcknowledged', data: { exceptionId: id, decidedAt: '2024-05-04T09:00:00Z', decidedBy: 'finance:k1' }, metadata: meta },
        { id: uuidv5(`assign|${id}`, LEDGER_EVENT_NAMESPACE), type: 'ExceptionAssigned', data: { exceptionId: id, decidedAt: '2024-05-04T09:00:00Z', decidedBy: 'finance:k1', assignee: 'anna' }, metadata: meta },
      ],
      { expectedRevision: 'any' },
    );
    await runner.catchUp();
    const ex = (await stores.store.get<ExceptionDoc>('exceptions', id))!.doc;
    expect(ex).to.include({ status: 'assigned', assignee: 'anna' });
    expect(ex.history.map((h) => h.what)).to.deep.equal(['opened', 'acknowledged', 'assigned']);
  });

  it('replaying the whole log twice gives byte-identical read models', async () => {
    await seedTwoOrders();
    const first = buildRunner(stores.events, stores.store, { batchSize: 2 });
    await first.catchUp();
    const again = openStores(dir.path, 'again.db');
    try {
      await buildRunner(stores.events, again.store, { batchSize: 2 }).catchUp();
      expect(await hashReadModels(again.store, ALL_COLLECTIONS)).to.equal(await hashReadModels(stores.store, ALL_COLLECTIONS));
    } finally {
      await again.events.close();
      await again.store.close();
    }
  });

  it('dead-letters a poison event as a SYNC_FAILURE exception and projects the events after it', async () => {
    const a = orderSnapshot('1003');
    const stream = await seedOrder(stores.events, a);
    await stores.events.appendToStream(
      stream,
      [{ id: uuidv5('poison', LEDGER_EVENT_NAMESPACE), type: 'ScaylePaymentRefunded', data: { orderId: '1003', transactionId: 't', operationStatus: 'successful', amount: '1.00', currency: 'EUR' }, metadata: { source: 'scayle', occurredAt: 'yesterday', recordedAt: '2024-05-02T14:00:00Z', schemaVersion: 1 } }],
      { expectedRevision: 'any' },
    );
    await appendErpInvoice(stores.events, stream, a);
    const runner = buildRunner(stores.events, stores.store, { batchSize: 1 });
    await runner.catchUp();
    const letters = await stores.store.listDeadLetters('reconciliation');
    expect(letters.map((d) => [d.position, d.eventType])).to.deep.equal([[3n, 'ScaylePaymentRefunded']]);
    expect(letters[0]!.error).to.match(/ISO-8601/);
    const doc = (await stores.store.get<ReconciliationDoc>('reconciliations', stream))!;
    expect(doc.position).to.equal(4n);
    expect(doc.doc.status).to.equal('matched');
    const ops = await stores.store.find<ExceptionDoc>('exceptions', { filter: { code: 'SYNC_FAILURE' }, limit: 10 });
    expect(ops.items.map((e) => [e._id, e.doc.owner, e.doc.status])).to.deep.equal([['projection-reconciliation/SYNC_FAILURE/order/3', 'operations', 'open']]);
    expect((await runner.status())[0]!.deadLetters).to.equal(1);
  });

  it('isolates a poison event that fails the batch preparation (not one unit): dead-letters it, projects the rest of the batch', async () => {
    await seedOrder(stores.events, orderSnapshot('1010'));
    // An ERP document with a posting date that does not exist, stored before ingestion refused such dates.
    const document = { documentType: 'invoice', documentNumber: 'INV-BAD', revision: 1, status: 'posted', orderReference: '1010', postingDate: '2582-33-16', documentDate: '2582-33-16', currency: 'EUR', pricesIncludeTax: false, totals: { net: '1.00', tax: '0.19', gross: '1.19' }, lines: [] };
    const bad = await stores.events.appendToStream(
      'erp-unlinked-INV-BAD',
      [{ id: uuidv5('poison-prepare', LEDGER_EVENT_NAMESPACE), type: 'ErpInvoicePosted', data: { document, quantisedAmounts: [] }, metadata: { source: 'erp', sourceEventId: 'INV-BAD:1', occurredAt: '2024-05-02T13:00:00Z', recordedAt: '2024-05-02T13:00:00Z', schemaVersion: schemaVersionOf('ErpInvoicePosted') } }],
      { expectedRevision: 'any' },
    );
    const b = orderSnapshot('1011');
    const good = await seedOrder(stores.events, b);
    await appendErpInvoice(stores.events, good, b);
    const runner = buildRunner(stores.events, stores.store);
    await runner.catchUp();
    const letters = await stores.store.listDeadLetters('reconciliation');
    expect(letters.map((d) => [d.position, d.eventType])).to.deep.equal([[bad.position, 'ErpInvoicePosted']]);
    expect((await stores.store.get<ReconciliationDoc>('reconciliations', good))!.doc.status).to.equal('matched');
    const head = await stores.events.headPosition();
    expect(runner.checkpoints().map((c) => c.position)).to.deep.equal(runner.checkpoints().map(() => head));
  });

  it('runs live: waits for a position and reports lag', async () => {
    const runner = buildRunner(stores.events, stores.store, { maxLatencyMs: 5 });
    await runner.start();
    try {
      const a = orderSnapshot('1004');
      const stream = await seedOrder(stores.events, a);
      const position = await appendErpInvoice(stores.events, stream, a);
      expect(await runner.waitForPosition(position, 5_000)).to.equal(true);
      expect((await stores.store.get<ReconciliationDoc>('reconciliations', stream))!.doc.status).to.equal('matched');
      expect(await runner.waitForPosition(position + 100n, 20)).to.equal(false);
      const [lag] = await runner.status();
      expect(lag).to.deep.include({ checkpoint: position, head: position, lagEvents: 0, lagSeconds: 0, caughtUp: true });
    } finally {
      await runner.stop();
    }
  });

  /**
   * Runs one batch of five orders with the given slice and answers, in order, whether an immediate
   * scheduled when the batch started (its first prefetch) ran before the batch's commit, plus what
   * was committed.
   */
  async function batchWithTimer(sliceMs: number): Promise<{ order: string[]; commits: { writes: number; checkpoints: [string, bigint][] }[] }> {
    for (let i = 0; i < 5; i++) await seedOrder(stores.events, orderSnapshot(String(2001 + i)));
    const order: string[] = [];
    const commits: { writes: number; checkpoints: [string, bigint][] }[] = [];
    const store = stores.store;
    const getMany = store.getMany.bind(store);
    const commit = store.commit.bind(store);
    store.getMany = (collection, ids) => {
      if (order.length === 0) {
        order.push('batch started');
        setImmediate(() => order.push('timer'));
      }
      return getMany(collection, ids);
    };
    store.commit = (writes, checkpoints) => {
      order.push('commit');
      commits.push({ writes: writes.length, checkpoints: (checkpoints ?? []).map((c) => [c.name, c.position]) });
      return commit(writes, checkpoints);
    };
    await buildRunner(stores.events, store, { sliceMs }).catchUp();
    await new Promise((resolve) => setImmediate(resolve));
    return { order, commits };
  }

  it('lets timers and requests run during a long batch; the batch still commits once, with its checkpoints', async () => {
    // sliceMs 0: every batch counts as long, so it yields at each of its pauses.
    const { order, commits } = await batchWithTimer(0);
    expect(order).to.deep.equal(['batch started', 'timer', 'commit']);
    const head = await stores.events.headPosition();
    expect(head).to.equal(10n);
    expect(commits).to.have.length(1);
    expect(commits[0]!.checkpoints).to.deep.equal([
      ['reconciliation', head],
      ['order-history', head],
    ]);
    expect(commits[0]!.writes).to.be.greaterThan(10); // 5 reconciliations, their exceptions, 5 history pages (10 entries), the period summary
    expect(await stores.store.count('reconciliations', {})).to.equal(5);
    expect(await stores.store.count(ORDER_HISTORY, {})).to.equal(5);
  });

  it('runs a short batch in one piece (no yield before the slice is used up)', async () => {
    const { order, commits } = await batchWithTimer(60_000);
    expect(order).to.deep.equal(['batch started', 'commit', 'timer']);
    expect(commits).to.have.length(1);
  });
});
