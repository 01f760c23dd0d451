/**
 * ERP documents as signed, parsed lines per component, what each line covers on the Scayle side,
 * and how many amounts the ERP rounded (DESIGN §9).
 */
import type { ErpDocument, ErpDocumentLine } from '../../erp/erp-document';
import type { QuantisationWarning } from '../../shared/money';
import { Money } from '../../shared/money';
import type { ErpRoundingProfile, RoundingMode } from '../../shared/rounding';
import { normaliseRate, type TaxedAmount } from '../../shared/tax';
import { addTaxed, negTaxed, zeroTaxed } from '../order.findings';
import type { Fact } from '../order.state';
import type { OrderView, ViewItem } from '../order.view';

/** Components the sale and refund comparisons use. */
export type AmountComponent = 'items' | 'shipping' | 'fees';
export const AMOUNT_COMPONENTS: readonly AmountComponent[] = ['items', 'shipping', 'fees'];

/** Discount lines count towards items: Scayle's item prices are after reductions. */
export function componentOfLine(line: ErpDocumentLine): AmountComponent {
  return line.kind === 'shipping' ? 'shipping' : line.kind === 'fee' ? 'fees' : 'items';
}

export interface ParsedLine {
  doc: Fact<ErpDocument>;
  line: ErpDocumentLine;
  component: AmountComponent;
  amounts: TaxedAmount;
}

export interface ErpParseWarning {
  warning: QuantisationWarning;
  documentNumber: string;
  field: string;
  eventId: string;
}

/** Parses a document's lines in its own currency, quantising off-scale figures with `mode`. */
export function parseLines(doc: Fact<ErpDocument>, mode: RoundingMode, warnings: ErpParseWarning[]): ParsedLine[] {
  const d = doc.data;
  const amt = (s: string, field: string): Money => {
    const r = Money.parse(s, d.currency, { quantise: mode, field });
    if (r.warning) warnings.push({ warning: r.warning, documentNumber: d.documentNumber, field, eventId: doc.eventId });
    return r.money;
  };
  return [...d.lines]
    .sort((a, b) => a.lineNumber - b.lineNumber)
    .map((line) => ({
      doc,
      line,
      component: componentOfLine(line),
      amounts: { net: amt(line.net, `lines[${line.lineNumber}].net`), tax: amt(line.tax, `lines[${line.lineNumber}].tax`), gross: amt(line.gross, `lines[${line.lineNumber}].gross`) },
    }));
}

/** Sum of a component over lines (zero in `currency` when none). */
export function sumLines(lines: readonly ParsedLine[], component: AmountComponent | 'discounts', currency: string): TaxedAmount {
  return lines
    .filter((l) => (component === 'discounts' ? l.line.kind === 'discount' : l.component === component))
    .reduce((acc, l) => addTaxed(acc, l.amounts), zeroTaxed(currency));
}

/** Invoices minus credit memos for a component. */
export function erpPosition(invoices: readonly ParsedLine[], credits: readonly ParsedLine[], component: AmountComponent, currency: string): TaxedAmount {
  return addTaxed(sumLines(invoices, component, currency), negTaxed(sumLines(credits, component, currency)));
}

/**
 * Amounts the ERP rounded for `component` in one document: each line with `per_line`; with
 * `per_document` one per tax group the component's lines fill alone, otherwise two per line (a line's
 * share of a running-rounded group can be off by a full minor unit).
 */
export function erpRoundedCount(lines: readonly ParsedLine[], component: AmountComponent, profile: ErpRoundingProfile): number {
  let count = 0;
  const byDoc = new Map<string, ParsedLine[]>();
  for (const l of lines) byDoc.set(l.doc.data.documentNumber, [...(byDoc.get(l.doc.data.documentNumber) ?? []), l]);
  for (const docLines of byDoc.values()) {
    const mine = docLines.filter((l) => l.component === component);
    if (mine.length === 0) continue;
    if (profile.level === 'per_line') {
      count += mine.length;
      continue;
    }
    const groupOf = (l: ParsedLine): string => (l.line.taxRate !== undefined ? normaliseRate(l.line.taxRate) : '?');
    const groups = new Set(mine.map(groupOf));
    const shared = docLines.some((l) => l.component !== component && groups.has(groupOf(l)));
    count += shared ? 2 * mine.length : groups.size;
  }
  return count;
}

/** The variant an ERP line names (directly, or through the item mapping). */
export function lineVariant(line: ErpDocumentLine, itemMapping?: Readonly<Record<string, string>>): string | undefined {
  return line.variantReferenceKey ?? (line.erpItemNumber !== undefined ? itemMapping?.[line.erpItemNumber] : undefined);
}

/**
 * Scayle unit items an item/discount line covers: its `orderItemIds`, else every unit of its variant.
 */
export function coveredItems(line: ErpDocumentLine, view: OrderView, itemMapping?: Readonly<Record<string, string>>): ViewItem[] {
  if (line.orderItemIds && line.orderItemIds.length > 0) {
    const ids = new Set(line.orderItemIds);
    return view.items.filter((i) => ids.has(i.itemId));
  }
  const v = lineVariant(line, itemMapping);
  return v === undefined ? [] : view.items.filter((i) => i.variantReferenceKey === v);
}

/** A line's `quantity` as a number, or `fallback` when it is not a whole number. */
export function quantityOf(line: ErpDocumentLine, fallback: number): number {
  return /^\d+$/.test(line.quantity) ? Number(line.quantity) : fallback;
}
