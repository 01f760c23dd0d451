/**
 * Scayle webhooks in Scayle's real shapes (DESIGN §8, shared/fixtures/scayle-admin-api): the Order as
 * payload (integer minor units, `price.tax.vat {amount, rate}`, `cost {withTax, withoutTax,
 * tax.vat.amount, appliedFees[], appliedReductions[], costCapture}`, one `items[]` entry per unit),
 * wrapped in either envelope generation — `{key, occurredAt, type, payload, locale}` (older) or
 * `{key, occurredAt, type, payload, meta, version}` (newer). Payment events add
 * `transaction {transactionId, operationStatus, amount, items}`; `amount` (minor units) and `items`
 * are what the ledger's webhook mapper reads for the refunded amount and the items it covers.
 */
import { ts, type SimOrder } from './order-model';

/** How far the order has got when a webhook is sent. */
export interface OrderStage {
  at: number;
  cancelledItems: ReadonlySet<number>;
  returnedItems: ReadonlySet<number>;
  shipped: boolean;
  invoiced: boolean;
  cancelledOrder: boolean;
}

const n = (v: bigint): number => Number(v);

function itemStatus(o: SimOrder, itemId: number, s: OrderStage): string {
  if (s.cancelledOrder || s.cancelledItems.has(itemId)) return 'cancelled';
  if (s.returnedItems.has(itemId)) return 'returned';
  if (s.shipped) return 'delivered';
  return o.times.delegated <= s.at ? 'delegated' : 'available';
}

function orderStatus(o: SimOrder, s: OrderStage): { status: string; detailed: { order: string; billing: string; shipping: string } } {
  if (s.cancelledOrder) return { status: 'cancellation_completed', detailed: { order: 'order_cancelled', billing: 'billing_cancelled', shipping: 'shipping_cancelled' } };
  const shipping = s.returnedItems.size > 0 ? (s.returnedItems.size === o.items.length ? 'shipping_returned' : 'shipping_partially_returned') : s.shipped ? 'shipping_delivered' : 'shipping_open';
  if (s.invoiced) return { status: 'invoice_completed', detailed: { order: 'order_invoiced', billing: s.returnedItems.size > 0 ? 'billing_refunded' : 'billing_paid', shipping } };
  return { status: 'payment_reserved', detailed: { order: o.times.delegated <= s.at ? 'order_delegated' : 'order_open', billing: 'billing_payment_pending', shipping } };
}

