/**
 * One fact per ERP document revision (DESIGN §9): (document type, `documentNumber`, `revision`)
 * names one fact. The same document posted again is a `duplicate`; one with the same number and
 * revision but other content is refused, as PSP batches are (`batch_already_recorded`) — answering it
 * `duplicate` would silently drop the new figures. A changed document needs a new revision
 * (Business Central: a later `lastModifiedDateTime`). "Other content" is judged by value for amounts
 * (`"13.9"` and `"13.90"` EUR are one amount) and as sent for everything else ({@link differences}).
 */
import type { ErpAmounts, ErpDocument } from '../../../domain/erp/erp-document';
import type { ErpDocumentData, ErpQuantisedAmount } from '../../../domain/order/order.events';
import { DomainError } from '../../../domain/shared/errors';
import type { RecordedEvent } from '../../ports/event-store.port';
import { amountValue } from '../../shared/amount-value';
import { canonicalJson } from '../../shared/canonical-json';

/** The request fields that carry a document's number and revision (for a problem naming them). */
export interface ErpDocumentFields {
  documentNumber: string;
  revision: string;
}

export const CANONICAL_FIELDS: ErpDocumentFields = { documentNumber: 'documentNumber', revision: 'revision' };

/** A document as posted: what a stored fact is compared with. */
export interface PostedDocument {
  document: ErpDocument;
  /** Amounts the mapper quantised (Business Central). */
  warnings?: readonly ErpQuantisedAmount[];
}

/**
 * The document a stored fact was posted with: its `orderReference` as sent (the fact's
 * `orderReference` is the Scayle order id once linked; `orderReferenceAsSent` keeps what was sent).
 * A fact the linker moved from `erp-unlinked-…` does not say: its reference is left out of the
 * comparison (the parked original, compared too, has it).
 */
function asPosted(stored: RecordedEvent): PostedDocument & { referenceKnown: boolean } {
  const data = stored.data as ErpDocumentData;
  const sent = stored.metadata.orderReferenceAsSent;
  if (typeof sent === 'string' || sent === null) return { document: { ...data.document, orderReference: sent }, warnings: data.quantisedAmounts, referenceKnown: true };
  return { document: data.document, warnings: data.quantisedAmounts, referenceKnown: stored.metadata.linkedFrom === undefined };
}

/** The document with every amount (header totals, line net/tax/gross) in one spelling of its value. */
function byAmountValue(d: ErpDocument): ErpDocument {
  const amounts = (a: ErpAmounts): ErpAmounts => ({ ...a, net: amountValue(a.net, d.currency), tax: amountValue(a.tax, d.currency), gross: amountValue(a.gross, d.currency) } as ErpAmounts);
  const lines = Array.isArray(d.lines) ? d.lines.map((l) => (l !== null && typeof l === 'object' ? { ...l, ...amounts(l) } : l)) : d.lines;
  return { ...d, ...(d.totals !== null && typeof d.totals === 'object' ? { totals: amounts(d.totals) } : {}), lines };
}

/** Quantised amounts with their original and quantised figures by value (`1245.885` = `1245.8850`). */
function warningsByValue(ws: readonly ErpQuantisedAmount[]): unknown[] {
  return ws.map((w) => ({ ...w, original: amountValue(w.original, w.currency), quantised: amountValue(w.quantised, w.currency) }));
}

/**
 * Top-level fields in which two postings of one document differ (`totals`, `lines`,
 * `quantisedAmounts`…); none when equal. The one comparison of canonical and Business Central
 * postings, against the log and within a request. Amounts compare by value in the document currency
 * (`"13.9"` re-sent for a recorded `"13.90"` is the same document, as is a recorded `"13.900"` from
 * before the boundaries refused extra zeros); every other field, rates and quantities included
 * (they are not money), compares as sent, so another amount, line, currency or order reference text
 * is a difference.
 */
export function differences(a: PostedDocument, b: PostedDocument, withReference = true): string[] {
  const [da, db] = [byAmountValue(a.document), byAmountValue(b.document)];
  const keys = new Set([...Object.keys(da), ...Object.keys(db)]);
  if (!withReference) keys.delete('orderReference');
  const get = (d: ErpDocument, k: string) => canonicalJson((d as unknown as Record<string, unknown>)[k] ?? null);
  const fields = [...keys].filter((k) => get(da, k) !== get(db, k)).sort();
  if (canonicalJson(warningsByValue(a.warnings ?? [])) !== canonicalJson(warningsByValue(b.warnings ?? []))) fields.push('quantisedAmounts');
  return fields;
}

/** Where a stored fact differs from a posted document (see {@link differences}). */
export function differencesFromStored(stored: RecordedEvent, posted: PostedDocument): string[] {
  const before = asPosted(stored);
  return differences(before, posted, before.referenceKnown);
}

/** One document whose number and revision are recorded with other content. */
export interface RevisionConflict {
  posted: ErpDocument;
  /** The recorded document (or the earlier one of the same request). */
  recorded: ErpDocument;
  differs: string[];
  fields: ErpDocumentFields;
  /** Where the recorded one is: a stream, or `this request`. */
  recordedIn: string;
}

const LABEL: Record<ErpDocument['documentType'], string> = { invoice: 'invoice', credit_memo: 'credit memo', sales_order: 'sales order', payment: 'payment' };

/**
 * A document whose number and revision are already recorded with other content: nothing of the
 * request is recorded. `errors` names each conflicting document's number and revision fields.
 */
export class ErpDocumentAlreadyRecorded extends DomainError {
  override readonly name = 'ErpDocumentAlreadyRecorded';
  readonly errors: { field: string; message: string }[];

  constructor(readonly conflicts: readonly RevisionConflict[]) {
    const first = conflicts[0]!;
    const describe = (c: RevisionConflict) =>
      `ERP ${LABEL[c.posted.documentType]} ${c.posted.documentNumber} revision ${c.posted.revision} is already recorded${c.recordedIn === 'this request' ? ' earlier in this request' : ''} with other content (differs in ${c.differs.join(', ')}; recorded gross ${c.recorded.totals.gross} ${c.recorded.currency}, this one ${c.posted.totals.gross} ${c.posted.currency})`;
    super(
      'conflict',
      'document_already_recorded',
      `${conflicts.map(describe).join('; ')}. Nothing was recorded. A changed document needs a higher revision (Business Central: a later lastModifiedDateTime)`,
      first.fields.revision,
      { documentNumber: first.posted.documentNumber, revision: String(first.posted.revision) },
    );
    this.errors = conflicts.flatMap((c) => [
      { field: c.fields.documentNumber, message: `${c.posted.documentNumber} revision ${c.posted.revision} is already recorded with other content (differs in ${c.differs.join(', ')})` },
      { field: c.fields.revision, message: 'a changed document needs a higher revision' },
    ]);
  }
}
