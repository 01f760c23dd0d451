/**
 * Upcasting on read in one place (DESIGN §4): the composition root's event store. Stored v1 ERP
 * facts are read as v2 by the decorator's three read paths, by a command handler, by a query and by
 * the projections; a version from the future is dead-lettered by the projections and fails the
 * request that reads it; appends must carry the latest version.
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { EventData, EventStore, RecordedEvent } from '../../../src/application/ports/event-store.port';
import type { OrderDirectory } from '../../../src/application/ports/order-directory.port';
import { SchemaVersionMismatchError, UpcastingEventStore } from '../../../src/application/shared/upcasting-event-store';
import { LEDGER_UPCASTERS } from '../../../src/domain/event-schema/ledger-upcasters';
import { schemaRefusalOf } from '../../../src/domain/event-schema/upcaster-registry';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { appendErpInvoice, orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';
import { tempDir } from '../../support/temp-dir';

const QUANTISED = { code: 'SUB_MINOR_UNIT_AMOUNT', original: '4.945', quantised: '4.95', currency: 'EUR', mode: 'half_up', field: 'salesInvoiceLines[2].netAmountIncludingTax' };

/** The invoice `appendErpInvoice` writes for the snapshot, as a v1 fact (`warnings`), or at `version` with `data`. */
async function storedInvoice(stream: string, orderId: string, version = 1, data?: (v2: Record<string, unknown>) => unknown): Promise<EventData> {
  let captured: EventData | undefined;
  const capture = { appendToStream: (_s: string, es: readonly EventData[]) => ((captured = es[0]), Promise.resolve({ nextExpectedRevision: 0n, position: 0n })) } as unknown as EventStore;
  await appendErpInvoice(capture, stream, orderSnapshot(orderId));
  const { quantisedAmounts: _, ...rest } = captured!.data as Record<string, unknown>;
  return { ...captured!, data: data ? data(captured!.data as Record<string, unknown>) : { ...rest, warnings: [QUANTISED] }, metadata: { ...captured!.metadata, schemaVersion: version } };
}

