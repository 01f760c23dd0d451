import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type { OrderDirectory } from '../../../src/application/ports/order-directory.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, INGEST_ENV, localeEnvelope, scayleFixture, streamEvents } from '../../support/ingest';
import { SqliteOrderDirectory } from '../../../src/infrastructure/ingest/sqlite-order-directory';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

describe('ingest: the order directory is a cache of the log', () => {
  const dir = tempDir();
  after(() => dir.remove());

  const start = () => LedgerService.start(testConfig(dir.path, INGEST_ENV), {}, false);
  const webhook = (service: LedgerService, key: string, payload: object) =>
    request(service.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope(key, 'order-confirmed', payload))).expect(202);
  const erp = (service: LedgerService, documentNumber: string, orderReference: string) =>
    request(service.server)
      .post('/v1/ingest/erp/documents')
      .set('Authorization', bearer('integrator'))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ documentType: 'invoice', documentNumber, revision: 0, status: 'posted', orderReference, postingDate: '2024-06-03', documentDate: '2024-06-03', currency: 'EUR', pricesIncludeTax: false, totals: { net: '10.00', tax: '1.90', gross: '11.90' }, lines: [] }))
      .expect(202);

  it('is rebuilt from the log after its file is deleted: references and pending links come back', async () => {
    const order = scayleFixture('OrderGetResponse.json');
    let service = await start();
    await webhook(service, 'dir-1', { ...order, id: 4101, referenceKey: 'ref-4101', publicKey: 'pub-4101' });
    await erp(service, 'SI-4102', 'ref-4102'); // parked: order 4102 unknown yet
    await service.stop();

    const file = join(dir.path, 'order-directory.db');
    expect(existsSync(file)).to.equal(true);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });

    service = await start();
    try {
      const directory = service.container.get<OrderDirectory>(TOKENS.OrderDirectory);
      expect(await directory.resolve('pub-4101', ['publicKey'])).to.deep.equal({ streamId: 'order-msde-DE-4101', shopKey: 'msde', countryCode: 'DE', orderId: '4101' });
      expect(await directory.resolve('creditcard-abcde', ['paymentReference'])).to.include({ orderId: '4101' });
      expect(await directory.pendingFor(['ref-4102'])).to.deep.equal([{ reference: 'ref-4102', sourceStreamId: 'erp-unlinked-SI-4102' }]);
      expect((await directory.checkpoint()) > 0n).to.equal(true);

      const linked = await erp(service, 'SI-4101', 'ref-4101');
      expect(linked.body.status).to.equal('accepted');
      expect((await streamEvents(service, 'order-msde-DE-4101')).map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed', 'ErpInvoicePosted']);
      await webhook(service, 'dir-2', { ...order, id: 4102, referenceKey: 'ref-4102', publicKey: 'pub-4102', payment: [] });
      expect((await streamEvents(service, 'order-msde-DE-4102')).map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed', 'ErpInvoicePosted']);
    } finally {
      await service.stop();
    }
  });

  it('leaves a reference that names two orders unresolved (publicKeys need not be unique)', async () => {
    const service = await start();
    try {
      const order = scayleFixture('OrderGetResponse.json');
      await webhook(service, 'dir-3', { ...order, id: 4103, referenceKey: 'ref-4103', publicKey: 'shared-pub', payment: [] });
      await webhook(service, 'dir-4', { ...order, id: 4104, referenceKey: 'ref-4104', publicKey: 'shared-pub', payment: [] });
      const res = await erp(service, 'SI-4103', 'shared-pub');
      expect(res.body.status).to.equal('accepted');
      expect(await streamEvents(service, 'erp-unlinked-SI-4103')).to.have.length(1);
      expect((await streamEvents(service, 'order-msde-DE-4103')).map((e) => e.type)).to.deep.equal(['ScayleOrderConfirmed']);
    } finally {
      await service.stop();
    }
  });
});

describe('SqliteOrderDirectory: pending links of several references', () => {
  const dir = tempDir();
  after(() => dir.remove());

  it('answers them with one query: references in the order given (each once), each one\'s links by source stream id', async () => {
    const directory = new SqliteOrderDirectory(join(dir.path, 'pending.db'), async () => undefined);
    try {
      for (const [reference, sourceStreamId] of [['ref-b', 'erp-unlinked-SI-9'], ['ref-a', 'settlement-adyen-2'], ['ref-b', 'erp-unlinked-SI-1'], ['ref-c', 'erp-unlinked-SI-5'], ['ref-a', 'erp-unlinked-SI-3']] as const) {
        await directory.addPending({ reference, sourceStreamId });
      }
      const stmt = (directory as unknown as { stmt: Record<string, { all?: (...args: unknown[]) => unknown[] }> }).stmt;
      let queries = 0;
      for (const statement of Object.values(stmt)) {
        const all = statement.all?.bind(statement);
        if (all) statement.all = (...args: unknown[]) => (queries++, all(...args));
      }
      expect(await directory.pendingFor(['ref-b', 'ref-none', 'ref-a', 'ref-b'])).to.deep.equal([
        { reference: 'ref-b', sourceStreamId: 'erp-unlinked-SI-1' },
        { reference: 'ref-b', sourceStreamId: 'erp-unlinked-SI-9' },
        { reference: 'ref-a', sourceStreamId: 'erp-unlinked-SI-3' },
        { reference: 'ref-a', sourceStreamId: 'settlement-adyen-2' },
      ]);
      expect(queries).to.equal(1);
      expect(await directory.pendingFor([])).to.deep.equal([]);
    } finally {
      await directory.close();
    }
  });
});

describe('SqliteOrderDirectory: the entries it remembers are bounded', () => {
  const dir = tempDir();
  after(() => dir.remove());

  it('keeps at most the configured number of entries in memory and still answers for forgotten ones', async () => {
    const directory = new SqliteOrderDirectory(join(dir.path, 'bounded.db'), async () => undefined, { knownEntries: 4 });
    try {
      const entry = (id: number) => ({ streamId: `order-msde-DE-${id}`, shopKey: 'msde', countryCode: 'DE', orderId: String(id), referenceKey: `ref-${id}` });
      for (let id = 1; id <= 10; id++) expect(await directory.record(entry(id)), `order ${id} is new`).to.equal(true);
      expect((directory as unknown as { known: { size: number } }).known.size).to.equal(4);
      expect(await directory.record(entry(1)), 'order 1 was forgotten in memory, but the store already has it').to.equal(false);
      expect(await directory.record(entry(10)), 'order 10 is remembered').to.equal(false);
      expect(await directory.resolve('ref-1', ['referenceKey'])).to.deep.equal({ streamId: 'order-msde-DE-1', shopKey: 'msde', countryCode: 'DE', orderId: '1' });
    } finally {
      await directory.close();
    }
  });
});
