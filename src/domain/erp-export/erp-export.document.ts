/**
 * Mapping an export's scope onto the canonical ERP document (DESIGN §9) the adapters send — issue
 * 10 "Mapping":
 *
 * - Units → **item lines**, one per variant, VAT rate and unit price (so that `quantity × unit price`
 *   is exact for ERPs that take unit prices), named by `orderItemIds`, `variantReferenceKey` and the
 *   mapped `erpItemNumber` (variant `referenceKey` → ERP item number, `GET /v1/mappings/items`).
 * - Units with reductions (`undiscountedNet`/`undiscountedGross` above the price paid) are billed at
 *   the undiscounted price, and the reductions (vouchers, campaigns, sales) become a **discount
 *   line** per item line (negative amounts, G/L account `discountAccount`), so items + discounts is
 *   what the customer paid — the reconciliation counts discount lines towards items.
 * - Fees → **shipping** (category `delivery`) and **fee** lines with the G/L account of their
 *   category (`feeAccounts[category]`, else `feeAccounts['*']`) in `erpItemNumber` (BC
 *   `lineObjectNumber` of an `Account` line).
 * - Every line's **tax code** from the tax-code mapping (shop country + VAT rate, a channel-specific
 *   entry first); currency as is.
 * - Line and header figures are what an ERP with `profile` books for those amounts
 *   ({@link expectedErpDocument}: per line or per document rounding, prices incl./excl. tax).
 *
 * Nothing is sent when a mapping is missing: the result names every missing mapping instead.
 */
import type { ErpDocument, ErpDocumentLine } from '../erp/erp-document';
import { invalid } from '../shared/errors';
import { Money } from '../shared/money';
import type { ErpRoundingProfile } from '../shared/rounding';
import { expectedErpDocument, type TaxLineInput } from '../shared/tax';
import type { OrderState } from '../order/order.state';
import { orderView, type ViewItem } from '../order/order.view';
import type { TaxCodeMappingEntry } from '../order/reconciliation.policy';
import { expectedTaxCode } from '../order/rules/tax-code.rules';
import type { MissingMapping, OrderExportRequested } from './erp-export.events';

/** The mappings an export uses (the audited mapping sets plus configured G/L accounts). */
export interface ExportMappings {
  /** Variant `referenceKey` → ERP item number. */
  itemNumbers: Readonly<Record<string, string>>;
  taxCodes: readonly TaxCodeMappingEntry[];
  /** Fee category (`delivery`, …) → G/L account; `*` for any other category. */
  feeAccounts: Readonly<Record<string, string>>;
  /** G/L account of discount lines. */
  discountAccount?: string;
}

export type ExportDocumentResult = { ok: true; document: ErpDocument } | { ok: false; missing: MissingMapping[] };

interface Group {
  items: ViewItem[];
  variant?: string;
  rate: string;
  /** Σ of the price paid (gross or net, per profile), and of the undiscounted price where known. */
  paid: Money;
  list: Money | undefined;
}

/**
 * The canonical document of `request` for the order in `state`, under `profile` and `mappings`.
 * `appliesTo` is the ERP number of the invoice a credit memo corrects, where there is one.
 * @throws DomainError `invalid` when the request names units or fees the order does not have.
 */
