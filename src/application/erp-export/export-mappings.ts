import type { ExportMappings } from '../../domain/erp-export/erp-export.document';
import type { MappingsService } from '../mapping/mappings.service';

/** Where the export reads its mappings from, at the moment it maps a document. */
export interface ExportMappingsSource {
  current(): Promise<ExportMappings>;
}

/** G/L accounts from configuration (`LEDGER_ERP_FEE_ACCOUNTS`, `LEDGER_ERP_DISCOUNT_ACCOUNT`). */
export interface ConfiguredAccounts {
  /** Fee category → G/L account; `*` for any other category. */
  feeAccounts: Readonly<Record<string, string>>;
  discountAccount?: string;
}

/**
 * The audited mapping sets (`mappings-items`, `mappings-tax-codes`, issue 6) plus the configured G/L
 * accounts. The mappings service re-reads a set only when its stream moved.
 */
export class AuditedExportMappings implements ExportMappingsSource {
  constructor(
    private readonly mappings: MappingsService,
    private readonly accounts: ConfiguredAccounts,
  ) {}

  async current(): Promise<ExportMappings> {
    const [items, taxCodes] = await Promise.all([this.mappings.items(), this.mappings.taxCodes()]);
    return {
      itemNumbers: Object.fromEntries(items.entries.map((e) => [e.variantReferenceKey, e.erpItemNumber])),
      taxCodes: taxCodes.entries,
      feeAccounts: this.accounts.feeAccounts,
      ...(this.accounts.discountAccount !== undefined ? { discountAccount: this.accounts.discountAccount } : {}),
    };
  }
}