describe('upcasting event store', () => {
  describe('the decorator over an adapter', () => {
    const dir = tempDir();
    const raw = new SqliteEventStore({ filename: join(dir.path, 'events.db'), pollIntervalMs: 10 });
    const store = new UpcastingEventStore(raw, LEDGER_UPCASTERS);
    after(async () => {
      await store.close();
      dir.remove();
    });

    it('readStream, readAll and subscribeToAll see a stored v1 ERP fact as v2; the adapter keeps it as written', async () => {
      const v1 = await storedInvoice('order-msde-DE-960', '960');
      await raw.appendToStream('order-msde-DE-960', [v1], { expectedRevision: 'no_stream' });
      const expectV2 = (e: RecordedEvent) => {
        expect(e.metadata).to.include({ schemaVersion: 2, upcastFrom: 1 });
        expect(e.data).to.have.property('quantisedAmounts').that.deep.equals([QUANTISED]);
        expect(e.data).to.not.have.property('warnings');
      };
      expectV2((await store.readStream('order-msde-DE-960'))[0]!);
      for await (const e of store.readAll()) expectV2(e);
      const sub = store.subscribeToAll({ fromPosition: 'start' });
      for await (const m of sub) {
        if (m.kind === 'caughtUp') break;
        expectV2(m.event);
      }
      await sub.close();
      const [stored] = await raw.readStream('order-msde-DE-960');
      expect(stored!.metadata.schemaVersion).to.equal(1);
      expect(stored!.data).to.have.property('warnings');
    });

    it('appends only the latest version of each type, writing nothing otherwise', async () => {
      const v1 = await storedInvoice('order-msde-DE-961', '961');
      let err: unknown;
      await store.appendToStream('order-msde-DE-961', [v1], { expectedRevision: 'any' }).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(SchemaVersionMismatchError).and.have.property('message').that.matches(/ErpInvoicePosted is written at schema version 2 .* not 1/);
      const v3 = await storedInvoice('order-msde-DE-961', '961', 3, (d) => d);
      err = undefined;
      await store.appendToStream('order-msde-DE-961', [v3], { expectedRevision: 'any' }).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(SchemaVersionMismatchError);
      expect(await store.streamRevision('order-msde-DE-961')).to.equal('no_stream');
      const v2 = await storedInvoice('order-msde-DE-961', '961', 2, (d) => d);
      await store.appendToStream('order-msde-DE-961', [v2], { expectedRevision: 'no_stream' });
      const [read] = await store.readStream('order-msde-DE-961');
      expect(read!.data).to.deep.equal(v2.data);
      expect(read!.metadata).to.not.have.property('upcastFrom');
    });

    it("passes the adapter's findInStream through (ids and revisions are never upcast)", async () => {
      const v1 = await storedInvoice('order-msde-DE-963', '963');
      await raw.appendToStream('order-msde-DE-963', [v1], { expectedRevision: 'no_stream' });
      expect(store.findInStream).to.be.a('function');
      const lookup = await store.findInStream!('order-msde-DE-963', [v1.id]);
      expect(lookup.revision).to.equal(0n);
      expect(lookup.found.map((f) => f.id)).to.deep.equal([v1.id]);
    });

    it("passes the adapter's appendIfAbsent through, after the same schema-version check as appendToStream", async () => {
      const v1 = await storedInvoice('order-msde-DE-964', '964');
      expect(store.appendIfAbsent).to.be.a('function');
      const err = await store.appendIfAbsent!('order-msde-DE-964', v1).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(SchemaVersionMismatchError);
      expect(await store.streamRevision('order-msde-DE-964')).to.equal('no_stream');
      const v2 = await storedInvoice('order-msde-DE-964', '964', 2, (d) => d);
      expect(await store.appendIfAbsent!('order-msde-DE-964', v2)).to.include({ written: true, nextExpectedRevision: 0n });
      expect(await store.appendIfAbsent!('order-msde-DE-964', v2)).to.include({ written: false, nextExpectedRevision: 0n });
    });

    it('hands out a version from the future as a refused event instead of misreading it', async () => {
      await raw.appendToStream('order-msde-DE-962', [await storedInvoice('order-msde-DE-962', '962', 3, (d) => ({ ...d, lines: 'new shape' }))], { expectedRevision: 'no_stream' });
      const [e] = await store.readStream('order-msde-DE-962');
      expect(schemaRefusalOf(e!)?.message).to.match(/ErpInvoicePosted event .* has schema version 3, but this release reads versions 1–2/);
      expect(() => e!.data).to.throw(/schema version 3/);
    });
  });

  describe('every reader of the service goes through it', function () {
    this.timeout(30_000);
    let api: ApiTestService;
    let adapter: EventStore;
    before(async () => {
      api = await startApiService({ LEDGER_TIMEZONE: 'Europe/Berlin' }, { clock: { now: () => new Date('2024-05-03T00:00:00Z') } });
      const store = api.service.container.get<EventStore>(TOKENS.EventStore);
      expect(store).to.be.instanceOf(UpcastingEventStore);
      adapter = (store as UpcastingEventStore).inner;
    });
    after(() => api.dispose());

    it('a v1 ERP fact written to the adapter is v2 for the reconciliation query, a command handler, the projections and the event history', async () => {
      const stream = await seedKnownOrder(api.service.container, orderSnapshot('970'));
      const { position } = await adapter.appendToStream(stream, [await storedInvoice(stream, '970')], { expectedRevision: 'any' });

      const live = await request(api.server).get('/v1/orders/970/reconciliation').set(auth('finance')).expect(200);
      expect(live.body.status).to.equal('matched');
      const dq = live.body.findings.filter((f: { code: string }) => f.code === 'DATA_QUALITY_WARNING');
      expect(dq.map((f: { explanation: string }) => f.explanation)).to.deep.equal(['ERP INV-970 salesInvoiceLines[2].netAmountIncludingTax 4.945 has more decimals than EUR allows; quantised to 4.95 (half up) at ingestion']);

      const refund = { amount: '19.99', currency: 'EUR', refund_items: [{ order_item_id: '9701', amount: '19.99' }], reason: 'damaged' };
      await request(api.server).post('/v1/orders/970/refunds').set(auth('integrator')).set('Idempotency-Key', 'up-1').send(refund).expect(201);

      const projected = await request(api.server).get(`/v1/reconciliations?minPosition=${String(position)}`).set(auth('finance')).expect(200);
      const doc = projected.body.items.find((r: { orderId: string }) => r.orderId === '970');
      expect(doc.findings.map((f: { code: string }) => f.code)).to.include('DATA_QUALITY_WARNING');

      const history = await request(api.server).get('/v1/orders/970/events?type=ErpInvoicePosted').set(auth('auditor')).expect(200);
      expect(history.body.events).to.have.length(1);
      expect(JSON.stringify(history.body.events[0])).to.contain('quantisedAmounts').and.not.contain('"warnings"');
    });

    it('a version from the future is dead-lettered by the projections (SYNC_FAILURE) and fails the requests that read it, never misread', async () => {
      const stream = await seedKnownOrder(api.service.container, orderSnapshot('971'));
      const { position } = await adapter.appendToStream(stream, [await storedInvoice(stream, '971', 3, (d) => ({ ...d, totals: 'a v3 shape' }))], { expectedRevision: 'any' });
      const queue = await request(api.server).get(`/v1/exceptions?owner=operations&minPosition=${String(position)}`).set(auth('operations')).expect(200);
      const dead = queue.body.items.filter((e: { code: string; streamId?: string }) => e.code === 'SYNC_FAILURE' && JSON.stringify(e).includes('schema version 3'));
      expect(dead.length).to.be.greaterThan(0);
      expect(JSON.stringify(dead[0])).to.contain('ErpInvoicePosted');
      const res = await request(api.server).get('/v1/orders/971/reconciliation').set(auth('finance'));
      expect(res.status).to.equal(500);
      expect(res.headers['content-type']).to.match(/problem\+json/);
      const refund = { amount: '19.99', currency: 'EUR', refund_items: [{ order_item_id: '9711', amount: '19.99' }], reason: 'damaged' };
      expect((await request(api.server).post('/v1/orders/971/refunds').set(auth('integrator')).set('Idempotency-Key', 'up-2').send(refund)).status).to.equal(500);
    });
  });

  describe('log followers other than projections', function () {
    this.timeout(30_000);
    it('a version from the future in a parked ERP document does not stop the order directory: the service still starts and rebuilds it', async () => {
      let api = await startApiService();
      const dataDir = api.dataDir;
      try {
        const adapter = (api.service.container.get<EventStore>(TOKENS.EventStore) as UpcastingEventStore).inner;
        const future = await storedInvoice('erp-unlinked-INV-980', '980', 3, (d) => ({ ...d, shape: 'v3' }));
        await adapter.appendToStream('erp-unlinked-INV-980', [future], { expectedRevision: 'no_stream' });
        await seedKnownOrder(api.service.container, orderSnapshot('981'));
        await api.stop();
        for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `order-directory.db${suffix}`), { force: true });
        api = await startApiService({}, {}, dataDir);
        const directory = api.service.container.get<OrderDirectory>(TOKENS.OrderDirectory);
        expect(await directory.resolve('981', ['orderId'])).to.include({ streamId: 'order-msde-DE-981' });
        expect(await directory.pendingFor(['980'])).to.deep.equal([]);
        expect((await directory.checkpoint()) > 0n).to.equal(true);
      } finally {
        await api.dispose();
      }
    });
  });
});

