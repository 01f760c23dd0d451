import { v5 as uuidv5 } from 'uuid';
import type { EventStore, EventData } from '../../src/application/ports/event-store.port';
import type { ScayleOrderItem, ScayleOrderSnapshot } from '../../src/domain/order/scayle-order.snapshot';
import { schemaVersionOf } from '../../src/domain/event-schema/ledger-upcasters';
import { orderStreamId } from '../../src/domain/order/order.events';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../src/domain/shared/ids';
import type { OrderDirectory } from '../../src/application/ports/order-directory.port';
import { TOKENS } from '../../src/infrastructure/di/tokens';

/** One unit item at `gross` (19 % VAT, net and tax split exactly for the sample prices). */
export function item(itemId: string, gross = '119.00', net = '100.00', tax = '19.00', extra: Partial<ScayleOrderItem> = {}): ScayleOrderItem {
  return { itemId, itemKey: `key-${itemId}`, variantReferenceKey: `var-${itemId}`, status: 'delivered', gross, net, tax, taxRate: '0.19', reductions: [], ...extra };
}

/**
 * A confirmed, captured EUR order in shop `msde`/`DE` with two items of 119.00 and 59.50 and
 * shipping 4.95 (capture 183.45), shaped like the Admin API fixture after normalisation.
 */
export function orderSnapshot(orderId: string, overrides: Partial<ScayleOrderSnapshot> = {}): ScayleOrderSnapshot {
  return {
    orderId,
    shopKey: 'msde',
    countryCode: 'DE',
    currency: 'EUR',
    status: 'invoice_completed',
    confirmedAt: '2024-05-02T10:00:00Z',
    invoicedAt: '2024-05-02T12:00:00Z',
    updatedAt: '2024-05-02T12:00:00Z',
    items: [item(`${orderId}1`), item(`${orderId}2`, '59.50', '50.00', '9.50')],
    fees: [{ key: 'delivery', category: 'delivery', gross: '4.95', net: '4.16', tax: '0.79', taxRate: '0.19' }],
    reductions: [],
    vouchers: [],
    cost: { gross: '183.45', net: '154.16', tax: '29.29', capture: '183.45' },
    payments: [{ key: 'accounting', transactionKey: `tx-${orderId}`, amount: '183.45' }],
    ...overrides,
  };
}

const meta = (source: 'scayle' | 'ledger', sourceEventId: string, occurredAt: string) => ({
  source,
  sourceEventId,
  occurredAt,
  recordedAt: occurredAt,
  schemaVersion: 1,
});

/** Appends `ScayleOrderConfirmed` + `ScaylePaymentCaptured` for the snapshot; returns the stream id. */
export async function seedOrder(store: EventStore, snapshot: ScayleOrderSnapshot): Promise<string> {
  const stream = orderStreamId(snapshot.shopKey, snapshot.countryCode, snapshot.orderId);
  const key = `wh-${snapshot.orderId}`;
  const events: EventData[] = [
    {
      id: uuidv5(sourceEventName('scayle', key, 'ScayleOrderConfirmed'), LEDGER_EVENT_NAMESPACE),
      type: 'ScayleOrderConfirmed',
      data: { order: snapshot, webhookKey: key, scayleEventType: 'order-confirmed' },
      metadata: meta('scayle', key, snapshot.confirmedAt ?? snapshot.updatedAt),
    },
    {
      id: uuidv5(sourceEventName('scayle', `${key}-capture`, 'ScaylePaymentCaptured'), LEDGER_EVENT_NAMESPACE),
      type: 'ScaylePaymentCaptured',
      data: {
        orderId: snapshot.orderId,
        shopKey: snapshot.shopKey,
        countryCode: snapshot.countryCode,
        transactionId: `tx-${snapshot.orderId}`,
        operationStatus: 'successful',
        amount: snapshot.cost.capture,
        currency: snapshot.currency,
      },
      metadata: meta('scayle', `${key}-capture`, snapshot.confirmedAt ?? snapshot.updatedAt),
    },
  ];
  await store.appendToStream(stream, events, { expectedRevision: 'any' });
  return stream;
}

/** Appends a `RefundRequested` as the refund handler would (for outbox tests that bypass HTTP). */
export async function appendRefundRequested(
  store: EventStore,
  stream: string,
  refund: { refundId: string; amount: string; items: { orderItemId: string; amount: string }[]; reason?: string; orderId: string },
): Promise<bigint> {
  const at = '2024-05-03T09:00:00.000Z';
  const res = await store.appendToStream(
    stream,
    [
      {
        id: uuidv5(sourceEventName('ledger', refund.refundId, 'RefundRequested'), LEDGER_EVENT_NAMESPACE),
        type: 'RefundRequested',
        data: { refundId: refund.refundId, amount: refund.amount, currency: 'EUR', items: refund.items, reason: refund.reason ?? 'goodwill', requestedAt: at, requestedBy: 'cx:test' },
        metadata: { ...meta('ledger', refund.refundId, at), orderId: refund.orderId, actor: 'cx:test' },
      },
    ],
    { expectedRevision: 'any' },
  );
  return res.position;
}

/**
 * Seeds an order as ingestion would leave it: its facts in the log and its stream in the order
 * directory (so REST paths can find it by order id). Returns the stream id.
 */
export async function seedKnownOrder(container: { get<T>(id: symbol): T }, snapshot: ScayleOrderSnapshot): Promise<string> {
  const stream = await seedOrder(container.get<EventStore>(TOKENS.EventStore), snapshot);
  const directory = container.get<OrderDirectory>(TOKENS.OrderDirectory);
  await directory.record({ streamId: stream, shopKey: snapshot.shopKey, countryCode: snapshot.countryCode, orderId: snapshot.orderId });
  return stream;
}

/**
 * Appends a posted ERP invoice that bills the snapshot exactly (one line per unit item, one
 * shipping line), with `taxCode` on every line. Returns its position.
 */
export async function appendErpInvoice(store: EventStore, stream: string, snapshot: ScayleOrderSnapshot, taxCode: string | null = 'DE19'): Promise<bigint> {
  const lines = [
    ...snapshot.items.map((it, i) => ({ lineNumber: i + 1, kind: 'item' as const, orderItemIds: [it.itemId], quantity: '1', net: it.net, tax: it.tax, gross: it.gross, taxCode, taxRate: it.taxRate })),
    ...snapshot.fees.map((f, i) => ({ lineNumber: 100 + i, kind: 'shipping' as const, quantity: '1', net: f.net, tax: f.tax, gross: f.gross, taxCode, taxRate: f.taxRate })),
  ];
  const number = `INV-${snapshot.orderId}`;
  const document = {
    documentType: 'invoice',
    documentNumber: number,
    revision: 1,
    status: 'posted',
    orderReference: snapshot.orderId,
    postingDate: '2024-05-02',
    documentDate: '2024-05-02',
    currency: snapshot.currency,
    pricesIncludeTax: false,
    totals: { net: snapshot.cost.net, tax: snapshot.cost.tax, gross: snapshot.cost.gross },
    lines,
  };
  const res = await store.appendToStream(
    stream,
    [{ id: uuidv5(sourceEventName('erp', `${number}:1`, 'ErpInvoicePosted'), LEDGER_EVENT_NAMESPACE), type: 'ErpInvoicePosted', data: { document, quantisedAmounts: [] }, metadata: { ...meta('scayle', `${number}:1`, '2024-05-02T13:00:00Z'), schemaVersion: schemaVersionOf('ErpInvoicePosted') } }],
    { expectedRevision: 'any' },
  );
  return res.position;
}
