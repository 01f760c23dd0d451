/**
 * Test builders for order streams: Scayle snapshots in integer cents (as Scayle sends them), ERP
 * documents in decimal strings, envelopes with explicit ids and source times.
 */
import type { ErpDocument, ErpDocumentLine, ErpLineKind } from '../../../../src/domain/erp/erp-document';
import { schemaVersionOf } from '../../../../src/domain/event-schema/ledger-upcasters';
import type { OrderEventEnvelope, ScayleOrderFactType } from '../../../../src/domain/order/order.events';
import type { ScayleOrderSnapshot, ScayleOrderItem, ScayleFee } from '../../../../src/domain/order/scayle-order.snapshot';
import { orderStateFrom, type OrderState } from '../../../../src/domain/order/order.state';
import type { ReconciliationPolicy } from '../../../../src/domain/order/reconciliation.policy';
import type { PspSettlementLine } from '../../../../src/domain/settlement/psp-settlement-line';
import { Money } from '../../../../src/domain/shared/money';
import type { ErpRoundingProfile } from '../../../../src/domain/shared/rounding';

export type Env = OrderEventEnvelope<{ type: string; data: unknown }>;

const major = (cents: number | bigint, cur: string): string => Money.fromMinorUnits(BigInt(cents), cur).toString();

export interface ItemSpec {
  id: string;
  variant?: string;
  /** Integer minor units. */
  gross: number;
  net: number;
  tax: number;
  rate: string;
  status?: string;
  reductions?: number;
}

export interface FeeSpec {
  key?: string;
  category?: string;
  gross: number;
  net: number;
  tax: number;
  rate: string;
}

export interface OrderSpec {
  orderId?: string;
  currency?: string;
  countryCode?: string;
  channelType?: string;
  status?: string;
  confirmedAt?: string;
  invoicedAt?: string;
  updatedAt?: string;
  items: ItemSpec[];
  fees?: FeeSpec[];
}

export function snapshot(spec: OrderSpec): ScayleOrderSnapshot {
  const cur = spec.currency ?? 'EUR';
  const items: ScayleOrderItem[] = spec.items.map((i) => ({
    itemId: i.id,
    variantReferenceKey: i.variant ?? 'V1',
    status: i.status ?? 'open',
    gross: major(i.gross, cur),
    net: major(i.net, cur),
    tax: major(i.tax, cur),
    taxRate: i.rate,
    reductions: i.reductions ? [{ category: 'voucher', type: 'absolute', gross: major(i.reductions, cur) }] : [],
  }));
  const fees: ScayleFee[] = (spec.fees ?? []).map((f, k) => ({ key: f.key ?? `fee${k}`, category: f.category ?? 'delivery', gross: major(f.gross, cur), net: major(f.net, cur), tax: major(f.tax, cur), taxRate: f.rate }));
  const sum = (k: 'gross' | 'net' | 'tax') => [...spec.items, ...(spec.fees ?? [])].reduce((s, x) => s + BigInt(x[k]), 0n);
  const s: ScayleOrderSnapshot = {
    orderId: spec.orderId ?? 'O1',
    shopKey: 'msde',
    countryCode: spec.countryCode ?? 'DE',
    currency: cur,
    status: spec.status ?? 'payment_reserved',
    updatedAt: spec.updatedAt ?? spec.confirmedAt ?? '2024-06-10T10:00:00Z',
    items,
    fees,
    reductions: [],
    vouchers: [],
    cost: { gross: major(sum('gross'), cur), net: major(sum('net'), cur), tax: major(sum('tax'), cur), capture: major(sum('gross'), cur) },
    payments: [{ key: 'accounting', transactionKey: 'tx-1', amount: major(sum('gross'), cur) }],
  };
  if (spec.confirmedAt !== undefined || spec.invoicedAt === undefined) s.confirmedAt = spec.confirmedAt ?? '2024-06-10T10:00:00Z';
  if (spec.invoicedAt !== undefined) s.invoicedAt = spec.invoicedAt;
  if (spec.channelType !== undefined) s.channelType = spec.channelType;
  return s;
}

/** An event envelope at the latest schema version of `type` (what the domain reads). */
export function env(id: string, type: string, data: unknown, occurredAt = '2024-06-10T10:00:00Z', source = 'scayle'): Env {
  return { id, type, data, metadata: { occurredAt, source, recordedAt: occurredAt, schemaVersion: schemaVersionOf(type) } };
}

export function scayleFact(id: string, type: ScayleOrderFactType, spec: OrderSpec, occurredAt?: string, itemIds?: string[]): Env {
  const data: Record<string, unknown> = { order: snapshot(spec), webhookKey: `wh-${id}` };
  if (itemIds) data.itemIds = itemIds;
  return env(id, type, data, occurredAt ?? spec.confirmedAt ?? '2024-06-10T10:00:00Z');
}

