/**
 * ERP document ingestion (DESIGN §9, issue 4 item 3): canonical documents and Business Central
 * documents mapped onto them. One fact per (documentNumber, revision); a later revision is a new
 * fact that supersedes (the domain keeps the highest). The document is linked to its order by
 * Scayle order id, `referenceKey` or `publicKey` through the order directory; a document naming no
 * known order goes to `erp-unlinked-<documentNumber>` and is linked when the order appears.
 */
import type { ErpDocument } from '../../domain/erp/erp-document';
import type { ErpDocumentData, ErpQuantisedAmount } from '../../domain/order/order.events';
import { erpUnlinkedStreamId } from '../../domain/shared/streams';
import type { Clock } from '../ports/clock.port';
import type { IngestMetrics } from '../ports/ingest-metrics.port';
import type { OrderDirectory } from '../ports/order-directory.port';
import { erpDirectId, erpEventType, erpFact, erpOccurredAt, erpSourceEventId } from './erp/erp-facts';
import type { FactWriter } from './fact-writer';
import type { IngestFormat, IngestionFailureRecorder } from './ingestion-failures';
import { IngestContext, IngestOutcome, MappingFailure } from './ingest-outcome';
import type { OrderLinker } from './order-linker';

/** One document to ingest, already validated (canonical) or mapped (Business Central). */
export interface ErpDocumentInput {
  document: ErpDocument;
  /** The record as received (BC: the document's JSON text with its numbers exactly as sent). */
  raw: unknown;
  /** Amounts the mapper quantised (Business Central); stored as the fact's `quantisedAmounts`. */
  warnings?: ErpQuantisedAmount[];
  /** Source modification time, where the ERP gives one. */
  modifiedAt?: string;
  format: IngestFormat;
}

const ORDER_KINDS = ['orderId', 'referenceKey', 'publicKey'] as const;

/** Answer for several records: `duplicate` only when every record was; each record's outcome in `records`. */
export interface CombinedOutcome {
  status: 'accepted' | 'duplicate';
  eventIds: string[];
  position: bigint;
  records: IngestOutcome[];
}

export function combineOutcomes(outcomes: readonly IngestOutcome[]): CombinedOutcome {
  return {
    status: outcomes.every((o) => o.status === 'duplicate') ? 'duplicate' : 'accepted',
    eventIds: outcomes.flatMap((o) => o.eventIds),
    position: outcomes.reduce((max, o) => (o.position > max ? o.position : max), 0n),
    records: [...outcomes],
  };
}

export class IngestErpDocumentHandler {
  constructor(
    private readonly writer: FactWriter,
    private readonly directory: OrderDirectory,
    private readonly linker: OrderLinker,
    private readonly failures: IngestionFailureRecorder,
    private readonly metrics: IngestMetrics,
    private readonly clock: Clock,
  ) {}

  async handle(input: ErpDocumentInput, ctx: IngestContext): Promise<IngestOutcome> {
    const doc = input.document;
    const recordedAt = this.clock.now().toISOString();
    const occurredAt = erpOccurredAt(doc, input.modifiedAt);
    const data = (d: ErpDocument): ErpDocumentData => ({ document: d, raw: input.raw, quantisedAmounts: input.warnings ?? [] });
    const extraMetadata = { ingestFormat: input.format, ...(input.warnings?.length ? { dataQualityWarnings: input.warnings.length } : {}) };
    const location = doc.orderReference ? await this.directory.resolve(doc.orderReference, ORDER_KINDS) : undefined;
    let result;
    if (location) {
      // Already parked in erp-unlinked-… under the direct id (event ids are unique log-wide): link it.
      const unlinkedStream = erpUnlinkedStreamId(doc.documentNumber);
      const parked = (await this.writer.readOrEmpty(unlinkedStream)).some((e) => e.id === erpDirectId(doc));
      const fact = erpFact(data({ ...doc, orderReference: location.orderId }), { linked: parked, recordedAt, ctx, occurredAt, extraMetadata: { ...extraMetadata, orderReferenceAsSent: doc.orderReference } });
      result = await this.writer.appendOnce(location.streamId, [fact]);
    } else {
      const streamId = erpUnlinkedStreamId(doc.documentNumber);
      result = await this.writer.appendOnce(streamId, [erpFact(data(doc), { linked: false, recordedAt, ctx, occurredAt, extraMetadata })]);
      if (doc.orderReference) {
        const link = { reference: doc.orderReference, sourceStreamId: streamId };
        await this.directory.addPending(link);
        await this.linker.linkIfKnown(link, ctx); // the order may have been recorded meanwhile
      }
    }
    if (result.appended === 0) this.metrics.duplicateDelivery('erp_document', erpEventType(doc));
    else this.metrics.accepted('erp_document', erpEventType(doc));
    return { status: result.appended === 0 ? 'duplicate' : 'accepted', eventIds: result.eventIds, position: result.position };
  }

  /** Keeps a document that could not be mapped (Business Central) as `IngestionFailed`. */
  async fail(format: IngestFormat, raw: unknown, failure: MappingFailure, ctx: IngestContext, documentNumber?: string, sourceEventId?: string): Promise<IngestOutcome> {
    return this.failures.record(
      { source: 'erp', recordKind: 'erp_document', format, failure, raw, ...(documentNumber ? { subject: documentNumber } : {}), ...(sourceEventId ? { sourceEventId } : {}) },
      ctx,
      'erp_document',
    );
  }
}

export { erpSourceEventId };
