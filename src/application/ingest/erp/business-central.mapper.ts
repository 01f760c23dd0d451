/**
 * Business Central API v2.0 `salesInvoices` / `salesCreditMemos` (with expanded
 * `salesInvoiceLines` / `salesCreditMemoLines`) → canonical {@link ErpDocument} (DESIGN §9).
 *
 * BC sends amounts as JSON numbers (`54.9`, `1245.885`); the HTTP layer parses the raw body
 * losslessly, so every number reaches this mapper as a {@link NumberToken} holding the exact JSON
 * token — a float never touches an amount.
 *
 * Mapping:
 * - `number` → `documentNumber`; `revision` = `lastModifiedDateTime` in epoch milliseconds (BC has
 *   no revision; a later modification supersedes), 0 when absent.
 * - `status`: `Draft`/`In Review` → `open`; `Canceled`/`Cancelled` → `cancelled`; otherwise
 *   (`Open`, `Paid`, `Corrective`, …) → `posted`.
 * - `externalDocumentNumber` → `orderReference` (blank → none); credit memo `invoiceNumber` →
 *   `appliesToDocumentNumber`.
 * - `currencyCode` blank → the company currency (`LEDGER_COMPANY_CURRENCY`).
 * - Lines: `Comment` lines are skipped; `Item` → `item`; `Account` → `shipping` when its description
 *   or number names freight/shipping/delivery/Versand/Fracht/Porto (a "cash on delivery" /
 *   Nachnahme charge is a payment fee, not freight), else `fee`; `Charge`, `Resource`,
 *   `Fixed Asset` → `fee`; any line with a negative net amount → `discount`. `sequence` →
 *   `lineNumber`; `lineObjectNumber` → `erpItemNumber`; `taxPercent` 19 → `taxRate` `"0.19"`
 *   (decimal point moved in the digit string); amounts `netAmount` / `netTaxAmount` /
 *   `netAmountIncludingTax` (after invoice discounts, as BC books them).
 * - Amounts with more decimals than the currency allows (BC keeps up to 5 on some fields) are
 *   quantised half-up (BC's "Nearest") and reported as warnings (`DATA_QUALITY_WARNING`).
 */
import type { ErpDocument, ErpDocumentLine, ErpLineKind } from '../../../domain/erp/erp-document';
import { isCurrencyCode } from '../../../domain/shared/currency';
import { DomainError } from '../../../domain/shared/errors';
import { isPeriodDate, sourceInstantProblem } from '../../../domain/shared/period';
import { Money, QuantisationWarning } from '../../../domain/shared/money';
import { normaliseRate } from '../../../domain/shared/tax';
import { InputRejected, MappingFailure, RejectedField } from '../ingest-outcome';
import { expandExponent } from '../scayle/scayle-values';
import type { ErpSourceTerms } from './erp-revisions';

/** A JSON number as its exact token text (produced by the lossless parser). */
export class NumberToken {
  constructor(readonly text: string) {}
}

export type BusinessCentralKind = 'sales_invoice' | 'sales_credit_memo';

export interface MappedErpDocument {
  document: ErpDocument;
  warnings: (QuantisationWarning & { field: string })[];
  /** `lastModifiedDateTime`, when given (the fact's source time). */
  modifiedAt?: string;
  /** How the document reads in Business Central's own terms, for a problem about it. */
  source: ErpSourceTerms;
}

const SHIPPING = /freight|shipping|delivery|versand|fracht|porto/i;
/** Payment-method charges that merely mention delivery ("Cash on delivery fee", Nachnahme): fees, not freight. */
const NOT_FREIGHT = /cash[\s-]+on[\s-]+delivery|\bcod\b|nachnahme/gi;

/**
 * Maps one BC document.
 * @throws InputRejected for structural faults (wrong types, missing number, unknown currency, negative quantity…).
 * @throws MappingFailure when a valid document cannot be expressed canonically (fractional quantity, unknown line type).
 */