export interface LineSpec {
  kind?: ErpLineKind;
  net: string;
  tax: string;
  gross: string;
  ids?: string[];
  variant?: string;
  qty?: string;
  taxCode?: string | null;
  rate?: string;
}

export interface DocSpec {
  type?: ErpDocument['documentType'];
  number?: string;
  revision?: number;
  status?: ErpDocument['status'];
  currency?: string;
  postingDate?: string;
  orderReference?: string | null;
  pricesIncludeTax?: boolean;
  exchangeRate?: string;
  lines: LineSpec[];
  totals?: { net: string; tax: string; gross: string };
}

export function erpDoc(spec: DocSpec): ErpDocument {
  const cur = spec.currency ?? 'EUR';
  const lines: ErpDocumentLine[] = spec.lines.map((l, k) => {
    const line: ErpDocumentLine = { lineNumber: (k + 1) * 10000, kind: l.kind ?? 'item', quantity: l.qty ?? '1', net: l.net, tax: l.tax, gross: l.gross, taxCode: l.taxCode === undefined ? 'S' : l.taxCode };
    if (l.ids) line.orderItemIds = l.ids;
    else if ((l.kind ?? 'item') === 'item') line.variantReferenceKey = l.variant ?? 'V1';
    if (l.rate !== undefined) line.taxRate = l.rate;
    return line;
  });
  const total = (k: 'net' | 'tax' | 'gross') => spec.lines.reduce((s, l) => s.add(Money.parse(l[k], cur)), Money.zero(cur)).toString();
  const doc: ErpDocument = {
    documentType: spec.type ?? 'invoice',
    documentNumber: spec.number ?? 'SI-1',
    revision: spec.revision ?? 0,
    status: spec.status ?? 'posted',
    orderReference: spec.orderReference === undefined ? 'O1' : spec.orderReference,
    postingDate: spec.postingDate ?? '2024-06-10',
    documentDate: spec.postingDate ?? '2024-06-10',
    currency: cur,
    pricesIncludeTax: spec.pricesIncludeTax ?? false,
    totals: spec.totals ?? { net: total('net'), tax: total('tax'), gross: total('gross') },
    lines,
  };
  if (spec.exchangeRate !== undefined) doc.exchangeRate = spec.exchangeRate;
  return doc;
}

const ERP_TYPE = { invoice: 'ErpInvoicePosted', credit_memo: 'ErpCreditMemoPosted', sales_order: 'ErpSalesOrderRecorded', payment: 'ErpPaymentRecorded' } as const;

export function erpFact(id: string, spec: DocSpec, occurredAt = '2024-06-10T12:00:00Z'): Env {
  const document = erpDoc(spec);
  return env(id, ERP_TYPE[document.documentType], { document, quantisedAmounts: [] }, occurredAt, 'erp');
}

export function payment(id: string, kind: 'capture' | 'refund', amount: string, opts: { currency?: string; orderId?: string; at?: string; itemIds?: string[]; status?: string } = {}): Env {
  const data: Record<string, unknown> = { orderId: opts.orderId ?? 'O1', shopKey: 'msde', countryCode: 'DE', transactionId: `tx-${id}`, operationStatus: opts.status ?? 'successful', amount, currency: opts.currency ?? 'EUR' };
  if (opts.itemIds) data.itemIds = opts.itemIds;
  return env(id, kind === 'capture' ? 'ScaylePaymentCaptured' : 'ScaylePaymentRefunded', data, opts.at ?? '2024-06-10T10:05:00Z');
}

export function pspLine(id: string, line: Partial<PspSettlementLine> & Pick<PspSettlementLine, 'lineId' | 'type' | 'gross' | 'fee' | 'net'>, batchId = 'B1'): Env {
  const full: PspSettlementLine = { paymentReference: 'tx-1', orderId: 'O1', currency: 'EUR', bookedAt: '2024-06-12T00:00:00Z', ...line };
  return env(id, 'PspSettlementLineRecorded', { provider: 'adyen', batchId, line: full }, full.bookedAt, 'psp');
}

export function policy(profile: Partial<ErpRoundingProfile> = {}, extra: Partial<ReconciliationPolicy> = {}): ReconciliationPolicy {
  return { erpProfile: { level: 'per_document', mode: 'half_up', pricesIncludeTax: false, ...profile }, timezone: 'Europe/Berlin', ...extra };
}

export const LATER = '2024-06-20T00:00:00Z';

export function state(...events: Env[]): OrderState {
  return orderStateFrom(events);
}

/** Codes of findings, for compact assertions. */
export const codes = (r: { findings: { code: string }[] }): string[] => r.findings.map((f) => f.code);
