import type { IngestErpDocumentHandler } from '../../application/ingest/ingest-erp-document.handler';
import type { IngestPspSettlementHandler } from '../../application/ingest/ingest-psp-settlement.handler';
import type { IngestScayleWebhookHandler } from '../../application/ingest/ingest-scayle-webhook.handler';
import type { SyncScayleOrdersUseCase } from '../../application/ingest/sync-scayle-orders.use-case';
import type { IngestFormat } from '../../application/ingest/ingestion-failures';
import type { IngestOutcome } from '../../application/ingest/ingest-outcome';
import type { Rerun } from '../../application/ingest/retry-ingestion-failure.handler';
import { combineOutcomes } from '../../application/ingest/ingest-erp-document.handler';
import { ingestBusinessCentral, mapBusinessCentralText, validateCanonicalDocuments } from '../http/ingest/erp-documents.controller';
import { parseEnvelope } from '../http/ingest/scayle-webhook.controller';
import { validateSettlement } from '../http/ingest/psp-settlements.controller';
import { HttpProblem } from '../http/problem-details';

/** A failed outcome of several records stays failed; otherwise the combined answer. */
function fold(outcomes: IngestOutcome[]): IngestOutcome {
  const failed = outcomes.find((o) => o.status === 'failed');
  if (failed) return failed;
  const c = combineOutcomes(outcomes);
  return { status: c.status, eventIds: c.eventIds, position: c.position };
}

/** Validation problems of a stored record become the retry's message. */
async function explain<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpProblem) throw new Error(`${err.title}: ${(err.extensions.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; ')}`);
    throw err;
  }
}

/**
 * How each kind of stored record is mapped again (the same parsing and validation as its route,
 * then the same use-case).
 */
export function ingestReruns(
  h: { webhook: IngestScayleWebhookHandler; erp: IngestErpDocumentHandler; psp: IngestPspSettlementHandler; sync: SyncScayleOrdersUseCase },
  companyCurrency: string,
): Partial<Record<IngestFormat, Rerun>> {
  return {
    scayle_webhook: async (raw, _m, ctx) => h.webhook.handle(await explain(() => parseEnvelope(raw)), ctx, raw),
    erp_document: async (raw, _m, ctx) => {
      const inputs = await explain(() => validateCanonicalDocuments(raw));
      return fold(await h.erp.handleAll(inputs, ctx));
    },
    business_central_invoice: async (raw, _m, ctx) =>
      fold(await ingestBusinessCentral(h.erp, await explain(() => mapBusinessCentralText(String(raw), 'sales_invoice', companyCurrency)), 'sales_invoice', ctx)),
    business_central_credit_memo: async (raw, _m, ctx) =>
      fold(await ingestBusinessCentral(h.erp, await explain(() => mapBusinessCentralText(String(raw), 'sales_credit_memo', companyCurrency)), 'sales_credit_memo', ctx)),
    scayle_order_sync: async (raw, metadata, ctx) => {
      const shop = (metadata.retryContext ?? {}) as { shopKey?: string; countryCode?: string };
      return h.sync.ingestOrder(raw, shop.shopKey ?? '', shop.countryCode ?? '', ctx);
    },
    psp_settlement: async (raw, _m, ctx) => h.psp.handle(await explain(() => validateSettlement(raw)), raw, ctx),
  };
}
