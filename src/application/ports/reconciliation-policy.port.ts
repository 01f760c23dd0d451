import type { ReconciliationPolicy } from '../../domain/order/reconciliation.policy';

/**
 * The reconciliation policy in force (DESIGN §5–§7): the ERP rounding profile, timezone and
 * materiality cap from configuration, plus the tax-code and item mappings maintained through
 * `/v1/mappings/*`. Asked per evaluation, so a mapping change applies to the next one.
 */
export interface ReconciliationPolicyProvider {
  current(): Promise<ReconciliationPolicy>;
  /**
   * The policy with the mappings as the log held them at `position` (inclusive): what the
   * reconciliation projection evaluates with, so its read models are a function of the log alone
   * (a rebuild evaluates each order with the mappings of its time, as the live run did). Absent:
   * {@link current} is used.
   */
  at?(position: bigint): Promise<ReconciliationPolicy>;
}
