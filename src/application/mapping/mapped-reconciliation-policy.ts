import type { ReconciliationPolicy } from '../../domain/order/reconciliation.policy';
import type { ReconciliationPolicyProvider } from '../ports/reconciliation-policy.port';
import type { ItemMapping, TaxCodeMapping } from '../../domain/mapping/mapping.events';
import { itemNumberToVariant, type MappingsService } from './mappings.service';

/**
 * {@link ReconciliationPolicyProvider} from configuration (`base`) and the stored mappings: tax codes
 * for `TAX_MAPPING_ERROR`, ERP item number → variant for item matching. With no tax-code mapping
 * stored, tax codes are checked only for presence and rate (the domain's rule when the mapping is absent).
 */
export class MappedReconciliationPolicy implements ReconciliationPolicyProvider {
  constructor(
    private readonly base: Omit<ReconciliationPolicy, 'taxCodeMapping' | 'itemMapping'>,
    private readonly mappings: MappingsService,
  ) {}

  async current(): Promise<ReconciliationPolicy> {
    const [taxCodes, items] = await Promise.all([this.mappings.taxCodes(), this.mappings.items()]);
    return this.with(taxCodes.entries, items.entries);
  }

  /** The policy with the mappings of the last changes at or before log `position`. */
  async at(position: bigint): Promise<ReconciliationPolicy> {
    const [taxCodes, items] = await Promise.all([this.mappings.taxCodesAt(position), this.mappings.itemsAt(position)]);
    return this.with(taxCodes, items);
  }

  private with(taxCodes: readonly TaxCodeMapping[], items: readonly ItemMapping[]): ReconciliationPolicy {
    return {
      ...this.base,
      ...(taxCodes.length > 0 ? { taxCodeMapping: taxCodes } : {}),
      ...(items.length > 0 ? { itemMapping: itemNumberToVariant(items) } : {}),
    };
  }
}
