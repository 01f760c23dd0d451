/**
 * ERP document facts (DESIGN §9): one event per (documentNumber, revision), in the order's stream
 * when the document names a known order, else in `erp-unlinked-<documentNumber>`.
 *
 * Ids: `erp|<documentNumber>:<revision>|<type>` for the fact as first written; a document moved
 * from `erp-unlinked-…` into the order stream later gets `…:<revision>:linked` (event ids are unique
 * across the log), and each is the other's alias, so neither path can write it twice.
 */
import { ERP_EVENT_TYPE_BY_DOCUMENT, ErpDocumentData } from '../../../domain/order/order.events';
import type { ErpDocument } from '../../../domain/erp/erp-document';
import { schemaVersionOf } from '../../../domain/event-schema/ledger-upcasters';
import type { PendingFact } from '../fact-writer';
import { eventId, IngestContext, sourceMetadata } from '../ingest-outcome';

/** Event type of a document. */
export const erpEventType = (doc: ErpDocument): string => ERP_EVENT_TYPE_BY_DOCUMENT[doc.documentType];

/** `documentNumber:revision`, the ERP source event id. */
export const erpSourceEventId = (doc: ErpDocument): string => `${doc.documentNumber}:${doc.revision}`;

export const erpDirectId = (doc: ErpDocument): string => eventId('erp', erpSourceEventId(doc), erpEventType(doc));
export const erpLinkedId = (doc: ErpDocument): string => eventId('erp', `${erpSourceEventId(doc)}:linked`, erpEventType(doc));

/** Source time of a document: its posting date at midnight UTC, unless the ERP gave a modification time. */
export function erpOccurredAt(doc: ErpDocument, modifiedAt?: string): string {
  return modifiedAt ?? `${doc.postingDate}T00:00:00.000Z`;
}

/** The fact of one document, written directly or linked later. */
export function erpFact(
  data: ErpDocumentData,
  options: { linked: boolean; recordedAt: string; ctx: IngestContext; occurredAt: string; extraMetadata?: Record<string, unknown> },
): PendingFact {
  const doc = data.document;
  const type = erpEventType(doc);
  const direct = erpDirectId(doc);
  const linked = erpLinkedId(doc);
  return {
    event: {
      id: options.linked ? linked : direct,
      type,
      data,
      metadata: sourceMetadata('erp', erpSourceEventId(doc), options.occurredAt, options.recordedAt, options.ctx, {
        ...(options.linked ? { linkedFrom: `erp-unlinked-${doc.documentNumber}` } : {}),
        ...options.extraMetadata,
        schemaVersion: schemaVersionOf(type),
      }),
    },
    aliases: [options.linked ? direct : linked],
  };
}
