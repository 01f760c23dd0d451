/**
 * A JSON body that gives one key twice in an object is refused at the door on every JSON route (400
 * problem naming the key's path, nothing appended, the service keeps serving). Before, `JSON.parse`
 * kept the last value silently — `{"amount":"10.00","amount":"1000.00"}` was a refund of 1000.00 —
 * while Business Central bodies and `import` lines (parsed by lossless-json) were already refused.
 */
import { expect } from 'chai';
import { DUPLICATE_KEY_MESSAGE } from '../../../src/infrastructure/http/json-body';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, fixtureText, head, INGEST_ENV, localeEnvelope, scayleFixture } from '../../support/ingest';
import { erpInvoice, pspBatch } from '../../support/ops';
import { startListeningService, type ProblemBody } from '../../support/listening-service';
import { tempDir } from '../../support/temp-dir';

/** `json` with `"key":` at its `nth` (0-based) occurrence written as `"key":<first>,"key":`. */
const twice = (json: string, key: string, first: string, nth = 0): string => {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = json.indexOf(`"${key}":`, at + 1);
  if (at < 0) throw new Error(`no ${key} in the body`);
  return `${json.slice(0, at)}"${key}":${first},${json.slice(at)}`;
};

describe('JSON bodies that give a key twice in one object', function () {
  this.timeout(30_000);
  const dir = tempDir();
  let service: LedgerService;
  let base: string;

  before(async () => {
    ({ service, base } = await startListeningService(dir.path, { ...INGEST_ENV, LEDGER_INGEST_RATE_LIMIT: '0' }));
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  async function send(method: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; contentType: string | null; text: string }> {
    const res = await fetch(`${base}${path}`, { method, headers: { 'Content-Type': 'application/json', ...headers }, body });
    return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  }

  const bc = () => JSON.parse(fixtureText('business-central', 'sales-invoice.json')) as Record<string, unknown>;
  const cases: { name: string; method?: string; path: string; headers: Record<string, string>; body: () => string; dup: (json: string) => string; field: string; accepted?: number }[] = [
    {
      name: 'an ERP line amount (the value kept would have been the last)',
      path: '/v1/ingest/erp/documents',
      headers: { Authorization: bearer('integrator') },
      body: () => JSON.stringify(erpInvoice('DUP-1', '7801')),
      dup: (j) => twice(j, 'net', '"99.00"', 1),
      field: 'lines[0].net',
      accepted: 202,
    },
    {
      name: 'a key of the second ERP document of an array',
      path: '/v1/ingest/erp/documents',
      headers: { Authorization: bearer('integrator') },
      body: () => JSON.stringify([erpInvoice('DUP-2', '7802'), erpInvoice('DUP-3', '7802')]),
      dup: (j) => twice(j, 'currency', '"CHF"', 1),
      field: '[1].currency',
      accepted: 202,
    },
    {
      name: 'a PSP settlement line fee',
      path: '/v1/ingest/psp/settlements',
      headers: { Authorization: bearer('integrator') },
      body: () => JSON.stringify(pspBatch('B-DUP', '7803')),
      dup: (j) => twice(j, 'fee', '"0.00"'),
      field: 'lines[0].fee',
      accepted: 202,
    },
    {
      name: 'a Scayle webhook key (the delivery id)',
      path: '/v1/ingest/scayle/webhooks',
      headers: { Authorization: basicAuth() },
      body: () => JSON.stringify(localeEnvelope('wh-dup-1', 'order-confirmed', scayleFixture('OrderGetResponse.json'))),
      dup: (j) => twice(j, 'key', '"wh-dup-0"'),
      field: 'key',
      accepted: 202,
    },
    {
      name: 'deep in a Scayle webhook payload',
      path: '/v1/ingest/scayle/webhooks',
      headers: { Authorization: basicAuth() },
      body: () => JSON.stringify(localeEnvelope('wh-dup-2', 'order-confirmed', scayleFixture('OrderGetResponse.json'))),
      dup: (j) => twice(j, 'withTax', '1'),
      field: 'payload.cost.appliedFees[0].amount.withTax',
      accepted: 202,
    },
    {
      name: 'a Business Central invoice number (refused by lossless-json before, now named like the others)',
      path: '/v1/ingest/erp/business-central/sales-invoices',
      headers: { Authorization: bearer('integrator') },
      body: () => JSON.stringify(bc()),
      dup: (j) => twice(j, 'number', '"SI-0"'),
      field: 'number',
    },
    {
      name: 'a refund amount',
      path: '/v1/orders/7804/refunds',
      headers: { Authorization: bearer('integrator'), 'Idempotency-Key': 'dup-refund-1' },
      body: () => JSON.stringify({ amount: '10.00', currency: 'EUR', refund_items: [{ order_item_id: '1', amount: '10.00' }], reason: 'dup' }),
      dup: (j) => twice(j, 'amount', '"1000.00"'),
      field: 'amount',
    },
    {
      name: 'a tax-code mapping entry',
      method: 'PUT',
      path: '/v1/mappings/tax-codes',
      headers: { Authorization: bearer('finance') },
      body: () => JSON.stringify({ entries: [{ country_code: 'DE', rate: '0.19', tax_code: 'DE19' }] }),
      dup: (j) => twice(j, 'tax_code', '"DE7"'),
      field: 'entries[0].tax_code',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: 400 naming ${c.field}, nothing appended; sent once it is taken`, async () => {
      const before = await head(service);
      const body = c.body();
      const refused = await send(c.method ?? 'POST', c.path, c.dup(body), c.headers);
      expect(refused.status, refused.text).to.equal(400);
      expect(refused.contentType).to.match(/^application\/problem\+json/);
      const problem = JSON.parse(refused.text) as ProblemBody;
      expect(problem.errors).to.deep.equal([{ field: c.field, message: DUPLICATE_KEY_MESSAGE }]);
      expect(problem.detail).to.equal('The request body gives a key more than once in the same object.');
      expect(await head(service)).to.equal(before);
      expect((await fetch(`${base}/v1/health`)).status).to.equal(200);
      if (c.accepted) {
        const taken = await send(c.method ?? 'POST', c.path, body, c.headers);
        expect(taken.status, taken.text).to.equal(c.accepted);
      }
    });
  }

  it('a byte order mark before the body does not hide a key given twice (it did: the search stopped at the mark and the last value was stored)', async () => {
    const before = await head(service);
    const body = `\uFEFF${twice(JSON.stringify(erpInvoice('DUP-BOM', '7806')), 'totals', '{"net":"1000.00","tax":"190.00","gross":"1190.00"}')}`;
    const refused = await send('POST', '/v1/ingest/erp/documents', body, { Authorization: bearer('integrator') });
    expect(refused.status, refused.text).to.equal(400);
    expect((JSON.parse(refused.text) as ProblemBody).errors).to.deep.equal([{ field: 'totals', message: DUPLICATE_KEY_MESSAGE }]);
    expect(await head(service)).to.equal(before);
    const bc = JSON.stringify(JSON.parse(fixtureText('business-central', 'sales-invoice.json')));
    const bcRefused = await send('POST', '/v1/ingest/erp/business-central/sales-invoices', `\uFEFF${twice(bc, 'number', '"SI-0"')}`, { Authorization: bearer('integrator') });
    expect(bcRefused.status, bcRefused.text).to.equal(400);
    expect((JSON.parse(bcRefused.text) as ProblemBody).errors).to.deep.equal([{ field: 'number', message: DUPLICATE_KEY_MESSAGE }]);
    expect(await head(service)).to.equal(before);
    // once, with the mark: taken on every JSON route, Business Central too (it was a 400 malformed-json there)
    expect((await send('POST', '/v1/ingest/erp/documents', `\uFEFF${JSON.stringify(erpInvoice('DUP-BOM', '7806'))}`, { Authorization: bearer('integrator') })).status).to.equal(202);
    const bcTaken = await send('POST', '/v1/ingest/erp/business-central/sales-invoices', `\uFEFF${bc}`, { Authorization: bearer('integrator') });
    expect(bcTaken.status, bcTaken.text).to.equal(202);
  });

  it('a key that would read as more path is named quoted (payload["a.b"], payload[""])', async () => {
    for (const [key, field] of [
      ['a.b', 'payload["a.b"]'],
      ['', 'payload[""]'],
      ['[0]', 'payload["[0]"]'],
    ]) {
      const json = JSON.stringify(localeEnvelope(`wh-dup-q-${field.length}`, 'order-confirmed', { ...scayleFixture('OrderGetResponse.json'), [key]: 1 }));
      const refused = await send('POST', '/v1/ingest/scayle/webhooks', twice(json, key, '2'), { Authorization: basicAuth() });
      expect(refused.status, refused.text).to.equal(400);
      expect((JSON.parse(refused.text) as ProblemBody).errors).to.deep.equal([{ field, message: DUPLICATE_KEY_MESSAGE }]);
    }
  });

  it('the same key in different objects is taken, and a key that only looks like another is no duplicate', async () => {
    const doc = erpInvoice('DUP-OK', '7805', { lines: [{ ...(erpInvoice('x', '1').lines as object[])[0], net: '10.00' }] }); // net in the line and in totals
    const text = JSON.stringify(doc).replace('"documentDate":', '"documentdate ":"x","documentDate":');
    const res = await send('POST', '/v1/ingest/erp/documents', text, { Authorization: bearer('integrator') });
    expect(res.status, res.text).to.equal(400); // refused for the unknown member, not as a duplicate
    expect((JSON.parse(res.text) as ProblemBody).errors?.map((e) => e.field)).to.deep.equal(['documentdate ']);
    expect((await send('POST', '/v1/ingest/erp/documents', JSON.stringify(doc), { Authorization: bearer('integrator') })).status).to.equal(202);
  });
});
