/**
 * Order payloads that authenticate and parse but carry a value the snapshot cannot hold truthfully
 * (an item in another currency, an amount that is not a JSON integer of minor units) are kept as
 * failed records: 202 `failed` with the reason and a message naming the field, the delivery kept as
 * `IngestionFailed`, nothing in the order stream.
 */
import { expect } from 'chai';
import request from 'supertest';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, INGEST_ENV, localeEnvelope, scayleFixture, streamEvents } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const ROUTE = '/v1/ingest/scayle/webhooks';

type Order = Record<string, unknown> & { items: (Record<string, unknown> & { price: Record<string, unknown> })[] };

/** The Admin API fixture order (EUR) under another id, its first item patched. */
function order(id: number, itemPatch: Record<string, unknown> = {}, pricePatch: Record<string, unknown> = {}): Order {
  const o = scayleFixture<Order>('OrderGetResponse.json');
  const item = o.items[0]!;
  return { ...o, id, items: [{ ...item, ...itemPatch, price: { ...item.price, ...pricePatch } }] };
}

describe('ingest: Scayle order values that cannot be mapped are kept as failed records', () => {
  const dir = tempDir();
  let service: LedgerService;
  const postText = (text: string) => request(service.server).post(ROUTE).set('Authorization', basicAuth()).set('content-type', 'application/json').send(text);

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path, INGEST_ENV), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  const cases: { name: string; key: string; orderId: number; text: () => string; reason: string; message: string }[] = [
    {
      name: 'an item currency ISO 4217 does not list (XYZ in an EUR order)',
      key: 'values-item-xyz',
      orderId: 4701,
      text: () => JSON.stringify(localeEnvelope('values-item-xyz', 'order-confirmed', order(4701, { currency: 'XYZ' }))),
      reason: 'unknown_currency',
      message: 'payload.items[0].currency: not an ISO 4217 code: XYZ',
    },
    {
      name: 'an item in CHF inside an EUR order',
      key: 'values-item-chf',
      orderId: 4702,
      text: () => JSON.stringify(localeEnvelope('values-item-chf', 'order-confirmed', order(4702, { currency: 'CHF' }))),
      reason: 'currency_mismatch',
      message: 'payload.items[0].currency: the item is in CHF, the order (currencyCode) in EUR',
    },
    {
      name: 'an amount sent as a JSON string ("withTax": "1190")',
      key: 'values-amount-string',
      orderId: 4703,
      text: () => JSON.stringify(localeEnvelope('values-amount-string', 'order-confirmed', order(4703, {}, { withTax: '1190' }))),
      reason: 'invalid_amount',
      message: 'payload.items[0].price.withTax: must be integer minor units (a JSON integer), got the string "1190"',
    },
    {
      name: 'an amount beyond 2^53 (9007199254740993, which JSON.parse reads as 9007199254740992)',
      key: 'values-amount-huge',
      orderId: 4704,
      text: () => JSON.stringify(localeEnvelope('values-amount-huge', 'order-confirmed', order(4704, {}, { withTax: 424242 }))).replace('"withTax":424242', '"withTax":9007199254740993'),
      reason: 'invalid_amount',
      message: 'payload.items[0].price.withTax: must be integer minor units no larger than 9007199254740991 in magnitude (a JSON number beyond that cannot be read exactly)',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → 202 failed ${c.reason}, the delivery kept, the order stream untouched`, async () => {
      const text = c.text();
      const res = await postText(text).expect(202);
      expectResponseMatchesSpec(res, 'post', ROUTE);
      expect(res.body).to.include({ status: 'failed', reason: c.reason, message: c.message });
      expect(res.body.failureId).to.match(/^[0-9a-f-]{36}$/);
      const kept = await streamEvents(service, `ingest-failure-${res.body.failureId}`);
      expect(kept.map((e) => e.type)).to.deep.equal(['IngestionFailed']);
      expect(kept[0]!.data).to.deep.include({ failureId: res.body.failureId, source: 'scayle', recordKind: 'scayle_webhook', sourceEventId: c.key, subject: String(c.orderId), reason: c.reason, message: c.message });
      expect((kept[0]!.data as { raw: unknown }).raw).to.deep.equal(JSON.parse(text));
      expect(await streamEvents(service, `order-msde-DE-${c.orderId}`)).to.deep.equal([]);
    });
  }

  it('an item that names no currency (absent or null) is taken in the order currency', async () => {
    for (const [key, id, patch] of [
      ['values-item-absent', 4711, { currency: undefined }],
      ['values-item-null', 4712, { currency: null }],
    ] as const) {
      const res = await postText(JSON.stringify(localeEnvelope(key, 'order-confirmed', order(id, patch)))).expect(202);
      expect(res.body.status, key).to.equal('accepted');
      const [event] = await streamEvents(service, `order-msde-DE-${id}`);
      const snapshot = (event!.data as { order: { currency: string; items: { gross: string }[] } }).order;
      expect([snapshot.currency, snapshot.items[0]!.gross]).to.deep.equal(['EUR', '11.90']);
    }
  });
});
