/**
 * What every rule reads and writes while one order is reconciled.
 */
import type { ErpDocument } from '../../erp/erp-document';
import type { ExportRecord, SaleDue } from '../../erp-export/erp-export.state';
import type { Finding } from '../../shared/findings';
import type { Money } from '../../shared/money';
import type { TaxedAmount } from '../../shared/tax';
import { makeFinding, type FindingInit } from '../order.findings';
import type { Fact } from '../order.state';
import type { OrderView } from '../order.view';
import type { ReconciliationPolicy } from '../reconciliation.policy';
import type { AmountComponent, ErpParseWarning, ParsedLine } from './erp-lines';

/** How Scayle's refunds split over components (`null` when the split cannot be explained). */
export interface RefundSplit {
  total: Money;
  parts: Partial<Record<AmountComponent, { amounts: TaxedAmount; rounded: number }>> | null;
  /** Fee components the refunds covered. */
  refundedFees: Set<'shipping' | 'fees'>;
  /** Unit items the refunds covered: named by Scayle, else those of the split found; empty when unknown. */
  refundedItemIds: Set<string>;
  eventIds: string[];
  /** Source time of the latest refund. */
  latestAt?: string;
}

export interface RuleContext {
  subject: string;
  policy: ReconciliationPolicy;
  nowMs: number;
  view: OrderView;
  /** Order currency (Scayle). */
  currency: string;
  /** Posted invoices / credit memos in the order currency, and their parsed lines. */
  invoiceDocs: Fact<ErpDocument>[];
  creditDocs: Fact<ErpDocument>[];
  invoiceLines: ParsedLine[];
  creditLines: ParsedLine[];
  /** The credit-memo lines that undo Scayle-side returns, cancellations and refunded fees (sale side). */
  saleCreditLines: ParsedLine[];
  /** Credit memos (and their lines) that count for refunds: all but those that only undo cancellations. */
  refundCreditDocs: Fact<ErpDocument>[];
  refundCreditLines: ParsedLine[];
  refunds: RefundSplit;
  erpWarnings: ErpParseWarning[];
  findings: Finding[];
  /** Why the order is pending (a counterpart still inside its grace window). */
  pending: string[];
  /** Set by stage-1–3 rules: skip the component comparisons of that side. */
  suppressSale: boolean;
  suppressRefund: boolean;
  /** The order's exports to the ERP and whether its sale is due for export (issue 10). */
  exports?: ExportFacts;
}

/** The order's export records and whether its sale is due, as `reconcileOrder` found them. */
export interface ExportFacts {
  records: ExportRecord[];
  saleDue: SaleDue | undefined;
}

/** Adds a finding for the context's subject. */
export function report(ctx: RuleContext, init: FindingInit): void {
  ctx.findings.push(makeFinding(ctx.subject, init));
}

/** Ids of the Scayle facts the sale rests on: the latest snapshot and corrections. */
export function saleEventIds(ctx: RuleContext): string[] {
  const ids = ctx.view.items.flatMap((i) => (i.correctedBy ? [i.correctedBy] : []));
  return [...ctx.view.scayleEventIds.slice(-1), ...ids];
}
