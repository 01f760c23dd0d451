/**
 * The Scayle order mapper refuses what the order snapshot cannot hold truthfully: an item priced in
 * another currency than the order, an amount that is not a JSON integer of minor units.
 */
import { expect } from 'chai';
import { mapScayleOrder } from '../../../../src/application/ingest/scayle/scayle-order.mapper';
import { MappingFailure } from '../../../../src/application/ingest/ingest-outcome';
import { scayleFixture } from '../../../support/ingest';

type Order = Record<string, unknown> & { items: Record<string, unknown>[] };

/** The Admin API fixture order (EUR, one item with `currency: "EUR"`) with its first item patched. */
function orderWithItem(patch: Record<string, unknown>): Order {
  const order = scayleFixture<Order>('OrderGetResponse.json');
  return { ...order, items: [{ ...order.items[0], ...patch }] };
}

/** The MappingFailure `fn` throws (fails the test when it throws none). */
function failureOf(fn: () => unknown): MappingFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof MappingFailure) return err;
    throw err;
  }
  expect.fail('expected a MappingFailure');
}

describe('Scayle order mapper: item currency', () => {
  it('takes an item whose currency is the order currency, or names none (absent, null)', () => {
    expect(mapScayleOrder(orderWithItem({ currency: 'EUR' })).items[0]).to.include({ itemId: '10976510', gross: '11.90' });
    expect(mapScayleOrder(orderWithItem({ currency: undefined })).items[0]).to.include({ itemId: '10976510', gross: '11.90' });
    expect(mapScayleOrder(orderWithItem({ currency: null })).items[0]).to.include({ itemId: '10976510', gross: '11.90' });
  });

  it('refuses an item currency ISO 4217 does not list as unknown_currency, naming the item', () => {
    const failure = failureOf(() => mapScayleOrder(orderWithItem({ currency: 'XYZ' })));
    expect(failure.reason).to.equal('unknown_currency');
    expect(failure.path).to.equal('payload.items[0].currency');
    expect(failure.message).to.equal('payload.items[0].currency: not an ISO 4217 code: XYZ');
  });

  it('refuses an item in another currency than the order as currency_mismatch, naming the item', () => {
    const failure = failureOf(() => mapScayleOrder(orderWithItem({ currency: 'CHF' })));
    expect(failure.reason).to.equal('currency_mismatch');
    expect(failure.path).to.equal('payload.items[0].currency');
    expect(failure.message).to.equal('payload.items[0].currency: the item is in CHF, the order (currencyCode) in EUR');
  });

  it('names the item by its index in the order', () => {
    const order = scayleFixture<Order>('OrderGetResponse.json');
    const second = { ...order.items[0], id: 10976511, currency: 'USD' };
    const failure = failureOf(() => mapScayleOrder({ ...order, items: [order.items[0], second] }, {}, 'order'));
    expect([failure.reason, failure.path]).to.deep.equal(['currency_mismatch', 'order.items[1].currency']);
  });
});

describe('Scayle order mapper: amounts', () => {
  it('refuses an amount sent as a JSON string (Scayle sends integer minor units as JSON integers)', () => {
    const order = orderWithItem({});
    const price = { ...(order.items[0]!.price as Record<string, unknown>), withTax: '1190' };
    const failure = failureOf(() => mapScayleOrder({ ...order, items: [{ ...order.items[0], price }] }));
    expect(failure.reason).to.equal('invalid_amount');
    expect(failure.message).to.equal('payload.items[0].price.withTax: must be integer minor units (a JSON integer), got the string "1190"');
  });

  it('refuses an amount beyond ±9007199254740991 without echoing the value JSON.parse rounded it to', () => {
    const text = JSON.stringify(orderWithItem({})).replace('"withTax":1190', '"withTax":9007199254740993');
    const failure = failureOf(() => mapScayleOrder(JSON.parse(text)));
    expect(failure.reason).to.equal('invalid_amount');
    expect(failure.message).to.equal(
      'payload.items[0].price.withTax: must be integer minor units no larger than 9007199254740991 in magnitude (a JSON number beyond that cannot be read exactly)',
    );
  });

  it('still derives the values an external-price order leaves out (item VAT, fee net) exactly', () => {
    const order = scayleFixture<Order & { cost: Record<string, unknown> & { appliedFees: Record<string, unknown>[] } }>('OrderGetResponse.json');
    const item = { ...order.items[0], price: { ...(order.items[0]!.price as Record<string, unknown>), tax: undefined } };
    const fee = { ...order.cost.appliedFees[0], amount: { withTax: 200 } };
    const derived: string[] = [];
    const snapshot = mapScayleOrder({ ...order, items: [item], cost: { ...order.cost, appliedFees: [fee] } }, {}, 'payload', derived);
    expect(snapshot.items[0]).to.include({ tax: '1.90', taxRate: '0.19' });
    expect(snapshot.fees[0]).to.include({ gross: '2.00', net: '1.68', tax: '0.32' });
    expect(derived).to.deep.equal(['payload.items[0].price.tax.vat', 'payload.cost.appliedFees[0].amount.withoutTax']);
  });
});
