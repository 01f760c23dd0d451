/**
 * `OrderStateBuilder` folds many events with one copy-on-write per fold: the state it answers must be
 * exactly what folding the same events one `evolve` at a time answers, for every fact kind, with
 * duplicates and in any order, and a state once handed out must never change.
 */
import { expect } from 'chai';
import * as fc from 'fast-check';
import { evolve, initialOrderState, OrderStateBuilder, orderStateFrom, type OrderState } from '../../../../src/domain/order/order.state';
import { exported, failed, plan, requested } from '../erp-export/export-builders';
import { env, erpFact, payment, pspLine, scayleFact, state, type Env } from '../support/builders';

const items = [
  { id: '1', variant: 'A', gross: 11900, net: 10000, tax: 1900, rate: '0.19' },
  { id: '2', variant: 'B', gross: 5350, net: 5000, tax: 350, rate: '0.07' },
];
const confirmed = scayleFact('s1', 'ScayleOrderConfirmed', { items });
const invoiced = scayleFact('s2', 'ScayleOrderInvoiced', { items, invoicedAt: '2024-06-10T12:00:00Z', updatedAt: '2024-06-10T12:00:00Z' }, '2024-06-10T12:00:00Z');
// Same source time as `invoiced`: the later snapshot `updatedAt` wins.
const shipped = scayleFact('s3', 'ScayleOrderPackageShipped', { items, updatedAt: '2024-06-10T11:00:00Z' }, '2024-06-10T12:00:00Z');
const [sale] = plan(state(confirmed, invoiced));
const lines = [{ variant: 'A', net: '100.00', tax: '19.00', gross: '119.00', rate: '0.19' }];

/** An ERP document fact whose ingestion quantised an amount. */
const withQuantised = (e: Env): Env => ({ ...e, data: { ...(e.data as object), quantisedAmounts: [{ field: 'lines[0].net', received: '100.004', stored: '100.00' }] } });

/** One event of every kind `evolve` keys, several sharing a key (the winner rules decide). */
const EVERY_KIND: Env[] = [
  confirmed,
  invoiced,
  shipped,
  payment('c1', 'capture', '172.50', { at: '2024-06-10T12:05:00Z' }),
  payment('c1b', 'capture', '172.50', { at: '2024-06-10T12:06:00Z', status: 'failed' }),
  payment('r1', 'refund', '53.50', { at: '2024-06-12T12:05:00Z' }),
  erpFact('e1', { number: 'INV-1', revision: 1, lines }, '2024-06-11T00:00:00Z'),
  erpFact('e2', { number: 'INV-1', revision: 2, lines }, '2024-06-10T23:00:00Z'),
  withQuantised(erpFact('e3', { number: 'SO-1', type: 'sales_order', lines })),
  pspLine('p1', { lineId: 'L1', type: 'capture', gross: '172.50', fee: '1.00', net: '171.50' }),
  pspLine('p1b', { lineId: 'L1', type: 'capture', gross: '172.50', fee: '1.10', net: '171.40', bookedAt: '2024-06-13T00:00:00Z' }),
  env('rq1', 'RefundRequested', { refundId: 'R1', amount: '53.50', currency: 'EUR', items: [{ orderItemId: '2', amount: '53.50' }], reason: 'damaged', requestedAt: '2024-06-12T09:00:00Z', requestedBy: 'cx:1' }, '2024-06-12T09:00:00Z', 'ledger'),
  env('rr1', 'RefundRecordedInScayle', { refundId: 'R1', recordedAt: '2024-06-12T09:01:00Z' }, '2024-06-12T09:01:00Z', 'ledger'),
  env('df1', 'ScayleDispatchFailed', { commandId: 'R1', commandType: 'RefundRequested', message: 'HTTP 503', failedAt: '2024-06-12T09:00:30Z', retriable: true }, '2024-06-12T09:00:30Z', 'ledger'),
  env('lc1', 'LineItemsCorrected', { correctionId: 'C1', reason: 'price', items: [{ orderItemId: '2', gross: '53.50', net: '50.00', tax: '3.50', taxRate: '0.07' }], correctedAt: '2024-06-11T10:00:00Z' }, '2024-06-11T10:00:00Z', 'ledger'),
  requested(sale!),
  failed(sale!, 1, 'unavailable', undefined, '2024-06-10T14:00:00Z'),
  exported(sale!, 'PS-INV-1', '2024-06-10T15:00:00Z'),
  env('w1', 'ScayleWebhookReceived', { webhookKey: 'wh-x', scayleEventType: 'order-returned-notice' }, '2024-06-11T08:00:00Z'),
  env('x1', 'ExceptionAcknowledged', { exceptionId: 'x', decidedAt: '2024-06-11T09:00:00Z', decidedBy: 'finance:a' }, '2024-06-11T09:00:00Z', 'ledger'),
];

