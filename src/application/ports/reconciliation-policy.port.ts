import type { ReconciliationPolicy } from '../../domain/order/reconciliation.policy';

/**
 * The reconciliation policy in force (DESIGN §5–§7): the ERP rounding profile, timezone and
 * materiality cap from configuration, plus the tax-code and item mappings maintained through
 * `/v1/mappings/*`. Asked per evaluation, so a mapping change applies to the next one.
 */
export interface ReconciliationPolicyProvider {
  current(): Promise<ReconciliationPolicy>;
}
