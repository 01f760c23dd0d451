/**
 * Derived view of an {@link OrderState}: the latest Scayle order with corrections applied, item
 * statuses, successful payments and the ERP documents that count. Pure function of the keyed facts,
 * so it inherits the state's independence of arrival order.
 */
import type { ErpDocument } from '../erp/erp-document';
import type { CurrencyLike } from '../shared/currency';
import { Money, type QuantisationWarning } from '../shared/money';
import type { RoundingMode } from '../shared/rounding';
import { normaliseRate } from '../shared/tax';
import type { ScayleOrderSnapshot } from './scayle-order.snapshot';
import type { RefundRequested } from './order.events';
import { type Fact, factOrder, type OrderState, type PaymentRecord, type PspLineRecord } from './order.state';

/** A Scayle unit item as the ledger compares it. */
export interface ViewItem {
  itemId: string;
  itemKey?: string;
  variantReferenceKey?: string;
  status: string;
  gross: Money;
  net: Money;
  tax: Money;
  /** Normalised fraction string. */
  taxRate: string;
  /** Σ `appliedReductions[].absoluteWithTax`. */
  reductionsGross: Money;
  cancelled: boolean;
  returned: boolean;
  /** Values come from a `LineItemsCorrected` (id of that event). */
  correctedBy?: string;
  taxCode?: string;
}

/** A Scayle fee; `component` is `shipping` for category `delivery`, else `fees`. */
export interface ViewFee {
  key: string;
  component: 'shipping' | 'fees';
  gross: Money;
  net: Money;
  tax: Money;
  taxRate: string;
}

export interface OrderView {
  order?: ScayleOrderSnapshot;
  currency?: string;
  items: ViewItem[];
  fees: ViewFee[];
  fullyCancelled: boolean;
  /** When the sale happened for period purposes (DESIGN §7): invoicing time, else confirmation. */
  saleAt?: string;
  /** Successful captures/refunds, and pending ones, by transaction. */
  captures: Fact<PaymentRecord>[];
  refunds: Fact<PaymentRecord>[];
  pendingPayments: Fact<PaymentRecord>[];
  /** Documents that count: highest revision, not cancelled; invoices and credit memos only when posted. */
  invoices: Fact<ErpDocument>[];
  creditMemos: Fact<ErpDocument>[];
  salesOrders: Fact<ErpDocument>[];
  erpPayments: Fact<ErpDocument>[];
  pspLines: Fact<PspLineRecord>[];
  /** Ledger refund requests, and the ids of those Scayle has recorded. */
  refundRequests: Fact<RefundRequested['data']>[];
  recordedRefundIds: Set<string>;
  /** Source time of the latest Scayle order fact. */
  latestScayleAt?: string;
  /** Amounts the ingestion quantised, by the event id of the ERP document fact (`OrderFacts.erpQuantisations`). */
  erpQuantisations: OrderState['erpQuantisations'];
  /** Sub-minor-unit amounts found in Scayle figures, quantised with the profile mode. */
  warnings: { warning: QuantisationWarning; field: string; eventId: string }[];
  /** Event ids of the latest snapshot and of every Scayle fact. */
  scayleEventIds: string[];
}

const CANCELLED = new Set(['cancelled', 'canceled']);
const RETURNED = new Set(['returned']);
const ORDER_CANCELLED = new Set(['cancelled', 'canceled', 'cancellation_completed']);

/**
 * Whether a Scayle `operationStatus` means the money moved. `failed`/`declined`/`error`/`cancelled`
 * do not count; `pending`/`open`/`initiated` are pending; anything else (`successful`, `success`,
 * `completed`…) counts.
 */
export function paymentOutcome(operationStatus: string): 'succeeded' | 'failed' | 'pending' {
  const s = operationStatus.toLowerCase();
  if (/fail|declin|error|cancel|reject/.test(s)) return 'failed';
  if (/pend|open|init|progress/.test(s)) return 'pending';
  return 'succeeded';
}

const sorted = <T>(rec: Readonly<Record<string, Fact<T>>>): Fact<T>[] => Object.values(rec).sort(factOrder);

