/**
 * Stream names (DESIGN §4). Every part must be non-empty and free of whitespace; parts are used
 * verbatim (Scayle shop keys and order ids are case-sensitive), so never parse a stream name back —
 * carry the parts instead.
 */
import { invalid } from './errors';

function part(name: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) {
    throw invalid('invalid_stream_part', `${name} must be a non-empty string without whitespace`, name);
  }
  return value;
}

/** `order-<shopKey>-<countryCode>-<orderId>`: Scayle, ERP, PSP and ledger facts of one order. */
export function orderStreamId(shopKey: string, countryCode: string, orderId: string): string {
  return `order-${part('shopKey', shopKey)}-${part('countryCode', countryCode)}-${part('orderId', orderId)}`;
}

/** Prefix of {@link erpUnlinkedStreamId}: streams of ERP documents parked until their order appears. */
export const ERP_UNLINKED_PREFIX = 'erp-unlinked-';

/** `erp-unlinked-<documentNumber>`: an ERP document that names no known order yet. */
export function erpUnlinkedStreamId(documentNumber: string): string {
  return `${ERP_UNLINKED_PREFIX}${part('documentNumber', documentNumber)}`;
}

/**
 * Whether a stream holds one order's facts for reconciliation: an order stream (`order-…`) or a
 * parked ERP document (`erp-unlinked-…`), which is reconciled as an order Scayle does not know.
 */
export function isOrderStream(streamId: string): boolean {
  return streamId.startsWith('order-') || streamId.startsWith(ERP_UNLINKED_PREFIX);
}

/** `settlement-<provider>-<batchId>`: one PSP settlement batch. */
export function settlementStreamId(provider: string, batchId: string): string {
  return `settlement-${part('provider', provider)}-${part('batchId', batchId)}`;
}

/** An accounting period as every route and command spells it: `YYYY-MM`, year 0001 to 9999 (DESIGN §7). */
export const PERIOD_PATTERN = /^(?!0000)\d{4}-(0[1-9]|1[0-2])$/;

/** `period-<YYYY-MM>`: one accounting period. @throws DomainError `invalid`/`invalid_period`. */
export function periodStreamId(period: string): string {
  if (!PERIOD_PATTERN.test(period)) throw invalid('invalid_period', `Period must be YYYY-MM with a year from 0001 to 9999, got ${period}`, 'period');
  return `period-${period}`;
}
