/**
 * ERP documents for a simulated order, priced the way an ERP with a given rounding profile books
 * them (DESIGN §5, §9): the domain's `expectedErpDocument` computes every line from the Scayle lines
 * the document covers, so a clean order differs from Scayle by rounding only. Two formats: the
 * canonical document (`POST /v1/ingest/erp/documents`) and Business Central API v2.0
 * `salesInvoices` / `salesCreditMemos` JSON (amounts as JSON numbers, tax per document).
 */
import type { ErpDocument, ErpDocumentLine, ErpLineKind } from '../../domain/erp/erp-document';
import { Money } from '../../domain/shared/money';
import type { ErpRoundingProfile } from '../../domain/shared/rounding';
import { expectedErpDocument, type TaxLineInput } from '../../domain/shared/tax';
import { taxCodeFor } from './catalogue';
import type { FeePart, SimFee, SimItem, SimOrder } from './order-model';

/** What one document bills, before pricing. */
export interface DocumentScope {
  items: readonly SimItem[];
  fees: readonly SimFee[];
  /** Book undiscounted item prices plus discount lines (canonical ERPs) instead of discounted prices. */
  discountLines: boolean;
}

/** A priced line with what it covers. */
export interface PricedLine extends ErpDocumentLine {
  /** For BC: the unit price and discount the line shows. */
  unitPrice: string;
  discountAmount: string;
}

const minor = (v: bigint, cur: string): Money => Money.fromMinorUnits(v, cur);

