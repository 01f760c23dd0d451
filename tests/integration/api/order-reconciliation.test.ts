import { expect } from 'chai';
import request from 'supertest';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { appendErpInvoice, orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';

const PATH = '/v1/orders/{orderId}/reconciliation';
let now = new Date('2024-05-02T12:30:00Z');

describe('GET /v1/orders/{orderId}/reconciliation', () => {
  let api: ApiTestService;
  const store = () => api.service.container.get<EventStore>(TOKENS.EventStore);
  before(async () => {
    api = await startApiService({ LEDGER_TIMEZONE: 'Europe/Berlin' }, { clock: { now: () => now } });
  });
  after(() => api.dispose());

  it('pending inside the grace window, MISSING_IN_ERP after it (judged at request time)', async () => {
    await seedKnownOrder(api.service.container, orderSnapshot('940'));
    now = new Date('2024-05-02T12:30:00Z');
    const early = await request(api.server).get('/v1/orders/940/reconciliation').set(auth('integrator')).expect(200);
    expectResponseMatchesSpec(early, 'get', PATH);
    expect(early.body).to.include({ subject: 'order-msde-DE-940', orderId: '940', status: 'pending', period: '2024-05', evaluatedAt: '2024-05-02T12:30:00.000Z' });
    expect(early.body.pending).to.include('invoice');
    now = new Date('2024-05-06T00:00:00Z');
    const late = await request(api.server).get('/v1/orders/940/reconciliation').set(auth('finance')).expect(200);
    expectResponseMatchesSpec(late, 'get', PATH);
    expect(late.body.status).to.equal('drift');
    expect(late.body.findings.map((f: { code: string }) => f.code)).to.include('MISSING_IN_ERP');
  });

  it('sees a write at once; tax-code mappings stored through the API feed TAX_MAPPING_ERROR', async () => {
    now = new Date('2024-05-06T00:00:00Z');
    const snapshot = orderSnapshot('941');
    const stream = await seedKnownOrder(api.service.container, snapshot);
    const position = await appendErpInvoice(store(), stream, snapshot, 'DE19');
    const before = await request(api.server).get(`/v1/orders/941/reconciliation?minPosition=${position}`).set(auth('finance')).expect(200);
    expectResponseMatchesSpec(before, 'get', PATH);
    expect(before.body.position).to.equal(String(position));
    const codes = (res: request.Response) => res.body.findings.map((f: { code: string }) => f.code);
    expect(codes(before)).to.not.include('MISSING_IN_ERP');
    expect(codes(before)).to.not.include('TAX_MAPPING_ERROR');

    await request(api.server).put('/v1/mappings/tax-codes').set(auth('finance')).send({ entries: [{ country_code: 'DE', rate: '0.19', tax_code: 'VAT19' }] }).expect(200);
    const after = await request(api.server).get('/v1/orders/941/reconciliation').set(auth('finance')).expect(200);
    expectResponseMatchesSpec(after, 'get', PATH);
    expect(codes(after)).to.include('TAX_MAPPING_ERROR');
    const finding = after.body.findings.find((f: { code: string }) => f.code === 'TAX_MAPPING_ERROR');
    expect(finding.explanation).to.be.a('string').and.not.empty;
  });

  it('304 for an unchanged result even though evaluatedAt moved; 404 for an unknown order', async () => {
    now = new Date('2024-05-07T00:00:00Z');
    const first = await request(api.server).get('/v1/orders/941/reconciliation').set(auth('auditor')).expect(200);
    now = new Date('2024-05-07T00:05:00Z');
    const again = await request(api.server).get('/v1/orders/941/reconciliation').set(auth('auditor')).set('If-None-Match', first.headers.etag!).expect(304);
    expectResponseMatchesSpec(again, 'get', PATH);
    const missing = await request(api.server).get('/v1/orders/nope/reconciliation').set(auth('auditor')).expect(404);
    expectResponseMatchesSpec(missing, 'get', PATH);
    const bad = await request(api.server).get('/v1/orders/941/reconciliation?minPosition=x').set(auth('auditor')).expect(400);
    expectResponseMatchesSpec(bad, 'get', PATH);
  });
});
