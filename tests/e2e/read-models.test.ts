import { expect } from 'chai';
import request from 'supertest';
import type { EventStore } from '../../src/application/ports/event-store.port';
import { TOKENS } from '../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../support/api-service';
import { expectResponseMatchesSpec } from '../support/openapi-validator';
import { appendErpInvoice, orderSnapshot, seedOrder } from '../support/order-fixtures';

/**
 * The service end to end on its read models: facts in the log → projections → the query routes
 * (read-your-writes with minPosition, spec-conformant answers, ETags). Runs on the embedded store,
 * and on MongoDB read models when MONGODB_URI is set (CI starts FerretDB).
 */
function readModelsEndToEnd(label: string, env: () => NodeJS.ProcessEnv): void {
  describe(`read-model queries end to end (${label})`, function () {
    this.timeout(60_000);
    let api: ApiTestService;
    let position: bigint;
    before(async () => {
      api = await startApiService(env());
      const events = api.service.container.get<EventStore>(TOKENS.EventStore);
      const ok = orderSnapshot('7001');
      await appendErpInvoice(events, await seedOrder(events, ok), ok);
      const short = orderSnapshot('7002');
      position = await appendErpInvoice(events, await seedOrder(events, short), { ...short, items: [{ ...short.items[0]!, gross: '109.00', net: '91.60', tax: '17.40' }, short.items[1]!] });
    });
    after(() => api?.dispose());

    it('lists reconciliations by status and code after minPosition', async () => {
      const res = await request(api.server).get(`/v1/reconciliations?period=2024-05&minPosition=${String(position)}`).set(auth('finance'));
      expectResponseMatchesSpec(res, 'get', '/v1/reconciliations');
      expect(res.status).to.equal(200);
      expect(res.body.items.map((r: { orderId: string; status: string }) => [r.orderId, r.status])).to.deep.equal([
        ['7001', 'matched'],
        ['7002', 'drift'],
      ]);
      const drift = await request(api.server).get('/v1/reconciliations?code=AMOUNT_MISMATCH').set(auth('auditor'));
      expect(drift.body.items.map((r: { orderId: string }) => r.orderId)).to.deep.equal(['7002']);
      const again = await request(api.server).get('/v1/reconciliations?code=AMOUNT_MISMATCH').set(auth('auditor')).set('If-None-Match', drift.headers.etag as string);
      expect(again.status).to.equal(304);
      const bad = await request(api.server).get('/v1/reconciliations?status=fine&code=NOPE').set(auth('finance'));
      expect(bad.status).to.equal(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['status', 'code']);
      // An unknown name is answered on its own, before the values of the known ones are judged.
      const unknown = await request(api.server).get('/v1/reconciliations?status=fine&colour=red').set(auth('finance'));
      expect(unknown.status).to.equal(400);
      expect(unknown.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['colour']);
      expect((await request(api.server).get('/v1/reconciliations').set(auth('integrator'))).status).to.equal(403);
    });

    it('serves the live exception queue per owner, with age, due date and history', async () => {
      const res = await request(api.server).get(`/v1/exceptions?owner=finance&minPosition=${String(position)}`).set(auth('finance'));
      expectResponseMatchesSpec(res, 'get', '/v1/exceptions');
      expect(res.status).to.equal(200);
      const amount = res.body.items.find((e: { code: string }) => e.code === 'AMOUNT_MISMATCH');
      expect(amount).to.include({ orderId: '7002', owner: 'finance', status: 'open', period: '2024-05', occurrences: 1 });
      expect(amount.ageSeconds).to.be.greaterThan(0);
      expect(amount.history).to.deep.equal([{ at: '2024-05-02T13:00:00Z', what: 'opened' }]);
      const none = await request(api.server).get('/v1/exceptions?owner=cx').set(auth('cx'));
      expect(none.body.items).to.deep.equal([]);
    });

    it('answers the live period summary', async () => {
      const res = await request(api.server).get(`/v1/periods/2024-05?minPosition=${String(position)}`).set(auth('operations'));
      expectResponseMatchesSpec(res, 'get', '/v1/periods/{period}');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ period: '2024-05', orders: 2 });
      expect(res.body.byStatus).to.deep.equal({ drift: 1, matched: 1 });
      expect(res.body.totals.erp.EUR.items.gross).to.equal('347.00');
      const empty = await request(api.server).get('/v1/periods/2023-01').set(auth('finance'));
      expect(empty.body).to.include({ orders: 0, position: '0' });
      // A position no write answered with (beyond the log head) can never be reached: 400 at once.
      const beyond = await request(api.server).get(`/v1/periods/2024-05?minPosition=${String(position + 1000n)}`).set(auth('finance'));
      expectResponseMatchesSpec(beyond, 'get', '/v1/periods/{period}');
      expect(beyond.status).to.equal(400);
      expect(beyond.body.errors[0].field).to.equal('minPosition');
    });
  });
}

readModelsEndToEnd('sqlite', () => ({}));

const mongoUri = process.env.MONGODB_URI;
if (mongoUri) {
  readModelsEndToEnd('mongodb', () => ({ MONGODB_URI: mongoUri, MONGODB_DATABASE: `ledger_e2e_${process.pid}_${Date.now()}` }));
} else {
  describe('read-model queries end to end (mongodb)', () => {
    it.skip('skipped: no MongoDB (set MONGODB_URI to run on MongoDB read models; .ci/run starts FerretDB)');
  });
}