/** The reference: one `evolve` per event. */
const oneByOne = (events: readonly Env[], from: OrderState = initialOrderState()): OrderState => events.reduce(evolve, from);

/** A state as plain data (sets as sorted arrays), to compare before and after. */
const plain = (s: OrderState): unknown => JSON.parse(JSON.stringify(s, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<string>)].sort() : v)));

describe('OrderStateBuilder (copy-on-write fold)', () => {
  it('folds every fact kind to exactly what one evolve per event gives, in any order and with duplicates', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(EVERY_KIND, { minLength: 1 }), fc.array(fc.nat(EVERY_KIND.length - 1), { maxLength: 6 }), (events, dupIdx) => {
        const stream = [...events];
        for (const i of dupIdx) stream.splice((i * 5) % (stream.length + 1), 0, EVERY_KIND[i]!);
        const folded = orderStateFrom(stream);
        expect(folded).to.deep.equal(oneByOne(stream));
        expect(Object.keys(folded)).to.deep.equal(Object.keys(oneByOne(stream)));
      }),
      { numRuns: 200 },
    );
    const all = orderStateFrom(EVERY_KIND);
    expect(all.kind).to.equal('order_known');
    expect(all.latest?.eventId).to.equal('s2');
    expect(Object.keys(all.payments).sort()).to.deep.equal(['capture:tx-c1', 'capture:tx-c1b', 'refund:tx-r1']);
    expect(all.erpDocuments['INV-1']!.data.revision).to.equal(2);
    expect(all.pspLines['adyen:L1']!.eventId).to.equal('p1b');
    expect(Object.keys(all.erpQuantisations)).to.deep.equal(['e3']);
    expect(all.eventIds.size).to.equal(EVERY_KIND.length - 1); // the exception decision is not an order fact
  });

  it('never changes a state it handed out, nor the state it started from', () => {
    const start = orderStateFrom(EVERY_KIND.slice(0, 4));
    const startBefore = plain(start);
    const builder = new OrderStateBuilder(start);
    for (const e of EVERY_KIND.slice(4, 10)) builder.add(e);
    const middle = builder.result();
    const middleBefore = plain(middle);
    for (const e of EVERY_KIND.slice(10)) builder.add(e);
    const end = builder.result();
    expect(plain(start)).to.deep.equal(startBefore);
    expect(plain(middle)).to.deep.equal(middleBefore);
    expect(end).to.deep.equal(oneByOne(EVERY_KIND));
    // maps the second fold did not write stay shared, as with evolve
    expect(end.scayleFacts).to.equal(middle.scayleFacts);
    expect(end.eventIds).to.not.equal(middle.eventIds);
  });

  it('an event that throws leaves the fold as it was; duplicates and foreign types answer the same state object', () => {
    const bad = env('bad', 'ScaylePaymentCaptured', { orderId: 'O1', transactionId: 'tx-bad', operationStatus: 'successful', amount: '1.00', currency: 'EUR' }, 'yesterday');
    const builder = new OrderStateBuilder(initialOrderState());
    builder.add(confirmed);
    expect(() => builder.add(bad)).to.throw(/ISO-8601/);
    builder.add(invoiced);
    expect(builder.result()).to.deep.equal(oneByOne([confirmed, invoiced]));
    const s = state(confirmed);
    expect(evolve(s, confirmed)).to.equal(s);
    expect(evolve(s, EVERY_KIND[EVERY_KIND.length - 1]!)).to.equal(s);
    expect(new OrderStateBuilder(s).result()).to.equal(s);
  });
});
