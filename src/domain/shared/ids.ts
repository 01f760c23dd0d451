/**
 * Deterministic identities (DESIGN §4, CONTRIBUTING "Event ids").
 *
 * Source facts get a UUID v5 id so that a redelivered webhook or a retried append cannot create a
 * second fact. The domain cannot hash (no `node:crypto`, no dependency beyond decimal.js), so it owns
 * only the **name** that is hashed and the namespace; the application computes the UUID:
 *
 * ```ts
 * import { v5 as uuidv5 } from 'uuid';
 * const id = uuidv5(sourceEventName('scayle', webhookKey, 'ScayleOrderConfirmed'), LEDGER_EVENT_NAMESPACE);
 * ```
 */
import { invalid } from './errors';

/** UUID v5 namespace of every ledger event id. Never change it: ids of stored events depend on it. */
export const LEDGER_EVENT_NAMESPACE = '45f41ec1-d6a4-411e-88c0-a0e9187adb1c';

/** Who produced a fact (mirrors the event-store port's `EventSource`). */
export type FactSource = 'scayle' | 'erp' | 'psp' | 'ledger';

/**
 * The name hashed into an event's UUID v5: `source|sourceEventId|type`.
 * - Scayle webhooks: `sourceEventId` = the delivery `key`; Admin API polls: `<orderId>@<updatedAt>`.
 * - ERP documents: `<documentNumber>:<revision>`; PSP lines: `<provider>:<batchId>:<lineId>`.
 * - Ledger commands: the command's id (refundId, correctionId).
 * @throws DomainError `invalid`/`invalid_source_event_id` when a part is empty or contains `|`.
 */
export function sourceEventName(source: FactSource, sourceEventId: string, type: string): string {
  for (const [field, part] of [['sourceEventId', sourceEventId], ['type', type]] as const) {
    if (typeof part !== 'string' || part.length === 0 || part.includes('|')) {
      throw invalid('invalid_source_event_id', `${field} must be a non-empty string without '|'`, field);
    }
  }
  return `${source}|${sourceEventId}|${type}`;
}
