/**
 * The reconciliation policy (DESIGN §5–§7) as of a log position: the configured settings (timezone,
 * ERP rounding profile, materiality cap, grace windows) plus the tax-code and item mappings as the
 * log held them at that position. A close records the settings it used in `PeriodCloseStarted`, and
 * an audit replay rebuilds the policy from those and the mappings at the cut, so a later change of
 * configuration or mappings cannot change a replayed close.
 */
import { ITEM_MAPPINGS_STREAM, TAX_CODE_MAPPINGS_STREAM, type ItemMappingsReplaced, type TaxCodeMappingsReplaced } from '../../domain/mapping/mapping.events';
import type { ReconciliationSettings } from '../../domain/period/close-snapshot';
import type { ReconciliationPolicy } from '../../domain/order/reconciliation.policy';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '../ports/event-store.port';

/** A policy and the mapping versions it was built with (number of changes at the position; 0 = never set). */
export interface PolicyAt {
  policy: ReconciliationPolicy;
  mappings: { taxCodes: number; items: number };
}

export class ReconciliationPolicySource {
  constructor(
    private readonly events: EventStore,
    /** The configured settings (what a new close records). */
    readonly settings: ReconciliationSettings,
  ) {}

  /**
   * The policy with `settings` (default: the configured ones) and the mappings at `position`
   * (default: the head).
   */
  async at(position?: bigint, settings: ReconciliationSettings = this.settings): Promise<PolicyAt> {
    const [tax, items] = await Promise.all([this.lastAt(TAX_CODE_MAPPINGS_STREAM, position), this.lastAt(ITEM_MAPPINGS_STREAM, position)]);
    const policy: ReconciliationPolicy = {
      timezone: settings.timezone,
      erpProfile: settings.erpProfile,
      ...(settings.materialityCap !== undefined ? { materialityCap: settings.materialityCap } : {}),
      ...(settings.graceWindows !== undefined ? { graceWindows: settings.graceWindows } : {}),
    };
    if (tax.last) policy.taxCodeMapping = (tax.last.data as TaxCodeMappingsReplaced['data']).entries;
    if (items.last) policy.itemMapping = Object.fromEntries((items.last.data as ItemMappingsReplaced['data']).entries.map((e) => [e.erpItemNumber, e.variantReferenceKey]));
    return { policy, mappings: { taxCodes: tax.count, items: items.count } };
  }

  private async lastAt(stream: string, position: bigint | undefined): Promise<{ last?: RecordedEvent; count: number }> {
    let events: RecordedEvent[];
    try {
      events = await this.events.readStream(stream);
    } catch (err) {
      if (err instanceof StreamNotFoundError) return { count: 0 };
      throw err;
    }
    const upTo = position === undefined ? events : events.filter((e) => e.position <= position);
    const last = upTo[upTo.length - 1];
    return last ? { last, count: upTo.length } : { count: 0 };
  }
}
