/**
 * Tax arithmetic and the expected ERP document under a rounding profile (DESIGN §5, §9).
 *
 * Rates are fractions as decimal strings (`"0.19"`, never percent, never numbers).
 */
import { Dec, dec, type DecimalString, ONE } from './decimal';
import { type CurrencyLike, toCurrency, type Currency } from './currency';
import { invalid } from './errors';
import { Money } from './money';
import { type ErpRoundingProfile, type RoundingMode } from './rounding';

/**
 * Parses a tax rate given as a fraction (`"0.19"`), 0 ≤ rate ≤ 1.
 * @throws DomainError `invalid`/`invalid_tax_rate`.
 */
export function parseRate(rate: DecimalString, field = 'taxRate'): Dec {
  const hit = rateCache.get(rate);
  if (hit) return hit;
  let d: Dec;
  try {
    d = dec(rate, field);
  } catch {
    throw invalid('invalid_tax_rate', `Tax rate must be a fraction as a decimal string, got ${String(rate)}`, field);
  }
  if (d.isNegative() || d.gt(ONE)) throw invalid('invalid_tax_rate', `Tax rate must be between 0 and 1 (a fraction), got ${rate}`, field);
  if (rateCache.size > 1000) rateCache.clear();
  rateCache.set(rate, d);
  return d;
}

/** Parsed rates by their text: a handful of distinct rates recur on every order. Decimals are immutable. */
const rateCache = new Map<string, Dec>();

/** Canonical text of a rate (`"0.190"` → `"0.19"`, `"0"` → `"0"`), for grouping and keys. */
export function normaliseRate(rate: DecimalString): DecimalString {
  let text = normalCache.get(rate);
  if (text === undefined) {
    text = parseRate(rate).toFixed();
    normalCache.set(rate, text);
  }
  return text;
}

const normalCache = new Map<string, string>();

/** Net from gross: `round(gross / (1 + rate))` on the currency's scale with `mode`. */
export function netFromGross(gross: Money, rate: DecimalString, mode: RoundingMode): Money {
  return gross.divide(parseRate(rate).add(ONE)).quantise(mode);
}

/** Tax of a net amount: `round(net × rate)` on the currency's scale with `mode`. */
export function taxOfNet(net: Money, rate: DecimalString, mode: RoundingMode): Money {
  return net.multiply(parseRate(rate)).quantise(mode);
}

/** Gross, net and tax of one amount, in one currency. */
export interface TaxedAmount {
  net: Money;
  tax: Money;
  gross: Money;
}

/** One line to price under a profile. */
export interface TaxLineInput {
  /** Caller's key, returned on the matching output line (e.g. the ERP line number). */
  key: string;
  /**
   * The line amount in major units: **gross** when `profile.pricesIncludeTax`, else **net**
   * (typically the sum of the Scayle unit prices the line covers). Quantised with the profile's
   * mode if it is off scale.
   */
  amount: Money;
  /** Rate as a fraction string. */
  rate: DecimalString;
}

/** A line of the expected document. */
export interface ExpectedErpLine extends TaxedAmount {
  key: string;
  rate: DecimalString;
}

/** Totals per tax rate (Business Central's VAT amount lines per VAT identifier). */
export interface ExpectedTaxGroup extends TaxedAmount {
  rate: DecimalString;
  lineKeys: string[];
}

/** What an ERP with a given profile books for a set of lines. */
export interface ExpectedErpDocument {
  currency: string;
  lines: ExpectedErpLine[];
  groups: ExpectedTaxGroup[];
  totals: TaxedAmount;
  /**
   * How many amounts the ERP rounded independently: one per line with `per_line`, one per tax
   * rate with `per_document`. Feeds the rounding bound (½ minor unit per rounded amount).
   */
  roundedAmounts: number;
}

