/**
 * The canonical ERP document → a Business Central API v2.0 sales document with its lines, created in
 * one request (deep insert: the lines ride in the header's navigation property).
 *
 * - `invoice` → `salesInvoices` with `salesInvoiceLines` (`invoiceDate`); `sales_order` →
 *   `salesOrders` with `salesOrderLines` (`orderDate`); `credit_memo` → `salesCreditMemos` with
 *   `salesCreditMemoLines` (`creditMemoDate`, `invoiceNumber` = the invoice it corrects).
 * - Header: `externalDocumentNumber` = the Scayle order id (how read-back finds it and how the
 *   ingestion links BC documents back to the order), `customerNumber` from configuration,
 *   `postingDate`, `currencyCode` (blank for the company's local currency, as BC wants it).
 * - Lines: `sequence` = line number; item lines `lineType` `Item` with `lineObjectNumber` = the ERP
 *   item number; shipping and fee lines `Account` with the G/L account; `quantity`, `unitPrice`
 *   (the line's net, or gross when prices include tax, divided by the quantity — exact, units are
 *   grouped by price), `taxCode`, `description`. A discount line becomes the BC line discount
 *   (`discountAmount`) of the item line it follows, which is how BC books reductions on a line.
 * - Numbers are written as JSON numbers from their exact decimal text (never through a float).
 */
import { LosslessNumber, stringify } from 'lossless-json';
import type { ErpDocument, ErpDocumentLine } from '../../../domain/erp/erp-document';
import type { ExportDocumentKind } from '../../../domain/erp-export/erp-export.events';
import { dec } from '../../../domain/shared/decimal';

/** BC entity set, lines navigation property and date field of each document kind. */
export const BC_ENTITY: Record<ExportDocumentKind, { set: string; lines: string; date: string }> = {
  invoice: { set: 'salesInvoices', lines: 'salesInvoiceLines', date: 'invoiceDate' },
  sales_order: { set: 'salesOrders', lines: 'salesOrderLines', date: 'orderDate' },
  credit_memo: { set: 'salesCreditMemos', lines: 'salesCreditMemoLines', date: 'creditMemoDate' },
};

export interface BcMappingOptions {
  customerNumber: string;
  /** The company's local currency: sent as a blank `currencyCode`. */
  companyCurrency: string;
}

const num = (text: string): LosslessNumber => new LosslessNumber(dec(text).toFixed());

/** The BC line of a canonical line (discount lines are folded into the item line before them). */
function bcLine(line: ErpDocumentLine, pricesIncludeTax: boolean, discount?: ErpDocumentLine): Record<string, unknown> {
  const quantity = dec(line.quantity);
  const basis = dec(pricesIncludeTax ? line.gross : line.net);
  const out: Record<string, unknown> = {
    sequence: line.lineNumber,
    lineType: line.kind === 'item' ? 'Item' : 'Account',
    lineObjectNumber: line.erpItemNumber ?? '',
    description: (line.description ?? '').slice(0, 100),
    quantity: num(line.quantity),
    unitPrice: new LosslessNumber(quantity.isZero() ? '0' : basis.div(quantity).toFixed()),
    taxCode: line.taxCode ?? '',
  };
  if (discount) out.discountAmount = new LosslessNumber(dec(pricesIncludeTax ? discount.gross : discount.net).neg().toFixed());
  return out;
}

/** The request body (JSON text) creating `document` in BC. */
export function bcSalesDocumentBody(document: ErpDocument, kind: ExportDocumentKind, options: BcMappingOptions): string {
  const entity = BC_ENTITY[kind];
  const lines: Record<string, unknown>[] = [];
  const source = document.lines;
  for (let i = 0; i < source.length; i++) {
    const line = source[i]!;
    const next = source[i + 1];
    if (line.kind === 'discount') {
      // A discount line the builder did not place right after an item line: book it on its G/L account.
      lines.push(bcLine(line, document.pricesIncludeTax));
      continue;
    }
    const folded = line.kind === 'item' && next?.kind === 'discount';
    lines.push(bcLine(line, document.pricesIncludeTax, folded ? next : undefined));
    if (folded) i++;
  }
  const body: Record<string, unknown> = {
    externalDocumentNumber: document.orderReference ?? '',
    [entity.date]: document.documentDate,
    postingDate: document.postingDate,
    customerNumber: options.customerNumber,
    currencyCode: document.currency === options.companyCurrency ? '' : document.currency,
    ...(kind === 'credit_memo' && document.appliesToDocumentNumber ? { invoiceNumber: document.appliesToDocumentNumber } : {}),
    [entity.lines]: lines,
  };
  return stringify(body)!;
}

/** OData string literal: single quotes doubled. */
export const odataString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