/** The Scayle Order as the Admin API and webhooks show it at `stage`. */
export function scayleOrderPayload(o: SimOrder, s: OrderStage): Record<string, unknown> {
  const cur = o.shop.currency;
  const open = o.items.filter((i) => !s.cancelledItems.has(i.itemId));
  const counted = s.cancelledOrder ? o.items : open;
  const feeGross = o.fees.reduce((a, f) => a + f.gross, 0n);
  const feeNet = o.fees.reduce((a, f) => a + f.net, 0n);
  const withTax = counted.reduce((a, i) => a + i.gross, feeGross);
  const withoutTax = counted.reduce((a, i) => a + i.net, feeNet);
  const reductions = counted.reduce((a, i) => a + i.reductions.reduce((b, r) => b + r.absoluteWithTax, 0n), 0n);
  const { status, detailed } = orderStatus(o, s);
  const address = {
    city: 'Exampletown',
    countryCode: o.shop.addressCountry,
    houseNumber: '1',
    id: o.customerId * 2,
    isDefault: { billing: true, shipping: true },
    recipient: { firstName: 'Alex', gender: 'm', lastName: 'Example', type: 'personal' },
    street: 'Example Street',
    zipCode: '00000',
  };
  const payload: Record<string, unknown> = {
    id: o.orderId,
    address: { billing: address, shipping: { ...address, id: o.customerId * 2 + 1 } },
    basketKey: o.basketKey,
    confirmedAt: ts(o.times.confirmed),
    cost: {
      appliedFees: o.fees.map((f) => ({
        amount: { withTax: n(f.gross), withoutTax: n(f.net) },
        category: f.category,
        key: f.key,
        option: f.option,
        tax: { vat: { amount: n(f.tax), rate: Number(f.rate) } },
      })),
      ...(reductions > 0n && o.voucher
        ? { appliedReductions: [{ amount: { absoluteWithTax: n(reductions), relative: o.voucher.type === 'relative' ? Number(o.voucher.value) / 100 : 0 }, category: 'voucher', type: o.voucher.type }] }
        : {}),
      costCapture: n(withTax),
      tax: { vat: { amount: n(withTax - withoutTax) } },
      withTax: n(withTax),
      withTaxWithMembershipDiscountWithoutServiceCosts: n(withTax),
      withoutTax: n(withoutTax),
      withoutTaxWithMembershipDiscount: n(withoutTax),
    },
    createdAt: ts(o.times.confirmed),
    currencyCode: cur,
    customer: { id: o.customerId, publicKey: `customer-${o.customerId}`, referenceKey: `cust-${o.customerId}`, type: 'personal', status: { isActive: true, isGuestCustomer: false } },
    detailedStatus: {
      billing: { code: detailed.billing },
      order: { code: detailed.order },
      shipping: { code: detailed.shipping },
    },
    items: o.items.map((i) => ({
      createdAt: ts(o.times.confirmed),
      currency: cur,
      id: i.itemId,
      key: i.key,
      merchant: { referenceKey: i.variant.merchant },
      packageId: i.packageId,
      price: {
        ...(i.reductions.length
          ? { appliedReductions: i.reductions.map((r) => ({ amount: { absoluteWithTax: n(r.absoluteWithTax), relative: Number(r.relative) }, category: r.category, type: r.type })) }
          : {}),
        overrideWithTax: 0,
        overrideWithoutTax: 0,
        tax: { vat: { amount: n(i.tax), rate: Number(i.rate) } },
        undiscountedWithOutTax: n(i.undiscountedNet),
        undiscountedWithTax: n(i.undiscountedGross),
        withTax: n(i.gross),
        withoutTax: n(i.net),
      },
      product: { id: i.variant.productId, name: i.variant.name },
      status: itemStatus(o, i.itemId, s),
      variant: { id: i.variant.variantId, referenceKey: i.variant.referenceKey, stock: { supplierId: 1 } },
      ...(o.times.delegated <= s.at ? { delegatedAt: ts(o.times.delegated) } : {}),
      ...(s.shipped && o.times.shipped !== undefined && !s.cancelledItems.has(i.itemId) ? { shippedAt: ts(o.times.shipped) } : {}),
    })),
    ...(s.invoiced && o.times.invoiced !== undefined ? { invoicedAt: ts(o.times.invoiced) } : {}),
    packages:
      s.shipped && o.times.shipped !== undefined
        ? [{ carrierKey: 'dhl', deliveryStatus: 'shipment_completed', id: o.items[0]!.packageId, shipmentKey: `shpmnt-${o.orderId}-1`, shippedAt: ts(o.times.shipped) }]
        : [],
    payment: [{ amount: n(withTax), key: o.psp.paymentKey, transactionKey: o.transactionKey }],
    publicKey: o.publicKey,
    referenceKey: o.referenceKey,
    shipping: { deliveryCosts: n(o.fees.filter((f) => f.category === 'delivery').reduce((a, f) => a + f.gross, 0n)), policy: 'least_packages' },
    status,
    updatedAt: ts(s.at),
    vouchers: o.voucher
      ? [{ applicableItems: o.items.map((i) => ({ isApplied: i.reductions.length > 0, key: i.key })), code: o.voucher.code, id: o.voucher.id, type: o.voucher.type, value: n(o.voucher.value), voucherId: o.voucher.voucherId }]
      : [],
    shopCountry: { id: o.shop.shopCountryId, shopKey: o.shop.shopKey, countryCode: o.shop.countryCode, defaultLanguageCode: o.shop.languageCode, currencyCode: o.shop.currency, active: true, deleted: false },
    channel: { id: o.channel === 'marketplace' ? 3 : o.channel === 'app' ? 2 : 1, key: `${o.channel}-${o.shop.countryCode.toLowerCase()}`, name: o.channel, type: o.channel },
  };
  return payload;
}

/** Which envelope generation a delivery uses. */
export type EnvelopeGeneration = 'locale' | 'meta';

/** Wraps a payload in a webhook envelope. */
export function webhookEnvelope(
  o: SimOrder,
  gen: EnvelopeGeneration,
  key: string,
  type: string,
  at: number,
  payload: Record<string, unknown>,
): Record<string, unknown> {
  const base = { key, occurredAt: ts(at), type, payload };
  if (gen === 'locale') {
    return { ...base, locale: { appId: 100, countryCode: o.shop.countryCode, currencyCode: o.shop.currency, languageCode: o.shop.languageCode } };
  }
  return { ...base, meta: { tenantKey: 'simshop', xRequestId: key.slice(0, 16) }, version: 1 };
}

/** A payment webhook payload: the Order plus the transaction (minor units, item ids). */
export function paymentPayload(order: Record<string, unknown>, transactionId: string, amount: bigint, itemIds?: readonly number[]): Record<string, unknown> {
  return {
    ...order,
    transaction: {
      transactionId,
      operationStatus: 'successful',
      amount: Number(amount),
      ...(itemIds && itemIds.length ? { items: itemIds.map((id) => ({ id })) } : {}),
    },
  };
}