/**
 * Computes the document an ERP with `profile` books for `lines` (DESIGN §5).
 *
 * - `per_line`: each line rounds its own tax (net prices: `tax = round(net × rate)`) or its own net
 *   (gross prices: `net = round(gross / (1 + rate))`, `tax = gross − net`).
 * - `per_document`: rounding happens once per tax rate on the document total, and lines carry the
 *   remainder so that they sum exactly to it. This is Business Central's behaviour: BC calculates
 *   VAT on the document total per VAT identifier and, in `Sales Line.UpdateVATAmounts`, assigns each
 *   line `round(running total incl. this line) − amount already assigned to earlier lines` of the same
 *   VAT identifier. We do exactly that running rounding, lines in the order given (ERP line-number
 *   order), tax rates grouped by their numeric value in order of first appearance. Line tax is thus
 *   `round(rate × Σ net₁..ₖ) − round(rate × Σ net₁..ₖ₋₁)` (net prices) and line net
 *   `round(Σ gross₁..ₖ / (1 + rate)) − round(Σ gross₁..ₖ₋₁ / (1 + rate))` (gross prices).
 *
 * @throws DomainError `invalid`/`invalid_tax_rate`, CurrencyMismatchError when a line is in another currency.
 */
export function expectedErpDocument(lines: readonly TaxLineInput[], profile: ErpRoundingProfile, currency: CurrencyLike): ExpectedErpDocument {
  const cur = toCurrency(currency);
  const out = new Map<string, ExpectedErpLine>();
  const groups = groupByRate(lines, cur);
  const expGroups: ExpectedTaxGroup[] = [];
  for (const [rateText, { rate, members }] of groups) {
    const onePlus = rate.add(ONE);
    let runBase = Money.zero(cur);
    let runRounded = Money.zero(cur);
    let groupNet = Money.zero(cur);
    let groupTax = Money.zero(cur);
    for (const line of members) {
      const amount = line.amount.quantise(profile.mode);
      let derived: Money; // tax (net prices) or net (gross prices) of this line
      if (profile.level === 'per_line') {
        derived = profile.pricesIncludeTax ? amount.divide(onePlus).quantise(profile.mode) : amount.multiply(rate).quantise(profile.mode);
      } else {
        runBase = runBase.add(amount);
        const cumulative = profile.pricesIncludeTax ? runBase.divide(onePlus).quantise(profile.mode) : runBase.multiply(rate).quantise(profile.mode);
        derived = cumulative.subtract(runRounded);
        runRounded = cumulative;
      }
      const taxed: TaxedAmount = profile.pricesIncludeTax
        ? { gross: amount, net: derived, tax: amount.subtract(derived) }
        : { net: amount, tax: derived, gross: amount.add(derived) };
      out.set(line.key, { key: line.key, rate: rateText, ...taxed });
      groupNet = groupNet.add(taxed.net);
      groupTax = groupTax.add(taxed.tax);
    }
    expGroups.push({ rate: rateText, lineKeys: members.map((m) => m.key), net: groupNet, tax: groupTax, gross: groupNet.add(groupTax) });
  }
  const totals = expGroups.reduce<TaxedAmount>(
    (acc, g) => ({ net: acc.net.add(g.net), tax: acc.tax.add(g.tax), gross: acc.gross.add(g.gross) }),
    { net: Money.zero(cur), tax: Money.zero(cur), gross: Money.zero(cur) },
  );
  return {
    currency: cur.code,
    lines: lines.map((l) => out.get(l.key)!),
    groups: expGroups,
    totals,
    roundedAmounts: profile.level === 'per_line' ? lines.length : expGroups.length,
  };
}

function groupByRate(lines: readonly TaxLineInput[], cur: Currency): Map<string, { rate: Dec; members: TaxLineInput[] }> {
  const groups = new Map<string, { rate: Dec; members: TaxLineInput[] }>();
  const keys = new Set<string>();
  lines.forEach((line, i) => {
    if (keys.has(line.key)) throw invalid('duplicate_line_key', `Line key ${line.key} appears twice`, `lines[${i}].key`);
    keys.add(line.key);
    if (line.amount.currency.code !== cur.code) Money.zero(cur).add(line.amount); // throws CurrencyMismatchError
    const rate = parseRate(line.rate, `lines[${i}].rate`);
    const text = rate.toFixed();
    const g = groups.get(text);
    if (g) g.members.push(line);
    else groups.set(text, { rate, members: [line] });
  });
  return groups;
}