export function buildExportDocument(
  state: OrderState,
  request: OrderExportRequested['data'],
  mappings: ExportMappings,
  profile: ErpRoundingProfile,
  appliesTo?: string,
): ExportDocumentResult {
  const view = orderView(state, profile.mode);
  const order = view.order;
  if (!order || !view.currency) throw invalid('order_unknown', `Order ${request.orderId} has no Scayle order fact: nothing to export`, 'orderId');
  const currency = view.currency;
  const incl = profile.pricesIncludeTax;
  const wanted = new Set(request.itemIds);
  const items = view.items.filter((i) => wanted.has(i.itemId));
  const fees = view.fees.filter((f) => request.feeKeys.includes(f.key));
  if (items.length !== wanted.size || fees.length !== new Set(request.feeKeys).size) {
    throw invalid('unknown_export_scope', `Export ${request.documentNumber} names units or fees order ${order.orderId} does not have`, 'itemIds');
  }
  const missing = new Map<string, MissingMapping>();
  const miss = (key: string, m: MissingMapping) => {
    const prev = missing.get(key);
    if (prev && prev.kind === 'item' && m.kind === 'item') prev.itemIds.push(...m.itemIds);
    else if (!prev) missing.set(key, m);
  };
  const taxCode = (rate: string): string | undefined => {
    const code = expectedTaxCode(mappings.taxCodes, order.countryCode, rate, order.channelType);
    if (code === undefined) miss(`tax:${rate}`, { kind: 'tax_code', countryCode: order.countryCode, rate, ...(order.channelType ? { channelType: order.channelType } : {}) });
    return code;
  };

  const groups = new Map<string, Group>();
  const snapshotItems = new Map(order.items.map((i) => [i.itemId, i]));
  for (const item of items) {
    const src = snapshotItems.get(item.itemId)!;
    const listText = item.correctedBy ? undefined : incl ? src.undiscountedGross : src.undiscountedNet;
    const paid = incl ? item.gross : item.net;
    const list = listText !== undefined ? Money.parse(listText, currency, { quantise: profile.mode }).money : undefined;
    const discounted = list !== undefined && list.compare(paid) > 0 ? list : undefined;
    const key = `${item.variantReferenceKey ?? `#${item.itemId}`}|${item.taxRate}|${paid.toString()}|${discounted?.toString() ?? ''}`;
    const g = groups.get(key);
    if (g) {
      g.items.push(item);
      g.paid = g.paid.add(paid);
      g.list = g.list && discounted ? g.list.add(discounted) : g.list;
    } else groups.set(key, { items: [item], ...(item.variantReferenceKey !== undefined ? { variant: item.variantReferenceKey } : {}), rate: item.taxRate, paid, list: discounted });
  }

  type Draft = Omit<ErpDocumentLine, 'net' | 'tax' | 'gross'> & { amount: Money; rate: string };
  const drafts: Draft[] = [];
  const next = () => (drafts.length + 1) * 10000;
  for (const g of groups.values()) {
    const ids = g.items.map((i) => i.itemId);
    const itemNumber = g.variant !== undefined ? mappings.itemNumbers[g.variant] : undefined;
    if (itemNumber === undefined) miss(`item:${g.variant ?? ids[0]}`, { kind: 'item', ...(g.variant !== undefined ? { variantReferenceKey: g.variant } : {}), itemIds: [...ids] });
    const code = taxCode(g.rate);
    const common = { orderItemIds: ids, ...(g.variant !== undefined ? { variantReferenceKey: g.variant } : {}), taxRate: g.rate, ...(code !== undefined ? { taxCode: code } : {}) };
    drafts.push({ lineNumber: next(), kind: 'item', ...common, ...(itemNumber !== undefined ? { erpItemNumber: itemNumber } : {}), quantity: String(ids.length), description: `Variant ${g.variant ?? '(none)'}`, amount: g.list ?? g.paid, rate: g.rate });
    if (g.list) {
      const account = mappings.discountAccount;
      if (account === undefined) miss('discount', { kind: 'discount_account' });
      drafts.push({ lineNumber: next(), kind: 'discount', ...common, ...(account !== undefined ? { erpItemNumber: account } : {}), quantity: '1', description: `Reductions on variant ${g.variant ?? '(none)'}`, amount: g.paid.subtract(g.list), rate: g.rate });
    }
  }
  for (const f of fees) {
    const category = order.fees.find((x) => x.key === f.key)?.category ?? f.key;
    const account = mappings.feeAccounts[category] ?? mappings.feeAccounts['*'];
    if (account === undefined) miss(`fee:${category}`, { kind: 'fee_account', category });
    const code = taxCode(f.taxRate);
    drafts.push({
      lineNumber: next(),
      kind: f.component === 'shipping' ? 'shipping' : 'fee',
      ...(account !== undefined ? { erpItemNumber: account } : {}),
      quantity: '1',
      taxRate: f.taxRate,
      ...(code !== undefined ? { taxCode: code } : {}),
      description: f.component === 'shipping' ? `Shipping (${f.key})` : `Fee ${category} (${f.key})`,
      amount: incl ? f.gross : f.net,
      rate: f.taxRate,
    });
  }
  if (missing.size > 0) return { ok: false, missing: [...missing.values()] };

  const priced = expectedErpDocument(
    drafts.map((d): TaxLineInput => ({ key: String(d.lineNumber), amount: d.amount, rate: d.rate })),
    profile,
    currency,
  );
  const lines: ErpDocumentLine[] = drafts.map((d, k) => {
    const { amount: _amount, rate: _rate, ...line } = d;
    const p = priced.lines[k]!;
    return { ...line, net: p.net.toString(), tax: p.tax.toString(), gross: p.gross.toString() };
  });
  const document: ErpDocument = {
    documentType: request.documentKind,
    documentNumber: request.documentNumber,
    revision: 0,
    status: 'open',
    orderReference: order.orderId,
    ...(appliesTo !== undefined ? { appliesToDocumentNumber: appliesTo } : {}),
    postingDate: request.postingDate,
    documentDate: request.postingDate,
    currency,
    pricesIncludeTax: incl,
    totals: { net: priced.totals.net.toString(), tax: priced.totals.tax.toString(), gross: priced.totals.gross.toString() },
    lines,
  };
  return { ok: true, document };
}
