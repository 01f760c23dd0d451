/**
 * Stage 5 per ERP line: `MISSING_TAX_CODE` (a line with an amount and no tax code, case C9) and
 * `TAX_MAPPING_ERROR` (a code the mapping does not know for the shop country, a code other than the
 * mapping's for Scayle's rate, or a line rate other than Scayle's).
 */
import { dec } from '../../shared/decimal';
import { normaliseRate } from '../../shared/tax';
import type { TaxCodeMappingEntry } from '../reconciliation.policy';
import { report, type RuleContext } from './context';
import { coveredItems, type ParsedLine } from './erp-lines';

/** The code the mapping expects for (country, rate, channel): a channel-specific entry wins. */
export function expectedTaxCode(mapping: readonly TaxCodeMappingEntry[], countryCode: string, rate: string, channelType?: string): string | undefined {
  const hits = mapping.filter((m) => m.countryCode === countryCode && normaliseRate(m.rate) === rate && (m.channelType === undefined || m.channelType === channelType));
  return (hits.find((m) => m.channelType !== undefined) ?? hits[0])?.taxCode;
}

/**
 * Scayle's rate for what a line covers, or undefined when unknown or mixed. A fee Scayle reports at a
 * blended rate — between the lowest and highest of two or more item rates (delivery on a basket of
 * 19 % and 7 % items, 0.1485) — is booked by ERPs split over the items' rates; such a fee line takes
 * its own rate when that is one of the items' rates, and is then checked against the mapping for that
 * rate. A fee at a rate no item has that is not such a blend (19 % gift wrap on a basket of 7 % books)
 * keeps its own rate: booking it at an item's rate is a `TAX_MAPPING_ERROR`.
 */
function scayleRate(ctx: RuleContext, l: ParsedLine): string | undefined {
  if (l.line.kind === 'item' || l.line.kind === 'discount') {
    const rates = new Set(coveredItems(l.line, ctx.view, ctx.policy.itemMapping).map((i) => normaliseRate(i.taxRate)));
    return rates.size === 1 ? [...rates][0] : undefined;
  }
  const fees = ctx.view.fees.filter((f) => f.component === l.component);
  const feeRates = new Set(fees.map((f) => normaliseRate(f.taxRate)));
  const itemRates = new Set(ctx.view.items.map((i) => normaliseRate(i.taxRate)));
  const lineRate = l.line.taxRate !== undefined ? normaliseRate(l.line.taxRate) : undefined;
  if (lineRate !== undefined && itemRates.has(lineRate) && fees.some((f) => isBlendOf(normaliseRate(f.taxRate), itemRates, f.net.toMinorUnits()))) return lineRate;
  return feeRates.size === 1 ? [...feeRates][0] : undefined;
}

/**
 * Whether a fee's reported `rate` (fraction) is a blend of at least two distinct item `rates`: not one
 * of them, and between the lowest and the highest once the rate's own imprecision is allowed for. A
 * blended rate is `tax / net` of parts each rounded to the minor unit, so it can land just outside the
 * items' range (a 2.00 fee split 1.98 at 19 % and 0.02 at 7 %: net 1.66 + 0.02, tax 0.32, reported
 * 0.1905). Each of the k parts moves tax and net by at most half a minor unit, so the rate may be off by
 * k × (1 + highest rate) / (2 × net in minor units); the reported rate's 4th decimal adds 0.0001.
 */
function isBlendOf(rate: string, rates: ReadonlySet<string>, netMinor: bigint): boolean {
  if (rates.size < 2 || rates.has(rate)) return false;
  const r = dec(rate);
  const all = [...rates].map((x) => dec(x));
  const lowest = all.reduce((a, b) => (a.lt(b) ? a : b));
  const highest = all.reduce((a, b) => (a.gt(b) ? a : b));
  const net = netMinor < 0n ? -netMinor : netMinor;
  const tolerance = net === 0n ? dec('0') : dec(BigInt(rates.size)).mul(highest.plus(1)).div(dec(net).mul(2)).plus(dec('0.0001'));
  return r.gt(lowest.minus(tolerance)) && r.lt(highest.plus(tolerance));
}

export function taxCodeRule(ctx: RuleContext): void {
  const order = ctx.view.order!;
  for (const l of [...ctx.invoiceLines, ...ctx.creditLines]) {
    if (l.amounts.gross.isZero() && l.amounts.net.isZero()) continue;
    const doc = l.doc.data;
    const at = { component: l.component, documentNumber: doc.documentNumber, lineNumber: l.line.lineNumber, discriminator: `${doc.documentNumber}#${l.line.lineNumber}`, eventIds: [l.doc.eventId] };
    const code = l.line.taxCode?.trim() ?? '';
    if (code === '') {
      report(ctx, {
        ...at,
        code: 'MISSING_TAX_CODE',
        erp: { currency: doc.currency, gross: l.line.gross, net: l.line.net, tax: l.line.tax },
        explanation: `ERP ${doc.documentNumber} line ${l.line.lineNumber} (${l.line.kind}, net ${l.line.net}) has no tax code${order.channelType ? ` (${order.channelType} order)` : ''}: assign the tax code for ${order.countryCode} in the ERP`,
      });
      continue;
    }
    if (l.line.kind === 'discount') continue;
    const rate = scayleRate(ctx, l);
    if (rate === undefined) continue;
    const lineRate = l.line.taxRate !== undefined ? normaliseRate(l.line.taxRate) : undefined;
    const mapping = ctx.policy.taxCodeMapping;
    const expected = mapping ? expectedTaxCode(mapping, order.countryCode, rate, order.channelType) : undefined;
    const known = mapping ? mapping.some((m) => m.countryCode === order.countryCode && m.taxCode === code) : true;
    let why: string | undefined;
    if (lineRate !== undefined && lineRate !== rate) why = `carries rate ${lineRate} but Scayle charged ${rate}`;
    else if (!known) why = `uses tax code ${code}, unknown for ${order.countryCode} in the tax-code mapping`;
    else if (mapping && expected === undefined) why = `uses ${code} but the mapping has no code for ${order.countryCode} at rate ${rate}`;
    else if (expected !== undefined && expected !== code) why = `uses ${code} but Scayle's rate ${rate} in ${order.countryCode} maps to ${expected}`;
    if (why === undefined) continue;
    report(ctx, {
      ...at,
      code: 'TAX_MAPPING_ERROR',
      scayle: { currency: ctx.currency },
      erp: { currency: doc.currency, gross: l.line.gross, net: l.line.net, tax: l.line.tax },
      explanation: `ERP ${doc.documentNumber} line ${l.line.lineNumber} ${why}: fix the tax code mapping or the line`,
    });
  }
}
