/**
 * Scayle webhook deliveries → order events (DESIGN §8).
 *
 * Envelope: `{key, occurredAt, type, payload}` plus either `locale` (older generation) or
 * `meta` + `version` (newer). `key` is the delivery id the dedupe runs on. Order-level events carry
 * the Order as `payload`; item events carry the Order too (affected item ids are read from
 * `payload.itemIds` / `payload.items` when the payload wraps the order as `payload.order`);
 * payment events add `transaction {transactionId, operationStatus, amount?}`.
 */
import type { ScayleOrderFactType, ScaylePaymentData } from '../../../domain/order/order.events';
import { orderStreamId } from '../../../domain/shared/streams';
import { Money } from '../../../domain/shared/money';
import { DomainError } from '../../../domain/shared/errors';
import { MappingFailure } from '../ingest-outcome';
import { looksLikeOrder, mapScayleOrder, orderKeys, OrderMappingFallback, orderShop } from './scayle-order.mapper';
import { isCountryCode, isShopKey, requireOrderId, scayleOrderId } from './scayle-order-keys';
import { minorUnits, obj, optionalString, requireId, requireObj, requireString } from './scayle-values';
import type { ScayleOrderSnapshot } from '../../../domain/order/scayle-order.snapshot';

/** A validated envelope (the HTTP layer rejects envelopes without these with 400). */
export interface ScayleWebhookEnvelope {
  key: string;
  occurredAt: string;
  type: string;
  payload: Record<string, unknown>;
  /** Older generation: Scayle's `{appId, countryCode, currencyCode, languageCode}` (a plain locale string is accepted too). */
  locale?: string | Record<string, unknown>;
  meta?: Record<string, unknown>;
  version?: string | number;
}

/** Webhook type → order fact type. Both spellings of cancel are Scayle's. */
export const ORDER_FACT_BY_WEBHOOK: Readonly<Record<string, ScayleOrderFactType>> = {
  'order-confirmed': 'ScayleOrderConfirmed',
  'order-delegated': 'ScayleOrderDelegated',
  'order-package-shipped': 'ScayleOrderPackageShipped',
  'order-partially-invoiced': 'ScayleOrderPartiallyInvoiced',
  'order-invoiced': 'ScayleOrderInvoiced',
  'order-corrective-invoiced': 'ScayleOrderCorrectiveInvoiced',
  'order-item-cancelled': 'ScayleOrderItemCancelled',
  'order-item-canceled': 'ScayleOrderItemCancelled',
  'order-cancelled': 'ScayleOrderCancelled',
  'order-canceled': 'ScayleOrderCancelled',
  'order-item-returned': 'ScayleOrderItemReturned',
  'order-item-unshippable': 'ScayleOrderItemUnshippable',
  'order-item-out-of-stock': 'ScayleOrderItemOutOfStock',
};

export const PAYMENT_EVENT_BY_WEBHOOK: Readonly<Record<string, 'ScaylePaymentCaptured' | 'ScaylePaymentRefunded'>> = {
  'payment-capture': 'ScaylePaymentCaptured',
  'payment-refund': 'ScaylePaymentRefunded',
};

/** The mapped delivery: which stream, which event (type + data), and the order it names. */
export type MappedWebhook =
  | { kind: 'order'; streamId: string; type: ScayleOrderFactType; data: { order: ScayleOrderSnapshot; itemIds?: string[] }; derived: string[] }
  | { kind: 'payment'; streamId: string; type: 'ScaylePaymentCaptured' | 'ScaylePaymentRefunded'; data: Omit<ScaylePaymentData, 'webhookKey' | 'raw'>; order: Record<string, unknown> }
  | { kind: 'unknown'; streamId: string; type: 'ScayleWebhookReceived' };

/** Shop key / country the newer envelope's `meta` names (`meta.shopKey`, `meta.shop.key`, `meta.countryCode`). */
export function envelopeFallback(envelope: ScayleWebhookEnvelope): OrderMappingFallback {
  const meta = envelope.meta ?? {};
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && !/\s/.test(v) ? v : undefined);
  const shopKeyPath = str(meta.shopKey) !== undefined ? 'meta.shopKey' : 'meta.shop.key';
  const countryCodePath = str(meta.countryCode) !== undefined ? 'meta.countryCode' : 'meta.shop.countryCode';
  return {
    shopKey: str(meta.shopKey) ?? str(obj(meta.shop)?.key),
    countryCode: str(meta.countryCode) ?? str(obj(meta.shop)?.countryCode),
    shopKeyPath,
    countryCodePath,
    updatedAt: envelope.occurredAt,
  };
}

/** The order inside a payload: the payload itself, or `payload.order`. */
function orderOf(payload: Record<string, unknown>): { order: Record<string, unknown>; path: string } | undefined {
  if (looksLikeOrder(payload)) return { order: payload, path: 'payload' };
  const inner = obj(payload.order);
  if (inner && looksLikeOrder(inner)) return { order: inner, path: 'payload.order' };
  return undefined;
}

