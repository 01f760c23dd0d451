/**
 * ERP document ingestion (DESIGN §9, issue 4 item 3): canonical documents and Business Central
 * documents mapped onto them. One fact per (documentNumber, revision); a later revision is a new
 * fact that supersedes (the domain keeps the highest); the same number and revision with other
 * content is refused (erp-revisions.ts). The document is linked to its order by
 * Scayle order id, `referenceKey` or `publicKey` through the order directory; a document naming no
 * known order goes to `erp-unlinked-<documentNumber>` and is linked when the order appears.
 */
import type { ErpDocument } from '../../domain/erp/erp-document';
import type { ErpDocumentData, ErpQuantisedAmount } from '../../domain/order/order.events';
import { erpUnlinkedStreamId } from '../../domain/shared/streams';
import type { Clock } from '../ports/clock.port';
import type { IngestMetrics } from '../ports/ingest-metrics.port';
import type { OrderDirectory, OrderLocation } from '../ports/order-directory.port';
import { erpDirectId, erpEventType, erpFact, erpLinkedId, erpOccurredAt, erpSourceEventId } from './erp/erp-facts';
import { CANONICAL_FIELDS, differences, differencesFromStored, ErpDocumentAlreadyRecorded, ErpDocumentFields, type ErpSourceTerms, RevisionConflict } from './erp/erp-revisions';
import type { AppendOnceResult, FactWriter } from './fact-writer';
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
  /** Request fields of its number and revision, for a problem (default `documentNumber`, `revision`). */
  fields?: ErpDocumentFields;
  /** The source's field names and identifiers (Business Central), for a problem in its terms. */
  source?: ErpSourceTerms;
}

const fieldsOf = (input: ErpDocumentInput): ErpDocumentFields => input.fields ?? CANONICAL_FIELDS;

