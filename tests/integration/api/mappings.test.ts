import { expect } from 'chai';
import request from 'supertest';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import type { MappingsService } from '../../../src/application/mapping/mappings.service';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { API_KEYS, auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';

const TAX = '/v1/mappings/tax-codes';
const ITEMS = '/v1/mappings/items';

describe('mappings API', () => {
  let api: ApiTestService;
  const store = () => api.service.container.get<EventStore>(TOKENS.EventStore);
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  it('starts empty at version 0', async () => {
    const res = await request(api.server).get(TAX).set(auth('cx')).expect(200);
    expectResponseMatchesSpec(res, 'get', TAX);
    expect(res.body).to.deep.equal({ entries: [], version: '0' });
    expect(res.headers.etag).to.equal('"v0"');
  });

  it('PUT replaces the set, normalises rates, sorts, and records who changed it in mappings-tax-codes', async () => {
    const res = await request(api.server)
      .put(TAX)
      .set(auth('finance'))
      .set('X-Correlation-Id', 'corr-map-1')
      .send({ entries: [{ country_code: 'DE', rate: '0.190', tax_code: 'DE19' }, { country_code: 'AT', rate: '0.2', tax_code: 'AT20' }, { country_code: 'DE', rate: '0.19', tax_code: 'DE19-MP', channel_type: 'marketplace' }] })
      .expect(200);
    expectResponseMatchesSpec(res, 'put', TAX);
    expect(res.body.entries).to.deep.equal([
      { country_code: 'AT', rate: '0.2', tax_code: 'AT20' },
      { country_code: 'DE', rate: '0.19', tax_code: 'DE19' },
      { country_code: 'DE', rate: '0.19', tax_code: 'DE19-MP', channel_type: 'marketplace' },
    ]);
    expect(res.body.version).to.equal('1');
    expect(res.body.changedBy).to.match(/^finance:[0-9a-f]{12}$/);
    expect(res.headers.etag).to.equal('"v1"');
    const [event] = await store().readStream('mappings-tax-codes');
    expect(event!.type).to.equal('TaxCodeMappingsReplaced');
    expect(event!.metadata).to.include({ source: 'ledger', actor: res.body.changedBy, correlationId: 'corr-map-1' });
    expect(res.body.position).to.equal(String(event!.position));
  });

  it('GET answers 304 for the current ETag', async () => {
    const res = await request(api.server).get(TAX).set(auth('auditor')).set('If-None-Match', '"v1"').expect(304);
    expectResponseMatchesSpec(res, 'get', TAX);
  });

  it('a repeated PUT of the same set records nothing', async () => {
    await request(api.server).put(TAX).set(auth('operations')).send({ entries: [{ country_code: 'AT', rate: '0.20', tax_code: 'AT20' }, { country_code: 'DE', rate: '0.19', tax_code: 'DE19' }, { country_code: 'DE', rate: '0.19', tax_code: 'DE19-MP', channel_type: 'marketplace' }] }).expect(200);
    expect(await store().readStream('mappings-tax-codes')).to.have.length(1);
  });

  it('If-Match with a stale ETag → 412 naming the current one; with the current one → 200', async () => {
    const stale = await request(api.server).put(TAX).set(auth('finance')).set('If-Match', '"v0"').send({ entries: [] }).expect(412);
    expectResponseMatchesSpec(stale, 'put', TAX);
    expect(stale.body).to.include({ currentEtag: '"v1"', type: '/problems/precondition-failed' });
    const ok = await request(api.server).put(TAX).set(auth('finance')).set('If-Match', '"v1"').send({ entries: [{ country_code: 'DE', rate: '0.19', tax_code: 'DE19' }] }).expect(200);
    expect(ok.headers.etag).to.equal('"v2"');
    const bad = await request(api.server).put(TAX).set(auth('finance')).set('If-Match', 'nonsense').send({ entries: [] }).expect(400);
    expect(bad.body.errors[0].field).to.equal('If-Match');
  });

  it('rejects numbers for rates, bad countries, duplicates and unknown fields with per-field errors; nothing appended', async () => {
    const before = (await store().readStream('mappings-tax-codes')).length;
    const res = await request(api.server)
      .put(TAX)
      .set(auth('finance'))
      .send({ entries: [{ country_code: 'de', rate: 0.19, tax_code: '' , extra: 1 }] })
      .expect(400);
    expectResponseMatchesSpec(res, 'put', TAX);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).to.include.members(['entries[0].country_code', 'entries[0].rate', 'entries[0].tax_code', 'entries[0].extra']);
    expect(res.body.errors.find((e: { field: string }) => e.field === 'entries[0].rate').message).to.equal('must be a decimal string such as "0.19", not a JSON number');
    const dup = await request(api.server).put(TAX).set(auth('finance')).send({ entries: [{ country_code: 'DE', rate: '0.19', tax_code: 'A' }, { country_code: 'DE', rate: '0.190', tax_code: 'B' }] }).expect(400);
    expect(dup.body).to.include({ code: 'duplicate_mapping' });
    expect(dup.body.errors[0].field).to.equal('entries[1]');
    const hidden = await request(api.server).put(TAX).set(auth('finance')).send({ entries: [{ country_code: 'DE', rate: '0.19', tax_code: '=cmd\u0000' }, { country_code: 'DE', rate: '0.07', tax_code: 'DE7\u202e' }] }).expect(400);
    expect(hidden.body.errors.map((e: { field: string }) => e.field)).to.include.members(['entries[0].tax_code', 'entries[1].tax_code']);
    const rate = await request(api.server).put(TAX).set(auth('finance')).send({ entries: [{ country_code: 'DE', rate: '19', tax_code: 'A' }] }).expect(400);
    expect(rate.body).to.include({ code: 'invalid_tax_rate' });
    expect(rate.body.errors[0].field).to.equal('entries[0].rate');
    expect(await store().readStream('mappings-tax-codes')).to.have.length(before);
  });

  it('takes only assigned ISO 3166-1 alpha-2 countries (and XK): XX, EU and UK are 400s naming the entry', async () => {
    const before = (await store().readStream('mappings-tax-codes')).length;
    const res = await request(api.server)
      .put(TAX)
      .set(auth('finance'))
      .send({ entries: [{ country_code: 'XX', rate: '0.19', tax_code: 'X19' }, { country_code: 'EU', rate: '0.19', tax_code: 'EU19' }, { country_code: 'DE', rate: '0.19', tax_code: 'DE19' }, { country_code: 'UK', rate: '0.2', tax_code: 'UK20' }] })
      .expect(400);
    expectResponseMatchesSpec(res, 'put', TAX);
    expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['entries[0].country_code', 'entries[1].country_code', 'entries[3].country_code']);
    expect(res.body.errors[0].message).to.equal('must be an assigned ISO 3166-1 alpha-2 country code in upper case such as "DE" (or XK), got "XX"');
    expect(await store().readStream('mappings-tax-codes')).to.have.length(before);
    const xk = await request(api.server).get(TAX).set(auth('finance')).expect(200);
    const ok = await request(api.server).put(TAX).set(auth('finance')).set('If-Match', xk.headers.etag as string).send({ entries: [{ country_code: 'XK', rate: '0.18', tax_code: 'XK18' }] });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.entries).to.deep.equal([{ country_code: 'XK', rate: '0.18', tax_code: 'XK18' }]);
  });

  it('item mappings: unique on both sides, readable by the reconciliation policy', async () => {
    const dup = await request(api.server)
      .put(ITEMS)
      .set(auth('operations'))
      .send({ entries: [{ variant_reference_key: 'v1', erp_item_number: 'I-1' }, { variant_reference_key: 'v2', erp_item_number: 'I-1' }] })
      .expect(400);
    expectResponseMatchesSpec(dup, 'put', ITEMS);
    expect(dup.body.errors[0].field).to.equal('entries[1].erp_item_number');
    const ok = await request(api.server)
      .put(ITEMS)
      .set(auth('operations'))
      .send({ entries: [{ variant_reference_key: 'v2', erp_item_number: 'I-2' }, { variant_reference_key: 'v1', erp_item_number: 'I-1' }] })
      .expect(200);
    expectResponseMatchesSpec(ok, 'put', ITEMS);
    expect(ok.body.entries.map((e: { variant_reference_key: string }) => e.variant_reference_key)).to.deep.equal(['v1', 'v2']);
    const get = await request(api.server).get(ITEMS).set(auth('finance')).expect(200);
    expectResponseMatchesSpec(get, 'get', ITEMS);
    const service = api.service.container.get<MappingsService>(TOKENS.Mappings);
    expect(await service.itemNumberToVariant()).to.deep.equal({ 'I-1': 'v1', 'I-2': 'v2' });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await request(api.server).put(ITEMS).set('Authorization', `Bearer ${API_KEYS.finance}`).set('Content-Type', 'text/plain').send('entries').expect(415);
    expectResponseMatchesSpec(res, 'put', ITEMS);
  });
});