function affectedItemIds(payload: Record<string, unknown>, wrapped: boolean): string[] | undefined {
  const ids: string[] = [];
  if (Array.isArray(payload.itemIds)) payload.itemIds.forEach((v, i) => ids.push(requireId(v, `payload.itemIds[${i}]`)));
  if (wrapped && Array.isArray(payload.items)) payload.items.forEach((v, i) => ids.push(requireId(obj(v)?.id ?? v, `payload.items[${i}].id`)));
  const item = obj(payload.item);
  if (item) ids.push(requireId(item.id, 'payload.item.id'));
  return ids.length > 0 ? ids : undefined;
}

/**
 * Maps a delivery. Unknown types are stored as `ScayleWebhookReceived` in the order's stream when
 * the payload names an order, else in `scayle-webhook-<key>`.
 * @throws MappingFailure when a known type cannot be mapped.
 */
export function mapScayleWebhook(envelope: ScayleWebhookEnvelope): MappedWebhook {
  const fallback = envelopeFallback(envelope);
  const orderFact = ORDER_FACT_BY_WEBHOOK[envelope.type];
  if (orderFact) {
    const found = orderOf(envelope.payload);
    if (!found) {
      if (envelope.payload.id !== undefined && !Array.isArray(envelope.payload.items)) {
        throw new MappingFailure('order_without_items', 'the order has no items', 'payload.items');
      }
      throw new MappingFailure('payload_not_an_order', `a ${envelope.type} payload must be the Order`, 'payload');
    }
    const derived: string[] = [];
    const order = mapScayleOrder(found.order, fallback, found.path, derived);
    const itemIds = affectedItemIds(envelope.payload, found.path !== 'payload');
    return {
      kind: 'order',
      derived,
      streamId: orderStreamId(order.shopKey, order.countryCode, order.orderId),
      type: orderFact,
      data: { order, ...(itemIds ? { itemIds } : {}) },
    };
  }
  const paymentType = PAYMENT_EVENT_BY_WEBHOOK[envelope.type];
  if (paymentType) return mapPayment(envelope, paymentType, fallback);
  // Stored in the order's stream only when every part of its name is a valid Scayle value.
  const keys = orderKeys(orderOf(envelope.payload)?.order, fallback);
  const orderId = scayleOrderId(keys.orderId);
  const streamId = orderId && isShopKey(keys.shopKey) && isCountryCode(keys.countryCode) ? orderStreamId(keys.shopKey, keys.countryCode, orderId) : `scayle-webhook-${envelope.key}`;
  return { kind: 'unknown', streamId, type: 'ScayleWebhookReceived' };
}

function mapPayment(envelope: ScayleWebhookEnvelope, type: 'ScaylePaymentCaptured' | 'ScaylePaymentRefunded', fallback: OrderMappingFallback): MappedWebhook {
  const payload = envelope.payload;
  const found = orderOf(payload);
  const order = found?.order ?? payload;
  const base = found?.path ?? 'payload';
  const orderId = order.id !== undefined && order.id !== null ? requireOrderId(order.id, `${base}.id`) : requireOrderId(payload.orderId, 'payload.orderId');
  const keys = orderShop(order, fallback, base, 'payment');
  const transaction = requireObj(payload.transaction ?? order.transaction, 'payload.transaction');
  const currency = requireString(transaction.currencyCode ?? order.currencyCode, `${base}.currencyCode`);
  const rawAmount = transaction.amount ?? payload.amount ?? (type === 'ScaylePaymentCaptured' ? obj(order.cost)?.costCapture : undefined);
  if (rawAmount === undefined) throw new MappingFailure('payment_without_amount', 'the payment names no amount (transaction.amount)', 'payload.transaction.amount');
  let amount: string;
  try {
    amount = Money.fromMinorUnits(minorUnits(rawAmount, 'payload.transaction.amount'), currency).abs().toString();
  } catch (err) {
    if (err instanceof DomainError) throw new MappingFailure(err.code, err.message, err.code === 'unknown_currency' ? `${base}.currencyCode` : 'payload.transaction.amount');
    throw err;
  }
  const itemIds: string[] = [];
  const txItems = Array.isArray(transaction.items) ? transaction.items : Array.isArray(transaction.itemIds) ? transaction.itemIds : [];
  txItems.forEach((v, i) => itemIds.push(requireId(obj(v)?.id ?? v, `payload.transaction.items[${i}]`)));
  return {
    kind: 'payment',
    streamId: orderStreamId(keys.shopKey, keys.countryCode, orderId),
    type,
    order,
    data: {
      orderId,
      shopKey: keys.shopKey,
      countryCode: keys.countryCode,
      transactionId: requireId(transaction.transactionId ?? transaction.id, 'payload.transaction.transactionId'),
      operationStatus: optionalString(transaction.operationStatus, 'payload.transaction.operationStatus') ?? 'unknown',
      amount,
      currency,
      ...(itemIds.length ? { itemIds } : {}),
    },
  };
}

/** References of an order payload (for payments, which carry the order but not as a snapshot). Never throws. */
export function directoryRefsOfPayload(order: Record<string, unknown>): { referenceKey?: string; publicKey?: string; paymentReferences: string[] } {
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined);
  const ref = text(order.referenceKey);
  const pub = text(order.publicKey);
  const payments = (Array.isArray(order.payment) ? order.payment : []).map((p) => text(obj(p)?.transactionKey)).filter((k): k is string => k !== undefined);
  return { ...(ref ? { referenceKey: ref } : {}), ...(pub ? { publicKey: pub } : {}), paymentReferences: payments };
}