/** Prices the lines of a document under `profile`; line numbers 1…n. */
export function priceLines(o: SimOrder, scope: DocumentScope, profile: ErpRoundingProfile): PricedLine[] {
  const cur = o.shop.currency;
  const incl = profile.pricesIncludeTax;
  type Draft = { kind: ErpLineKind; rate: string; amount: bigint; units: SimItem[]; variant?: string; description: string; undiscounted: bigint; discount: bigint };
  const drafts: Draft[] = [];
  const groups = new Map<string, SimItem[]>();
  for (const i of scope.items) {
    const k = `${i.variant.referenceKey}|${i.rate}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  }
  const discountByRate = new Map<string, bigint>();
  for (const units of groups.values()) {
    const first = units[0]!;
    const undiscounted = units.reduce((s, i) => s + (incl ? i.undiscountedGross : i.undiscountedNet), 0n);
    const discounted = units.reduce((s, i) => s + (incl ? i.gross : i.net), 0n);
    const useUndiscounted = scope.discountLines && undiscounted !== discounted;
    if (useUndiscounted) discountByRate.set(first.rate, (discountByRate.get(first.rate) ?? 0n) + (undiscounted - discounted));
    drafts.push({
      kind: 'item',
      rate: first.rate,
      amount: useUndiscounted ? undiscounted : discounted,
      units,
      variant: first.variant.referenceKey,
      description: first.variant.name,
      undiscounted,
      discount: useUndiscounted ? 0n : undiscounted - discounted,
    });
  }
  for (const [rate, amount] of discountByRate) {
    drafts.push({ kind: 'discount', rate, amount: -amount, units: [], description: `Voucher ${o.voucher?.code ?? ''}`.trim(), undiscounted: -amount, discount: 0n });
  }
  for (const f of scope.fees) {
    for (const p of f.parts as FeePart[]) {
      const amount = incl ? p.gross : p.net;
      drafts.push({ kind: f.category === 'delivery' ? 'shipping' : 'fee', rate: p.rate, amount, units: [], description: f.category === 'delivery' ? `Shipping (${f.option})` : 'Cash on delivery fee', undiscounted: amount, discount: 0n });
    }
  }
  const inputs: TaxLineInput[] = drafts.map((d, k) => ({ key: String(k + 1), amount: minor(d.amount, cur), rate: d.rate }));
  const doc = expectedErpDocument(inputs, profile, cur);
  return drafts.map((d, k) => {
    const l = doc.lines[k]!;
    const qty = d.kind === 'item' ? d.units.length : 1;
    const line: PricedLine = {
      lineNumber: k + 1,
      kind: d.kind,
      quantity: String(qty),
      net: l.net.toString(),
      tax: l.tax.toString(),
      gross: l.gross.toString(),
      taxCode: taxCodeFor(o.shop.countryCode, d.rate, o.channel === 'marketplace' ? 'marketplace' : undefined),
      taxRate: d.rate,
      description: d.description,
      unitPrice: minor(d.undiscounted, cur).divide(String(qty)).quantise('half_up').toString(),
      discountAmount: minor(d.discount, cur).toString(),
    };
    if (d.kind === 'item') {
      line.orderItemIds = d.units.map((u) => String(u.itemId));
      line.variantReferenceKey = d.variant!;
    }
    return line;
  });
}

/** Header totals = Σ lines. */
export function totalsOf(lines: readonly ErpDocumentLine[], cur: string): ErpDocument['totals'] {
  const sum = (f: 'net' | 'tax' | 'gross') => lines.reduce((s, l) => s.add(Money.parse(l[f], cur)), Money.zero(cur)).toString();
  return { net: sum('net'), tax: sum('tax'), gross: sum('gross') };
}

/** The canonical document. */
export function canonicalDocument(args: {
  o: SimOrder;
  documentType: 'invoice' | 'credit_memo';
  documentNumber: string;
  revision: number;
  postingDate: string;
  lines: PricedLine[];
  profile: ErpRoundingProfile;
  appliesTo?: string;
  exchangeRate?: string;
  currency?: string;
  orderReference?: string | null;
}): ErpDocument {
  const cur = args.currency ?? args.o.shop.currency;
  const lines: ErpDocumentLine[] = args.lines.map(({ unitPrice: _u, discountAmount: _d, ...l }) => l);
  return {
    documentType: args.documentType,
    documentNumber: args.documentNumber,
    revision: args.revision,
    status: 'posted',
    orderReference: args.orderReference === undefined ? String(args.o.orderId) : args.orderReference,
    ...(args.appliesTo ? { appliesToDocumentNumber: args.appliesTo } : {}),
    postingDate: args.postingDate,
    documentDate: args.postingDate,
    currency: cur,
    pricesIncludeTax: args.profile.pricesIncludeTax,
    totals: totalsOf(lines, cur),
    lines,
    ...(args.exchangeRate ? { exchangeRate: args.exchangeRate } : {}),
  };
}

/** A JSON number written from a decimal string, never through a float. */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** BC writes amounts as JSON numbers without trailing zeros (`54.9`, `10`). */
export function bcNumber(decimal: string): RawNumber {
  const t = decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal;
  return new RawNumber(t === '-0' ? '0' : t);
}

const RAW_MARK = '\u0001raw:';

/** `JSON.stringify` that writes {@link RawNumber}s as bare JSON numbers. */
export function stringifyWithRawNumbers(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof RawNumber ? `${RAW_MARK}${v.text}` : v));
  return text.replace(/"\\u0001raw:(-?\d+(?:\.\d+)?)"/g, '$1');
}

/** Percent from a fraction string without floats (`"0.077"` → `7.7`). */
function percentOf(rate: string): RawNumber {
  const [i, f = ''] = rate.split('.');
  const digits = `${i}${f.padEnd(2, '0')}`;
  const whole = digits.slice(0, digits.length - (f.length > 2 ? f.length - 2 : 0));
  const frac = f.length > 2 ? f.slice(2) : '';
  return bcNumber(`${String(Number(whole))}${frac ? `.${frac}` : ''}`);
}

/**
 * A Business Central API v2.0 `salesInvoice` / `salesCreditMemo` with its expanded lines.
 * `currencyCode` is blank for the company's local currency (EUR). Item lines name the variant's
 * reference key as the item number (`lineObjectNumber`, so the item mapping is the identity);
 * delivery is a G/L account line described as shipping, other fees a G/L account line; a comment
 * line is added as BC users do.
 */
export function businessCentralDocument(args: {
  o: SimOrder;
  kind: 'invoice' | 'credit_memo';
  number: string;
  postingDate: string;
  lines: PricedLine[];
  pricesIncludeTax: boolean;
  id: string;
  appliesTo?: string;
  comment: boolean;
  /** When the ERP last modified the document (ISO-8601): BC's `lastModifiedDateTime`. */
  modifiedAt: string;
}): Record<string, unknown> {
  const { o } = args;
  const cur = o.shop.currency;
  const docId = args.id;
  const totals = totalsOf(args.lines, cur);
  const lines: Record<string, unknown>[] = args.lines.map((l, k) => ({
    id: `${docId.slice(0, 24)}${String(k + 1).padStart(12, '0')}`,
    documentId: docId,
    sequence: (k + 1) * 10000,
    lineType: l.kind === 'item' ? 'Item' : 'Account',
    lineObjectNumber: l.kind === 'item' ? l.variantReferenceKey : l.kind === 'shipping' ? '8400' : l.kind === 'fee' ? '4450' : '4470',
    description: l.description,
    unitOfMeasureCode: l.kind === 'item' ? 'PCS' : '',
    quantity: bcNumber(l.quantity),
    unitPrice: bcNumber(l.unitPrice),
    discountAmount: bcNumber(l.discountAmount),
    discountPercent: bcNumber('0'),
    taxCode: l.taxCode ?? '',
    taxPercent: percentOf(l.taxRate ?? '0'),
    amountExcludingTax: bcNumber(l.net),
    totalTaxAmount: bcNumber(l.tax),
    amountIncludingTax: bcNumber(l.gross),
    netAmount: bcNumber(l.net),
    netTaxAmount: bcNumber(l.tax),
    netAmountIncludingTax: bcNumber(l.gross),
  }));
  if (args.comment) {
    lines.push({ id: `${docId.slice(0, 24)}${'9'.repeat(12)}`, documentId: docId, sequence: (lines.length + 1) * 10000, lineType: 'Comment', lineObjectNumber: '', description: `Scayle order ${o.orderId}`, quantity: bcNumber('0'), unitPrice: bcNumber('0'), discountAmount: bcNumber('0'), discountPercent: bcNumber('0'), taxCode: '', taxPercent: bcNumber('0'), amountExcludingTax: bcNumber('0'), totalTaxAmount: bcNumber('0'), amountIncludingTax: bcNumber('0'), netAmount: bcNumber('0'), netTaxAmount: bcNumber('0'), netAmountIncludingTax: bcNumber('0') });
  }
  const header: Record<string, unknown> = {
    id: docId,
    number: args.number,
    externalDocumentNumber: String(o.orderId),
    [args.kind === 'invoice' ? 'invoiceDate' : 'creditMemoDate']: args.postingDate,
    postingDate: args.postingDate,
    dueDate: args.postingDate,
    customerNumber: `WEB-${o.shop.countryCode}`,
    customerName: `Webshop ${o.shop.countryCode}`,
    currencyCode: cur === 'EUR' ? '' : cur,
    pricesIncludeTax: args.pricesIncludeTax,
    discountAmount: bcNumber('0'),
    totalAmountExcludingTax: bcNumber(totals.net),
    totalTaxAmount: bcNumber(totals.tax),
    totalAmountIncludingTax: bcNumber(totals.gross),
    status: args.kind === 'invoice' ? 'Open' : 'Open',
    ...(args.appliesTo && args.kind === 'credit_memo' ? { invoiceNumber: args.appliesTo } : {}),
    lastModifiedDateTime: args.modifiedAt,
  };
  header[args.kind === 'invoice' ? 'salesInvoiceLines' : 'salesCreditMemoLines'] = lines;
  return header;
}
