/**
 * The projections bench's log (issue 5): per order 10 events (confirmed, delegated, payment captured,
 * shipped, invoiced, an unmodelled webhook, ERP sales order, ERP invoice, ERP payment, PSP settlement
 * line), orders interleaved 50 at a time as live traffic would be; one order in five billed short by
 * the ERP, so exceptions and summaries move. The rows are written straight into the event table.
 */
import Database from 'better-sqlite3';
import { v5 as uuidv5 } from 'uuid';
import { schemaVersionOf } from '../src/domain/event-schema/ledger-upcasters';
import { SqliteEventStore } from '../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { orderStreamId } from '../src/domain/shared/streams';

const NS = '7c0f8c1e-5d1f-4c55-9d6c-3b0c7f1c0a11';
function orderEvents(n: number, baseMs: number): { type: string; data: unknown; source: string; at: string }[] {
  const orderId = String(100000 + n);
  const at = (min: number) => new Date(baseMs + min * 60_000).toISOString();
  const items = [
    { itemId: `${orderId}1`, variantReferenceKey: `v-${orderId}1`, status: 'delivered', gross: '119.00', net: '100.00', tax: '19.00', taxRate: '0.19', reductions: [] },
    { itemId: `${orderId}2`, variantReferenceKey: `v-${orderId}2`, status: 'delivered', gross: '59.50', net: '50.00', tax: '9.50', taxRate: '0.19', reductions: [] },
  ];
  const fees = [{ key: 'delivery', category: 'delivery', gross: '4.95', net: '4.16', tax: '0.79', taxRate: '0.19' }];
  const order = (status: string, updatedAt: string) => ({
    order: {
      orderId, shopKey: 'msde', countryCode: 'DE', currency: 'EUR', status, confirmedAt: at(0), ...(status === 'invoice_completed' ? { invoicedAt: at(30) } : {}), updatedAt,
      items, fees, reductions: [], vouchers: [], cost: { gross: '183.45', net: '154.16', tax: '29.29', capture: '183.45' }, payments: [{ key: 'p', transactionKey: `tx-${orderId}`, amount: '183.45' }],
    },
  });
  const short = n % 5 === 0;
  const lines = [
    { lineNumber: 1, kind: 'item', orderItemIds: [`${orderId}1`], quantity: '1', net: short ? '91.60' : '100.00', tax: short ? '17.40' : '19.00', gross: short ? '109.00' : '119.00', taxCode: 'DE19', taxRate: '0.19' },
    { lineNumber: 2, kind: 'item', orderItemIds: [`${orderId}2`], quantity: '1', net: '50.00', tax: '9.50', gross: '59.50', taxCode: 'DE19', taxRate: '0.19' },
    { lineNumber: 3, kind: 'shipping', quantity: '1', net: '4.16', tax: '0.79', gross: '4.95', taxCode: 'DE19', taxRate: '0.19' },
  ];
  const totals = short ? { net: '145.76', tax: '27.69', gross: '173.45' } : { net: '154.16', tax: '29.29', gross: '183.45' };
  const doc = (documentType: string, documentNumber: string) => ({
    document: { documentType, documentNumber, revision: 1, status: 'posted', orderReference: orderId, postingDate: at(60).slice(0, 10), documentDate: at(60).slice(0, 10), currency: 'EUR', pricesIncludeTax: false, totals, lines },
    quantisedAmounts: [],
  });
  return [
    { type: 'ScayleOrderConfirmed', data: order('payment_reserved', at(0)), source: 'scayle', at: at(0) },
    { type: 'ScayleOrderDelegated', data: order('delegated', at(5)), source: 'scayle', at: at(5) },
    { type: 'ScaylePaymentCaptured', data: { orderId, transactionId: `tx-${orderId}`, operationStatus: 'successful', amount: '183.45', currency: 'EUR' }, source: 'scayle', at: at(10) },
    { type: 'ScayleOrderPackageShipped', data: order('shipped', at(20)), source: 'scayle', at: at(20) },
    { type: 'ScayleOrderInvoiced', data: order('invoice_completed', at(30)), source: 'scayle', at: at(30) },
    { type: 'ScayleWebhookReceived', data: { webhookKey: `wh-${orderId}`, scayleEventType: 'order-returned-notice' }, source: 'scayle', at: at(31) },
    { type: 'ErpSalesOrderRecorded', data: doc('sales_order', `SO-${orderId}`), source: 'erp', at: at(40) },
    { type: 'ErpInvoicePosted', data: doc('invoice', `INV-${orderId}`), source: 'erp', at: at(60) },
    { type: 'ErpPaymentRecorded', data: doc('payment', `PAY-${orderId}`), source: 'erp', at: at(70) },
    {
      type: 'PspSettlementLineRecorded',
      data: { provider: 'adyen', batchId: 'b1', line: { lineId: `l-${orderId}`, type: 'capture', paymentReference: `tx-${orderId}`, orderId, gross: '183.45', fee: '2.10', net: '181.35', currency: 'EUR', bookedAt: at(1440) } },
      source: 'psp',
      at: at(1440),
    },
  ];
}

/** Writes `orders` orders' events, interleaved 50 orders at a time; returns the number of events. */
export function writeLog(file: string, orders: number): number {
  new SqliteEventStore({ filename: file }).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let total = 0;
  const base = Date.parse('2024-05-01T08:00:00Z');
  const tx = db.transaction((from: number, to: number) => {
    const perOrder = Array.from({ length: to - from }, (_, i) => ({ n: from + i, events: orderEvents(from + i, base + (from + i) * 20_000) }));
    for (let k = 0; k < 10; k++) {
      for (const o of perOrder) {
        const e = o.events[k]!;
        const stream = orderStreamId('msde', 'DE', String(100000 + o.n));
        insert.run(uuidv5(`${stream}|${k}`, NS), stream, k, e.type, JSON.stringify(e.data), JSON.stringify({ source: e.source, occurredAt: e.at, recordedAt: e.at, schemaVersion: schemaVersionOf(e.type) }), e.at);
        total++;
      }
    }
  });
  for (let from = 0; from < orders; from += 50) tx(from, Math.min(orders, from + 50));
  db.close();
  return total;
}

