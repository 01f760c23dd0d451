/**
 * Classifying one component's difference (DESIGN §6 stages 4–6): amount → tax → rounding.
 * No tolerance hides a structural difference: the base (net for tax-exclusive prices, gross for
 * tax-inclusive ones) must agree exactly before anything is called rounding.
 */
import { Dec } from '../../shared/decimal';
import { minorUnit, toCurrency } from '../../shared/currency';
import type { RoundingMode } from '../../shared/rounding';
import type { TaxedAmount } from '../../shared/tax';
import { deltaOf, equalTaxed } from '../order.findings';

export interface ComponentComparison {
  scayle: TaxedAmount;
  erp: TaxedAmount;
  /** Amounts Scayle rounded independently (one per unit item / fee in the component). */
  scayleRounded: number;
  /** Amounts the ERP rounded independently (lines with `per_line`, tax groups with `per_document`). */
  erpRounded: number;
  pricesIncludeTax: boolean;
  /**
   * The ERP's rounding mode: a nearest mode (`half_up`, `half_even`) is off by at most ½ minor unit
   * per rounded amount, a directed one (`up`, `down`) by up to one whole minor unit.
   */
  erpMode: RoundingMode;
  /** The ERP figures recomputed under the profile from Scayle's lines still invoiced, if known. */
  expectedErp?: TaxedAmount;
}

export type ComparisonOutcome =
  | { kind: 'equal' }
  | { kind: 'amount'; delta: TaxedAmount }
  | { kind: 'tax'; delta: TaxedAmount; bound: Dec }
  | { kind: 'rounding'; delta: TaxedAmount; bound: Dec; explainedByProfile: boolean; largest: Dec };

/**
 * - equal figures → `equal`;
 * - base differs → `amount`;
 * - base agrees and every |Δ| ≤ ½ minor unit × (Scayle's + the ERP's rounded amounts) → `rounding`
 *   (Scayle rounds to nearest; an ERP rounding `up`/`down` counts a whole minor unit per amount);
 *   (`explainedByProfile` tells whether the ERP booked exactly the profile's recomputation);
 * - else → `tax`.
 */
export function compareComponent(c: ComponentComparison): ComparisonOutcome {
  if (equalTaxed(c.scayle, c.erp)) return { kind: 'equal' };
  const delta = deltaOf(c.scayle, c.erp);
  const base = c.pricesIncludeTax ? delta.gross : delta.net;
  if (!base.isZero()) return { kind: 'amount', delta };
  const cur = toCurrency(c.scayle.gross.currencyCode);
  const erpWeight = c.erpMode === 'up' || c.erpMode === 'down' ? 2 : 1;
  const bound = minorUnit(cur).unit.div(2).mul(c.scayleRounded + erpWeight * c.erpRounded);
  const largest = Dec.max(delta.gross.amount.abs(), delta.net.amount.abs(), delta.tax.amount.abs());
  const explainedByProfile = c.expectedErp !== undefined && equalTaxed(c.expectedErp, c.erp);
  if (largest.lte(bound)) return { kind: 'rounding', delta, bound, explainedByProfile, largest };
  return { kind: 'tax', delta, bound };
}
