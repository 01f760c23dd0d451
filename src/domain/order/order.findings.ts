/**
 * Building findings for an order: stable ids, owners from the DESIGN §6 table, sides and deltas.
 */
import { FINDING_CODES, type Finding, type FindingCode, type FindingSide, type ReconciliationComponent } from '../shared/findings';
import { Money } from '../shared/money';
import type { TaxedAmount } from '../shared/tax';

export interface FindingInit {
  code: FindingCode;
  component: ReconciliationComponent;
  /** Distinguishes findings of one code and component (`sale`, a document number, `SI-1#3`). */
  discriminator: string;
  explanation: string;
  eventIds: Iterable<string>;
  scayle?: FindingSide;
  erp?: FindingSide;
  psp?: FindingSide;
  delta?: FindingSide;
  periods?: Finding['periods'];
  documentNumber?: string;
  lineNumber?: number;
  reason?: string;
  autoAccepted?: boolean;
  severity?: Finding['severity'];
}

/**
 * A finding with id `<subject>/<CODE>/<component>/<discriminator>`; `subject` is the order stream
 * id (or `erp-unlinked-<documentNumber>` for an ERP document with no order).
 */
export function makeFinding(subject: string, init: FindingInit): Finding {
  const info = FINDING_CODES[init.code];
  const f: Finding = {
    findingId: `${subject}/${init.code}/${init.component}/${init.discriminator}`,
    code: init.code,
    owner: info.owner,
    severity: init.severity ?? info.severity,
    component: init.component,
    autoAccepted: init.autoAccepted ?? false,
    explanation: init.explanation,
    eventIds: [...new Set(init.eventIds)].sort(),
  };
  for (const k of ['scayle', 'erp', 'psp', 'delta', 'periods', 'documentNumber', 'lineNumber', 'reason'] as const) {
    if (init[k] !== undefined) (f as unknown as Record<string, unknown>)[k] = init[k];
  }
  return f;
}

/** A side from a taxed amount. */
export function sideOf(t: TaxedAmount): FindingSide {
  return { currency: t.gross.currencyCode, gross: t.gross.toString(), net: t.net.toString(), tax: t.tax.toString() };
}

/** `a − b` per figure. */
export function deltaOf(a: TaxedAmount, b: TaxedAmount): TaxedAmount {
  return { gross: a.gross.subtract(b.gross), net: a.net.subtract(b.net), tax: a.tax.subtract(b.tax) };
}

/** Zero net/tax/gross. */
export function zeroTaxed(currency: string): TaxedAmount {
  const z = Money.zero(currency);
  return { gross: z, net: z, tax: z };
}

/** Sum of taxed amounts. */
export function addTaxed(a: TaxedAmount, b: TaxedAmount): TaxedAmount {
  return { gross: a.gross.add(b.gross), net: a.net.add(b.net), tax: a.tax.add(b.tax) };
}

/** Negation. */
export function negTaxed(a: TaxedAmount): TaxedAmount {
  return { gross: a.gross.negate(), net: a.net.negate(), tax: a.tax.negate() };
}

/** Same figures. */
export function equalTaxed(a: TaxedAmount, b: TaxedAmount): boolean {
  return a.gross.equals(b.gross) && a.net.equals(b.net) && a.tax.equals(b.tax);
}

/** Human text of a delta: `gross +4.95, net +4.16, tax +0.79 EUR` (zero figures left out). */
export function describeDelta(d: TaxedAmount): string {
  const parts = (['gross', 'net', 'tax'] as const)
    .filter((k) => !d[k].isZero())
    .map((k) => `${k} ${d[k].isNegative() ? '' : '+'}${d[k].toString()}`);
  return `${parts.join(', ') || 'none'} ${d.gross.currencyCode}`;
}