/** Derives the view; `mode` quantises off-scale Scayle figures (reported as data-quality warnings). */
export function orderView(state: OrderState, mode: RoundingMode = 'half_even'): OrderView {
  const warnings: OrderView['warnings'] = [];
  const scayleFacts = sorted(state.scayleFacts);
  const payments = sorted(state.payments);
  const docs = sorted(state.erpDocuments).filter((d) => d.data.status !== 'cancelled');
  const view: OrderView = {
    items: [],
    fees: [],
    fullyCancelled: false,
    captures: payments.filter((p) => p.data.kind === 'capture' && paymentOutcome(p.data.operationStatus) === 'succeeded'),
    refunds: payments.filter((p) => p.data.kind === 'refund' && paymentOutcome(p.data.operationStatus) === 'succeeded'),
    pendingPayments: payments.filter((p) => paymentOutcome(p.data.operationStatus) === 'pending'),
    invoices: docs.filter((d) => d.data.documentType === 'invoice' && d.data.status === 'posted'),
    creditMemos: docs.filter((d) => d.data.documentType === 'credit_memo' && d.data.status === 'posted'),
    salesOrders: docs.filter((d) => d.data.documentType === 'sales_order'),
    erpPayments: docs.filter((d) => d.data.documentType === 'payment'),
    pspLines: sorted(state.pspLines),
    refundRequests: sorted(state.refundRequests),
    recordedRefundIds: new Set(Object.keys(state.refundsRecorded)),
    erpQuantisations: state.erpQuantisations,
    warnings,
    scayleEventIds: scayleFacts.map((f) => f.eventId),
  };
  if (state.kind !== 'order_known') return view;
  const latest = state.latest;
  const order = latest.data.order;
  const cur = order.currency;
  const amount = (s: string, field: string): Money => parseScayleAmount(s, cur, mode, field, latest.eventId, warnings);

  const cancelledIds = new Set<string>();
  const returnedIds = new Set<string>();
  let orderCancelled = ORDER_CANCELLED.has(order.status);
  for (const f of scayleFacts) {
    if (f.data.type === 'ScayleOrderItemCancelled') f.data.itemIds.forEach((id) => cancelledIds.add(id));
    if (f.data.type === 'ScayleOrderItemReturned') f.data.itemIds.forEach((id) => returnedIds.add(id));
    if (f.data.type === 'ScayleOrderCancelled') orderCancelled = true;
  }
  const corrections = new Map<string, { eventId: string; item: { gross: string; net: string; tax: string; taxRate: string; taxCode?: string } }>();
  for (const c of sorted(state.corrections).sort((a, b) => a.data.correctedAt.localeCompare(b.data.correctedAt) || factOrder(a, b))) {
    for (const item of c.data.items) corrections.set(item.orderItemId, { eventId: c.eventId, item });
  }

  view.order = order;
  view.latestScayleAt = latest.occurredAt;
  view.currency = cur;
  view.items = order.items.map((it, i) => {
    const corr = corrections.get(it.itemId);
    const src = corr ? corr.item : it;
    const field = corr ? `correction.items[${it.itemId}]` : `order.items[${i}]`;
    const v: ViewItem = {
      itemId: it.itemId,
      status: it.status,
      gross: amount(src.gross, `${field}.gross`),
      net: amount(src.net, `${field}.net`),
      tax: amount(src.tax, `${field}.tax`),
      taxRate: normaliseRate(src.taxRate),
      reductionsGross: it.reductions.reduce((s, r, k) => s.add(amount(r.gross, `${field}.reductions[${k}].gross`)), Money.zero(cur)),
      cancelled: orderCancelled || CANCELLED.has(it.status) || cancelledIds.has(it.itemId),
      returned: RETURNED.has(it.status) || returnedIds.has(it.itemId),
    };
    if (it.itemKey !== undefined) v.itemKey = it.itemKey;
    if (it.variantReferenceKey !== undefined) v.variantReferenceKey = it.variantReferenceKey;
    if (corr) v.correctedBy = corr.eventId;
    if (corr?.item.taxCode !== undefined) v.taxCode = corr.item.taxCode;
    return v;
  });
  view.fees = order.fees.map((f, i) => ({
    key: f.key,
    component: f.category === 'delivery' ? 'shipping' : 'fees',
    gross: amount(f.gross, `order.fees[${i}].gross`),
    net: amount(f.net, `order.fees[${i}].net`),
    tax: amount(f.tax, `order.fees[${i}].tax`),
    taxRate: normaliseRate(f.taxRate),
  }));
  view.fullyCancelled = orderCancelled || (view.items.length > 0 && view.items.every((i) => i.cancelled));
  const invoicedFact = scayleFacts.find((f) => f.data.type === 'ScayleOrderInvoiced' || f.data.type === 'ScayleOrderPartiallyInvoiced');
  const confirmedFact = scayleFacts.find((f) => f.data.type === 'ScayleOrderConfirmed');
  const saleAt = order.invoicedAt ?? invoicedFact?.occurredAt ?? order.confirmedAt ?? confirmedFact?.occurredAt ?? scayleFacts[0]?.occurredAt;
  if (saleAt !== undefined) view.saleAt = saleAt;
  return view;
}

function parseScayleAmount(s: string, cur: CurrencyLike, mode: RoundingMode, field: string, eventId: string, warnings: OrderView['warnings']): Money {
  const r = Money.parse(s, cur, { quantise: mode, field });
  if (r.warning) warnings.push({ warning: r.warning, field, eventId });
  return r.money;
}