/** What a conflict about `input` needs to speak its source's terms, given the recorded side's quantised amounts. */
const sourceOf = (input: ErpDocumentInput, recordedWarnings: readonly ErpQuantisedAmount[] | undefined): Pick<RevisionConflict, 'source'> =>
  input.source ? { source: { ...input.source, recordedWarnings: recordedWarnings ?? [], postedWarnings: input.warnings ?? [] } } : {};

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

  /**
   * Ingests the documents of one request: first checks every one against the log and the others
   * (see {@link refuseConflicts}), so a conflict records nothing of the request; then each in turn.
   * @throws ErpDocumentAlreadyRecorded
   */
  async handleAll(inputs: readonly ErpDocumentInput[], ctx: IngestContext): Promise<IngestOutcome[]> {
    await this.refuseConflicts(inputs);
    const outcomes: IngestOutcome[] = [];
    for (const input of inputs) outcomes.push(await this.handle(input, ctx));
    return outcomes;
  }

  /**
   * Refuses documents whose (type, number, revision) is recorded with other content, or posted twice
   * with different content in `inputs` (erp-revisions.ts). Appends nothing.
   * @throws ErpDocumentAlreadyRecorded naming every such document.
   */
  async refuseConflicts(inputs: readonly ErpDocumentInput[]): Promise<void> {
    const conflicts: RevisionConflict[] = [];
    const seen = new Map<string, ErpDocumentInput>();
    for (const input of inputs) {
      const doc = input.document;
      const key = `${erpEventType(doc)}\u0000${erpSourceEventId(doc)}`;
      const earlier = seen.get(key);
      if (earlier) {
        const differs = differences(earlier, input);
        if (differs.length > 0) conflicts.push({ posted: doc, recorded: earlier.document, differs, fields: fieldsOf(input), recordedIn: 'this request', ...sourceOf(input, earlier.warnings) });
        continue;
      }
      seen.set(key, input);
      const conflict = (await this.recorded(input)).conflict;
      if (conflict) conflicts.push(conflict);
    }
    if (conflicts.length > 0) throw new ErpDocumentAlreadyRecorded(conflicts);
  }

  /**
   * Appends the document's fact once (a `duplicate` when it is recorded, wherever).
   * @throws ErpDocumentAlreadyRecorded when its number and revision are recorded with other content.
   */
  async handle(input: ErpDocumentInput, ctx: IngestContext): Promise<IngestOutcome> {
    const doc = input.document;
    const recordedAt = this.clock.now().toISOString();
    const occurredAt = erpOccurredAt(doc, input.modifiedAt);
    const data = (d: ErpDocument): ErpDocumentData => ({ document: d, raw: input.raw, quantisedAmounts: input.warnings ?? [] });
    const extraMetadata = { ingestFormat: input.format, ...(input.warnings?.length ? { dataQualityWarnings: input.warnings.length } : {}) };
    const { location, parked, checked, conflict } = await this.recorded(input);
    if (conflict) throw new ErpDocumentAlreadyRecorded([conflict]);
    let result;
    let streamId: string;
    if (location) {
      // Already parked in erp-unlinked-… under the direct id (event ids are unique log-wide): link it.
      const fact = erpFact(data({ ...doc, orderReference: location.orderId }), { linked: parked, recordedAt, ctx, occurredAt, extraMetadata: { ...extraMetadata, orderReferenceAsSent: doc.orderReference } });
      streamId = location.streamId;
      result = await this.writer.appendOnce(streamId, [fact]);
    } else {
      streamId = erpUnlinkedStreamId(doc.documentNumber);
      result = await this.writer.appendOnce(streamId, [erpFact(data(doc), { linked: false, recordedAt, ctx, occurredAt, extraMetadata })]);
      if (doc.orderReference && !result.elsewhere) {
        const link = { reference: doc.orderReference, sourceStreamId: streamId };
        await this.directory.addPending(link);
        await this.linker.linkIfKnown(link, ctx); // the order may have been recorded meanwhile
      }
    }
    if (result.appended === 0) await this.refuseIfChanged(input, streamId, result, checked);
    if (result.appended === 0) this.metrics.duplicateDelivery('erp_document', erpEventType(doc));
    else this.metrics.accepted('erp_document', erpEventType(doc));
    return { status: result.appended === 0 ? 'duplicate' : 'accepted', eventIds: result.eventIds, position: result.position };
  }

  /**
   * Where the document is recorded (parked in `erp-unlinked-…`, and in the stream of the order it
   * names), and whether that differs from what is posted now.
   */
  private async recorded(input: ErpDocumentInput): Promise<{ location?: OrderLocation; parked: boolean; checked: Set<string>; conflict?: RevisionConflict }> {
    const doc = input.document;
    const location = doc.orderReference ? await this.directory.resolve(doc.orderReference, ORDER_KINDS) : undefined;
    const unlinked = erpUnlinkedStreamId(doc.documentNumber);
    const stored = await this.writer.findStored(unlinked, [erpDirectId(doc)]);
    const parked = stored.length > 0;
    if (location) stored.push(...(await this.writer.findStored(location.streamId, [erpDirectId(doc), erpLinkedId(doc)])));
    const checked = new Set(stored.map((e) => e.id));
    for (const event of stored) {
      const differs = differencesFromStored(event, input);
      if (differs.length > 0) return { ...(location ? { location } : {}), parked, checked, conflict: { posted: doc, recorded: (event.data as ErpDocumentData).document, differs, fields: fieldsOf(input), recordedIn: event.streamId, ...sourceOf(input, (event.data as ErpDocumentData).quantisedAmounts) } };
    }
    return { ...(location ? { location } : {}), parked, checked };
  }

  /**
   * Nothing was appended: the fact is in the target stream, or — on a store that keeps ids unique
   * across the log — in another stream (recorded while its order reference named another order).
   * Either way it is a duplicate unless its content differs (a post that raced the first check).
   */
  private async refuseIfChanged(input: ErpDocumentInput, streamId: string, result: AppendOnceResult, checked: ReadonlySet<string>): Promise<void> {
    const elsewhere = result.elsewhere?.[0];
    const id = result.eventIds[0]!;
    if (!elsewhere && checked.has(id)) return; // compared before the append
    const stored = elsewhere ? await this.writer.readOne(elsewhere.streamId, elsewhere.revision) : (await this.writer.findStored(streamId, [id]))[0];
    if (!stored) return;
    const differs = differencesFromStored(stored, input);
    if (differs.length > 0) throw new ErpDocumentAlreadyRecorded([{ posted: input.document, recorded: (stored.data as ErpDocumentData).document, differs, fields: fieldsOf(input), recordedIn: stored.streamId, ...sourceOf(input, (stored.data as ErpDocumentData).quantisedAmounts) }]);
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
