/**
 * An in-memory stand-in for the ledger, used to evaluate the reconciliation **rules** against a
 * simulation without a running service: records are mapped to the same domain events the ingestion
 * writes (Scayle webhooks through the ingestion's own mapper; canonical ERP documents and PSP lines
 * as they are; Business Central bodies through a mapper the caller passes), grouped into order
 * streams, folded with the domain's `evolve` and reconciled with `reconcileOrder` at `now`.
 *
 * It skips what the real pipeline adds (event store, order directory, projections, REST), so a
 * finding that differs between this harness and `evaluate --target` points at those layers, not at
 * the rules.
 */
import { v5 as uuidv5 } from 'uuid';
import type { ErpDocument } from '../../domain/erp/erp-document';
import { ERP_EVENT_TYPE_BY_DOCUMENT, type ErpDocumentData, type ErpQuantisedAmount, type OrderEventEnvelope } from '../../domain/order/order.events';
import { reconcileOrder, type OrderReconciliation } from '../../domain/order/order.reconcile';
import { orderStateFrom } from '../../domain/order/order.state';
import type { ReconciliationPolicy } from '../../domain/order/reconciliation.policy';
import { checkSettlementBatch } from '../../domain/settlement/settlement.batch';
import type { PspSettlementBatch } from '../../domain/settlement/psp-settlement-batch.events';
import { LEDGER_EVENT_NAMESPACE, sourceEventName, type FactSource } from '../../domain/shared/ids';
import { erpUnlinkedStreamId, settlementStreamId } from '../../domain/shared/streams';
import { mapScayleWebhook, type ScayleWebhookEnvelope } from '../ingest/scayle/scayle-webhook.mapper';
import type { ObservedFinding } from './evaluation';
import type { SimRecord, TruthFile } from './simulation.types';

type Envelope = OrderEventEnvelope<{ type: string; data: unknown }>;

const idOf = (source: FactSource, sourceEventId: string, type: string) => uuidv5(sourceEventName(source, sourceEventId, type), LEDGER_EVENT_NAMESPACE);

/** Maps a Business Central body (JSON text, amounts as raw numbers) to the canonical document. */
export type BusinessCentralMapper = (body: string, kind: 'sales_invoice' | 'sales_credit_memo') => { document: ErpDocument; modifiedAt?: string; warnings?: ErpQuantisedAmount[] };

export class RulesHarness {
  private readonly streams = new Map<string, Envelope[]>();
  private readonly orderStream = new Map<string, string>();
  private readonly waiting: { orderId: string | null; event: Envelope; unlinked: string }[] = [];
  private readonly batches = new Map<string, PspSettlementBatch>();
  /** Records the harness could not map (kind → count), e.g. webhooks the mapper refused. */
  readonly unmapped: Record<string, number> = {};

  constructor(private readonly bc?: BusinessCentralMapper) {}

  ingest(r: SimRecord): void {
    try {
      this.ingestOne(r);
    } catch {
      this.unmapped[r.kind] = (this.unmapped[r.kind] ?? 0) + 1;
    }
  }

  private ingestOne(r: SimRecord): void {
    switch (r.kind) {
      case 'scayle_webhook': {
        const env = JSON.parse(r.body) as ScayleWebhookEnvelope;
        const mapped = mapScayleWebhook(env);
        if (mapped.kind === 'unknown') return;
        const data = mapped.kind === 'order' ? { ...mapped.data, webhookKey: env.key } : { ...mapped.data, webhookKey: env.key };
        this.push(mapped.streamId, { id: idOf('scayle', env.key, mapped.type), type: mapped.type, data, metadata: { occurredAt: env.occurredAt } } as Envelope);
        const orderId = 'order' in mapped.data ? (mapped.data as { order: { orderId: string } }).order.orderId : (mapped.data as { orderId: string }).orderId;
        if (mapped.kind === 'order') this.orderStream.set(orderId, mapped.streamId);
        return;
      }
      case 'erp_document':
        return this.document(JSON.parse(r.body) as ErpDocument);
      case 'business_central_invoice':
      case 'business_central_credit_memo': {
        if (!this.bc) throw new Error('no Business Central mapper');
        const m = this.bc(r.body, r.kind === 'business_central_invoice' ? 'sales_invoice' : 'sales_credit_memo');
        return this.document(m.document, m.modifiedAt, m.warnings);
      }
      case 'psp_settlement': {
        const b = JSON.parse(r.body) as PspSettlementBatch;
        const stream = settlementStreamId(b.provider, b.batchId);
        for (const line of b.lines) {
          const sourceId = `${b.provider}:${b.batchId}:${line.lineId}`;
          const event = { id: idOf('psp', sourceId, 'PspSettlementLineRecorded'), type: 'PspSettlementLineRecorded', data: { provider: b.provider, batchId: b.batchId, line }, metadata: { occurredAt: line.bookedAt } } as Envelope;
          if (line.orderId) this.waiting.push({ orderId: line.orderId, event, unlinked: `psp-unlinked-${sourceId}` });
        }
        this.batches.set(stream, b);
        return;
      }
    }
  }

  private document(doc: ErpDocument, modifiedAt?: string, quantisedAmounts: ErpQuantisedAmount[] = []): void {
    const type = ERP_EVENT_TYPE_BY_DOCUMENT[doc.documentType];
    const data: ErpDocumentData = { document: doc, quantisedAmounts };
    const event = { id: idOf('erp', `${doc.documentNumber}:${doc.revision}`, type), type, data, metadata: { occurredAt: modifiedAt ?? `${doc.postingDate}T00:00:00.000Z` } } as Envelope;
    this.waiting.push({ orderId: doc.orderReference, event, unlinked: erpUnlinkedStreamId(doc.documentNumber) });
  }

  private push(stream: string, e: Envelope): void {
    const s = this.streams.get(stream);
    if (s) s.push(e);
    else this.streams.set(stream, [e]);
  }

  /** Reconciles every stream at `now`; findings carry the order they are about. */
  reconcile(policy: ReconciliationPolicy, now: string): { reconciliations: OrderReconciliation[]; findings: ObservedFinding[] } {
    for (const w of this.waiting.splice(0)) {
      const stream = (w.orderId !== null && this.orderStream.get(w.orderId)) || w.unlinked;
      this.push(stream, w.event);
    }
    const reconciliations: OrderReconciliation[] = [];
    const findings: ObservedFinding[] = [];
    for (const [stream, events] of this.streams) {
      if (stream.startsWith('psp-unlinked-')) continue;
      const r = reconcileOrder(orderStateFrom(events), policy, now, { subject: stream });
      reconciliations.push(r);
      for (const f of r.findings) findings.push({ ...f, subject: r.subject, ...(r.orderId ? { orderId: r.orderId } : {}) });
    }
    for (const [stream, batch] of this.batches) {
      for (const f of checkSettlementBatch(batch).findings) findings.push({ ...f, subject: stream });
    }
    return { reconciliations, findings };
  }
}

/** The reconciliation policy a simulation was generated for. */
export function policyOf(truth: TruthFile): ReconciliationPolicy {
  return { erpProfile: truth.erpProfile, timezone: truth.timezone, materialityCap: truth.materialityCap, taxCodeMapping: truth.taxCodeMapping, itemMapping: truth.itemMapping };
}

/** A "now" long after every grace window of the simulated month. */
export function evaluationNow(truth: TruthFile): string {
  const [y, m] = truth.month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m + 2, 1)).toISOString();
}
