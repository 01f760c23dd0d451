/**
 * Validation of a new mapping set. Both sets are replaced whole; a set equal to the current one
 * yields no event (a repeated PUT changes nothing and records nothing).
 */
import { invalid } from '../shared/errors';
import { parseRate } from '../shared/tax';
import type { ItemMapping, ItemMappingsReplaced, TaxCodeMapping, TaxCodeMappingsReplaced } from './mapping.events';

/** Code-unit order: the same on every machine (no locale). */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sortTax = (a: TaxCodeMapping, b: TaxCodeMapping): number =>
  cmp(a.countryCode, b.countryCode) || cmp(a.rate, b.rate) || cmp(a.channelType ?? '', b.channelType ?? '');

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Replaces the tax-code mappings. Rates are normalised (`"0.190"` → `"0.19"`), entries sorted by
 * country, rate and channel.
 * @throws DomainError `invalid`: `invalid_country_code`, `invalid_tax_rate`, `required`,
 *   `duplicate_mapping` (two entries for the same country, rate and channel), field named.
 */
export function replaceTaxCodeMappings(
  entries: readonly TaxCodeMapping[],
  current: readonly TaxCodeMapping[],
  at: { changedAt: string; changedBy: string },
): TaxCodeMappingsReplaced[] {
  const seen = new Map<string, number>();
  const normalised = entries.map((e, i) => {
    const field = `entries[${i}]`;
    if (!/^[A-Z]{2}$/.test(e.countryCode)) throw invalid('invalid_country_code', `${field}.countryCode must be an ISO alpha-2 code such as DE`, `${field}.countryCode`);
    if (typeof e.taxCode !== 'string' || e.taxCode.trim() === '') throw invalid('required', `${field}.taxCode is required`, `${field}.taxCode`);
    const rate = parseRate(e.rate, `${field}.rate`).toFixed();
    const key = `${e.countryCode}|${rate}|${e.channelType ?? ''}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw invalid('duplicate_mapping', `${field} maps the same country, rate and channel as entries[${earlier}]`, `${field}`);
    }
    seen.set(key, i);
    return { countryCode: e.countryCode, rate, taxCode: e.taxCode.trim(), ...(e.channelType ? { channelType: e.channelType } : {}) };
  });
  normalised.sort(sortTax);
  if (same(normalised, current)) return [];
  return [{ type: 'TaxCodeMappingsReplaced', data: { entries: normalised, ...at } }];
}

/**
 * Replaces the item mappings, sorted by variant reference key. Both sides must be unique: a second
 * variant on the same ERP item number would make ERP lines that name only the item number ambiguous.
 * @throws DomainError `invalid`: `required`, `duplicate_mapping`, field named.
 */
export function replaceItemMappings(entries: readonly ItemMapping[], current: readonly ItemMapping[], at: { changedAt: string; changedBy: string }): ItemMappingsReplaced[] {
  const byVariant = new Map<string, number>();
  const byItem = new Map<string, number>();
  const normalised = entries.map((e, i) => {
    const field = `entries[${i}]`;
    for (const [name, value] of [['variantReferenceKey', e.variantReferenceKey], ['erpItemNumber', e.erpItemNumber]] as const) {
      if (typeof value !== 'string' || value.trim() === '') throw invalid('required', `${field}.${name} is required`, `${field}.${name}`);
    }
    const variant = e.variantReferenceKey.trim();
    const item = e.erpItemNumber.trim();
    if (byVariant.has(variant)) throw invalid('duplicate_mapping', `${field}.variantReferenceKey ${variant} is mapped in entries[${byVariant.get(variant)}] too`, `${field}.variantReferenceKey`);
    if (byItem.has(item)) throw invalid('duplicate_mapping', `${field}.erpItemNumber ${item} is mapped in entries[${byItem.get(item)}] too`, `${field}.erpItemNumber`);
    byVariant.set(variant, i);
    byItem.set(item, i);
    return { variantReferenceKey: variant, erpItemNumber: item };
  });
  normalised.sort((a, b) => cmp(a.variantReferenceKey, b.variantReferenceKey));
  if (same(normalised, current)) return [];
  return [{ type: 'ItemMappingsReplaced', data: { entries: normalised, ...at } }];
}
