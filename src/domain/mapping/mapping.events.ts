/**
 * Mappings that prevent sync errors (issue 6): the ERP tax code for a shop country and VAT rate, and
 * the ERP item number for a Scayle variant. Each set lives in one stream (`mappings-tax-codes`,
 * `mappings-items`) and every change replaces the whole set, so the stream is the audit trail of
 * who changed what and when (metadata `actor`, data `changedAt`).
 */
import type { DecimalString } from '../shared/decimal';

/** Stream of the tax-code mapping set. */
export const TAX_CODE_MAPPINGS_STREAM = 'mappings-tax-codes';
/** Stream of the item mapping set. */
export const ITEM_MAPPINGS_STREAM = 'mappings-items';

/** Shop country + Scayle VAT rate → the ERP tax code expected on the line (DESIGN §6 `TAX_MAPPING_ERROR`). */
export interface TaxCodeMapping {
  /** Shop country, ISO alpha-2 as Scayle names it (`DE`). */
  countryCode: string;
  /** VAT rate as a fraction string, canonical (`"0.19"`). */
  rate: DecimalString;
  /** ERP tax code (`DE19`, `VAT19`…). */
  taxCode: string;
  /** Only for orders of this Scayle `channel.type` (`marketplace`); an entry with a channel wins over one without. */
  channelType?: string;
}

/** Scayle variant `referenceKey` → ERP item number. */
export interface ItemMapping {
  variantReferenceKey: string;
  erpItemNumber: string;
}

export interface TaxCodeMappingsReplaced {
  type: 'TaxCodeMappingsReplaced';
  data: { entries: TaxCodeMapping[]; changedAt: string; changedBy: string };
}

export interface ItemMappingsReplaced {
  type: 'ItemMappingsReplaced';
  data: { entries: ItemMapping[]; changedAt: string; changedBy: string };
}

export type MappingEvent = TaxCodeMappingsReplaced | ItemMappingsReplaced;