export function mapBusinessCentralDocument(tree: unknown, kind: BusinessCentralKind, companyCurrency: string, prefix = ''): MappedErpDocument {
  const errors: RejectedField[] = [];
  const at = (f: string) => `${prefix}${f}`;
  const reject = (field: string, message: string) => errors.push({ field: at(field), message });
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree) || tree instanceof NumberToken) throw new InputRejected([{ field: at('body') || 'body', message: 'must be a JSON object' }]);
  const doc = tree as Record<string, unknown>;

  const str = (field: string, required: boolean): string | undefined => {
    const v = doc[field];
    if (v === undefined || v === null) {
      if (required) reject(field, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      reject(field, 'must be a string');
      return undefined;
    }
    return v;
  };
  const number = str('number', true);
  if (number !== undefined && !/^[^\s|\p{Cc}\p{Cf}]{1,100}$/u.test(number)) reject('number', 'must be 1–100 characters without whitespace, control or invisible characters');
  const postingDate = str('postingDate', true);
  if (postingDate !== undefined && !isPeriodDate(postingDate)) reject('postingDate', 'must be a date YYYY-MM-DD that exists, in the years 0001–9999');
  const dateField = kind === 'sales_invoice' ? 'invoiceDate' : 'creditMemoDate';
  const documentDate = str(dateField, false) ?? str('documentDate', false) ?? postingDate;
  if (documentDate !== undefined && !isPeriodDate(documentDate)) reject(dateField, 'must be a date YYYY-MM-DD that exists, in the years 0001–9999');
  const currencyRaw = str('currencyCode', false) ?? '';
  const currency = currencyRaw.trim() === '' ? companyCurrency : currencyRaw.trim();
  if (!isCurrencyCode(currency)) reject('currencyCode', `must be an ISO 4217 currency code or blank, got ${JSON.stringify(currencyRaw)}`);
  const pricesIncludeTax = doc.pricesIncludeTax ?? false;
  if (typeof pricesIncludeTax !== 'boolean') reject('pricesIncludeTax', 'must be a boolean');
  const status = str('status', false) ?? 'Open';
  const external = str('externalDocumentNumber', false)?.trim() ?? '';
  const appliesTo = kind === 'sales_credit_memo' ? str('invoiceNumber', false)?.trim() : undefined;
  const modifiedAt = str('lastModifiedDateTime', false);
  const modifiedProblem = modifiedAt !== undefined ? sourceInstantProblem(modifiedAt) : undefined;
  if (modifiedProblem) reject('lastModifiedDateTime', modifiedProblem);
  const modifiedMs = modifiedAt !== undefined && !modifiedProblem ? Date.parse(modifiedAt) : 0;

  const numberText = (value: unknown, field: string, required: boolean): string | undefined => {
    if (value === undefined || value === null) {
      if (required) reject(field, 'is required');
      return undefined;
    }
    const text = value instanceof NumberToken ? value.text : typeof value === 'string' ? value : undefined;
    const plain = text === undefined ? undefined : expandExponent(text);
    if (plain === undefined) {
      reject(field, 'must be a number');
      return undefined;
    }
    return plain;
  };
  const warnings: MappedErpDocument['warnings'] = [];
  const amount = (value: unknown, field: string): string => {
    const text = numberText(value, field, true);
    if (text === undefined || !isCurrencyCode(currency)) return '0';
    const { money, warning } = Money.parse(text, currency, { quantise: 'half_up', field: at(field) });
    if (warning) warnings.push({ ...warning, field: at(field) });
    return money.toString();
  };
  // Canonical path → the BC field it came from, where the canonical value is the BC value as sent.
  const names: Record<string, string> = {
    documentNumber: 'number',
    orderReference: 'externalDocumentNumber',
    postingDate: 'postingDate',
    documentDate: dateField,
    currency: 'currencyCode',
    pricesIncludeTax: 'pricesIncludeTax',
    'totals.net': 'totalAmountExcludingTax',
    'totals.tax': 'totalTaxAmount',
    'totals.gross': 'totalAmountIncludingTax',
    ...(kind === 'sales_credit_memo' ? { appliesToDocumentNumber: 'invoiceNumber' } : {}),
  };
  const totals = {
    net: amount(doc.totalAmountExcludingTax, 'totalAmountExcludingTax'),
    tax: amount(doc.totalTaxAmount, 'totalTaxAmount'),
    gross: amount(doc.totalAmountIncludingTax, 'totalAmountIncludingTax'),
  };

  const linesField = kind === 'sales_invoice' ? 'salesInvoiceLines' : 'salesCreditMemoLines';
  const rawLines = doc[linesField];
  if (!Array.isArray(rawLines)) reject(linesField, 'is required: expand the lines ($expand=' + linesField + ')');
  const lines: ErpDocumentLine[] = [];
  const failures: MappingFailure[] = [];
  (Array.isArray(rawLines) ? rawLines : []).forEach((l, i) => {
    const lp = `${linesField}[${i}]`;
    if (l === null || typeof l !== 'object' || Array.isArray(l) || l instanceof NumberToken) {
      reject(lp, 'must be an object');
      return;
    }
    const line = l as Record<string, unknown>;
    const lineType = typeof line.lineType === 'string' ? line.lineType : undefined;
    if (lineType === undefined) {
      reject(`${lp}.lineType`, 'must be a string');
      return;
    }
    if (lineType === 'Comment') return;
    // A whole number written with a zero fraction (`20000.0`) is an integer in JSON (and JSON Schema) too.
    const seqText = numberText(line.sequence, `${lp}.sequence`, true);
    const seq = seqText?.replace(/\.0+$/, '');
    if (seq !== undefined && !/^\d+$/.test(seq)) reject(`${lp}.sequence`, 'must be a non-negative integer');
    const qty = numberText(line.quantity, `${lp}.quantity`, true);
    if (qty !== undefined && qty.startsWith('-') && !/^-0*(\.0*)?$/.test(qty)) reject(`${lp}.quantity`, 'must not be negative');
    const taxPercent = numberText(line.taxPercent, `${lp}.taxPercent`, false);
    for (const f of ['taxCode', 'lineObjectNumber', 'description'] as const) {
      if (line[f] !== undefined && line[f] !== null && typeof line[f] !== 'string') reject(`${lp}.${f}`, 'must be a string');
    }
    const net = amount(line.netAmount, `${lp}.netAmount`);
    const tax = amount(line.netTaxAmount, `${lp}.netTaxAmount`);
    const gross = amount(line.netAmountIncludingTax, `${lp}.netAmountIncludingTax`);
    const description = typeof line.description === 'string' ? line.description : undefined;
    const objectNumber = typeof line.lineObjectNumber === 'string' && line.lineObjectNumber.length > 0 ? line.lineObjectNumber : undefined;
    let lineKind: ErpLineKind | undefined;
    if (net.startsWith('-')) lineKind = 'discount';
    else if (lineType === 'Item') lineKind = 'item';
    else if (lineType === 'Account') lineKind = SHIPPING.test(`${description ?? ''} ${objectNumber ?? ''}`.replace(NOT_FREIGHT, ' ')) ? 'shipping' : 'fee';
    else if (lineType === 'Charge' || lineType === 'Resource' || lineType === 'Fixed Asset') lineKind = 'fee';
    if (!lineKind) {
      failures.push(new MappingFailure('unknown_line_type', `BC lineType ${JSON.stringify(lineType)} has no canonical kind`, at(`${lp}.lineType`)));
      return;
    }
    if (qty !== undefined && !/^-?\d+(\.0+)?$/.test(qty)) {
      failures.push(new MappingFailure('fractional_quantity', `quantity ${qty} is not a whole number of units`, at(`${lp}.quantity`)));
      return;
    }
    let taxRate: string | undefined;
    if (taxPercent !== undefined) {
      try {
        taxRate = normaliseRate(percentToFraction(taxPercent));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        reject(`${lp}.taxPercent`, 'must be a percentage between 0 and 100');
      }
    }
    const cp = `lines[${lines.length}]`;
    names[cp] = lp;
    for (const [canonical, bc] of [['lineNumber', 'sequence'], ['erpItemNumber', 'lineObjectNumber'], ['quantity', 'quantity'], ['taxCode', 'taxCode'], ['taxRate', 'taxPercent'], ['description', 'description'], ['net', 'netAmount'], ['tax', 'netTaxAmount'], ['gross', 'netAmountIncludingTax']] as const) {
      names[`${cp}.${canonical}`] = `${lp}.${bc}`;
    }
    lines.push({
      lineNumber: seq !== undefined && /^\d+$/.test(seq) ? Number(seq) : i,
      kind: lineKind,
      ...(objectNumber ? { erpItemNumber: objectNumber } : {}),
      quantity: qty === undefined ? '0' : qty.replace(/^-/, '').replace(/\.0+$/, ''),
      taxCode: typeof line.taxCode === 'string' && line.taxCode.length > 0 ? line.taxCode : null,
      ...(taxRate !== undefined ? { taxRate } : {}),
      ...(description ? { description } : {}),
      net,
      tax,
      gross,
    });
  });
  if (errors.length > 0) throw new InputRejected(errors);
  if (failures.length > 0) throw failures[0]!;
  const document: ErpDocument = {
    documentType: kind === 'sales_invoice' ? 'invoice' : 'credit_memo',
    documentNumber: number!,
    revision: modifiedMs,
    status: /^(draft|in review)$/i.test(status) ? 'open' : /^cancell?ed$/i.test(status) ? 'cancelled' : 'posted',
    orderReference: external === '' ? null : external,
    ...(appliesTo ? { appliesToDocumentNumber: appliesTo } : {}),
    postingDate: postingDate!,
    documentDate: documentDate!,
    currency,
    pricesIncludeTax: pricesIncludeTax as boolean,
    totals,
    lines,
  };
  const source: ErpSourceTerms = { system: 'Business Central', names, ids: { number: number!, ...(modifiedAt !== undefined ? { lastModifiedDateTime: modifiedAt } : {}) } };
  return { document, warnings, ...(modifiedAt ? { modifiedAt: new Date(modifiedMs).toISOString() } : {}), source };
}

/** `"19"` → `"0.19"`, `"7.5"` → `"0.075"`: moves the decimal point two places in the digit string. */
export function percentToFraction(percent: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(percent);
  if (!m) throw new MappingFailure('invalid_tax_rate', `not a percentage: ${percent}`);
  const [, sign, int, frac = ''] = m;
  const padded = int!.padStart(3, '0');
  const out = `${padded.slice(0, -2)}.${padded.slice(-2)}${frac}`.replace(/^0+(?=\d)/, '').replace(/\.?0+$/, '');
  return `${sign}${out === '' ? '0' : out}`;
}
