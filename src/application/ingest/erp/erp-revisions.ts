/**
 * One fact per ERP document revision (DESIGN §9): (document type, `documentNumber`, `revision`)
 * names one fact. The same document posted again is a `duplicate`; one with the same number and
 * revision but other content is refused, as PSP batches are (`batch_already_recorded`) — answering it
 * `duplicate` would silently drop the new figures. A changed document needs a new revision
 * (Business Central: a later `lastModifiedDateTime`). "Other content" is judged by value for amounts
 * (`"13.9"` and `"13.90"` EUR are one amount), rates and quantities (`"0.190"` = `"0.19"`) and as
 * sent for everything else ({@link differences}).
 */
import type { ErpDocument } from '../../../domain/erp/erp-document';
import type { ErpDocumentData, ErpQuantisedAmount } from '../../../domain/order/order.events';
import { DomainError } from '../../../domain/shared/errors';
import type { RecordedEvent } from '../../ports/event-store.port';
import Decimal from 'decimal.js';
import { canonicalJson } from '../../shared/canonical-json';
import { amountValue, decimalValue, describeDifferences, type LeafReading, valueDifferences, type ValueDifference } from '../../shared/value-comparison';

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

/** How a document type reads in a problem. */
const LABEL: Record<ErpDocument['documentType'], string> = { invoice: 'invoice', credit_memo: 'credit memo', sales_order: 'sales order', payment: 'payment' };

const AMOUNT_KEYS = new Set(['net', 'tax', 'gross']);
const DECIMAL_LINE_KEYS = new Set(['quantity', 'taxRate']);

/**
 * How a leaf of a posting (the document's fields plus `quantisedAmounts`) compares: header and line
 * net/tax/gross as amounts in the document currency; line `quantity` and `taxRate` and the
 * document's `exchangeRate` as decimals; a quantised amount's `original` and `quantised` as amounts
 * in its currency; everything else — dates (`postingDate`), codes, references — as sent.
 */
const readPosting: LeafReading = (path, value, root) => {
  const r = root as { currency?: unknown; quantisedAmounts?: { currency?: unknown }[] };
  const [top, second, third] = path;
  if (top === 'totals' && typeof second === 'string' && AMOUNT_KEYS.has(second)) return amountValue(value, r.currency);
  if (top === 'lines' && typeof third === 'string' && path.length === 3) {
    if (AMOUNT_KEYS.has(third)) return amountValue(value, r.currency);
    if (DECIMAL_LINE_KEYS.has(third)) return decimalValue(value);
  }
  if (top === 'exchangeRate' && path.length === 1) return decimalValue(value);
  if (top === 'quantisedAmounts' && typeof second === 'number' && (third === 'original' || third === 'quantised')) return amountValue(value, r.quantisedAmounts?.[second]?.currency);
  return value;
};

/**
 * Where two postings of one document differ, field by field with both values (`lines[0].taxRate`,
 * `totals.gross`, `quantisedAmounts[1].original`); none when they are the same document. The one
 * comparison of canonical and Business Central postings, against the log and within a request
 * ({@link valueDifferences}). Numbers compare by value — amounts in the document currency (`"13.9"`
 * re-sent for a recorded `"13.90"` is the same document, as is a recorded `"13.900"` from before the
 * boundaries refused extra zeros), rates and quantities as decimals (`"0.190"` = `"0.19"`, `"01"` =
 * `"1"`); every other field, dates included, compares as sent, so another amount, rate, line,
 * currency or order reference text is a difference.
 */
export function differences(a: PostedDocument, b: PostedDocument, withReference = true): ValueDifference[] {
  const posting = (p: PostedDocument): Record<string, unknown> => {
    const { orderReference, ...rest } = p.document;
    return { ...rest, ...(withReference ? { orderReference } : {}), quantisedAmounts: p.warnings ?? [] };
  };
  return valueDifferences(posting(a), posting(b), readPosting);
}

/** Where a stored fact differs from a posted document (see {@link differences}). */
export function differencesFromStored(stored: RecordedEvent, posted: PostedDocument): ValueDifference[] {
  const before = asPosted(stored);
  return differences(before, posted, before.referenceKnown);
}

/**
 * How a source system names a document's fields and identifies it (Business Central: `number` and
 * `lastModifiedDateTime`), so a problem about it speaks the caller's terms.
 */
export interface ErpSourceTerms {
  /** `Business Central`. */
  system: string;
  /**
   * Canonical path (`totals.net`, `lines[0].taxRate`) → the source field it was read from, without a
   * collection prefix (`totalAmountExcludingTax`, `salesInvoiceLines[1].taxPercent`).
   */
  names: Readonly<Record<string, string>>;
  /** The document's identifiers as sent (`{ number, lastModifiedDateTime }`). */
  ids: Readonly<Record<string, string>>;
}

/** One document whose number and revision are recorded with other content. */
export interface RevisionConflict {
  posted: ErpDocument;
  /** The recorded document (or the earlier one of the same request). */
  recorded: ErpDocument;
  /** Where the two differ, with both values. */
  differs: ValueDifference[];
  fields: ErpDocumentFields;
  /** Where the recorded one is: a stream, or `this request`. */
  recordedIn: string;
  /** The posted document's source terms, with the amounts each side's mapper quantised. */
  source?: ErpSourceTerms & { recordedWarnings: readonly ErpQuantisedAmount[]; postedWarnings: readonly ErpQuantisedAmount[] };
}

const COLLECTION_PREFIX = /^value\[\d+\]\./;

/** The value at a canonical path (`lines[0].net`) of a document. */
function valueAt(doc: ErpDocument, path: string): unknown {
  let at: unknown = doc;
  for (const part of path.split(/\.|(?=\[)/)) {
    const index = /^\[(\d+)\]$/.exec(part);
    at = at === null || typeof at !== 'object' ? undefined : index ? (at as unknown[])[Number(index[1])] : (at as Record<string, unknown>)[part];
  }
  return at;
}

/**
 * The differences of a conflict in the source's terms: each source field the caller sent
 * (`totalAmountExcludingTax`), with both values as sent — a quantised amount as the source wrote it
 * (`206.941`), a tax rate as a percentage — instead of canonical paths and the internal
 * `quantisedAmounts` list; fields that read the same as sent on both sides are left out. Canonical
 * paths the source has no field for (a line's `kind`, `status`) stay as they are.
 */
export function sourceDifferences(c: RevisionConflict): ValueDifference[] {
  if (!c.source) return c.differs;
  const { names, recordedWarnings, postedWarnings } = c.source;
  const field = (w: ErpQuantisedAmount) => w.field.replace(COLLECTION_PREFIX, '');
  const originals = (ws: readonly ErpQuantisedAmount[]) => new Map(ws.map((w) => [field(w), w.original]));
  const recordedOriginals = originals(recordedWarnings);
  const postedOriginals = originals(postedWarnings);
  const canonicalOf = new Map(Object.entries(names).map(([canonical, source]) => [source, canonical]));
  const asSent = (doc: ErpDocument, sourceField: string, originalsOf: Map<string, string>): unknown => {
    const original = originalsOf.get(sourceField);
    if (original !== undefined) return original;
    const canonical = canonicalOf.get(sourceField);
    if (canonical === undefined) return undefined;
    const value = valueAt(doc, canonical);
    return canonical.endsWith('.taxRate') && typeof value === 'string' ? decimalValue(percentOf(value)) : value;
  };
  const out: ValueDifference[] = [];
  const seen = new Set<string>();
  const add = (sourceField: string) => {
    if (seen.has(sourceField)) return;
    seen.add(sourceField);
    const recorded = asSent(c.recorded, sourceField, recordedOriginals);
    const posted = asSent(c.posted, sourceField, postedOriginals);
    if (canonicalJson(recorded ?? null) !== canonicalJson(posted ?? null)) out.push({ path: sourceField, recorded, posted });
  };
  for (const d of c.differs) {
    const quantised = /^quantisedAmounts\[(\d+)\]/.exec(d.path);
    if (quantised) {
      const i = Number(quantised[1]);
      for (const w of [recordedWarnings[i], postedWarnings[i]]) if (w) add(field(w));
    } else if (names[d.path] !== undefined) add(names[d.path]!);
    else out.push(d);
  }
  return out.length > 0 ? out : c.differs;
}

/** A fraction (`"0.19"`) as a percentage (`"19"`), exactly. */
function percentOf(fraction: string): string {
  const value = decimalValue(fraction);
  return typeof value === 'string' ? new Decimal(value).times(100).toString() : fraction;
}

/** A conflicting document's identifiers: its source's (`PS-1 of lastModifiedDateTime …`), else number and revision. */
function documentIds(c: RevisionConflict): string {
  const ids = c.source?.ids;
  if (!ids) return `${c.posted.documentNumber} revision ${c.posted.revision}`;
  return `${ids.number ?? c.posted.documentNumber}${ids.lastModifiedDateTime ? ` of lastModifiedDateTime ${ids.lastModifiedDateTime}` : ''}`;
}

/** How a conflicting document is named in a problem (`Business Central invoice PS-1 of …`, `ERP invoice SI-1 revision 2`). */
function documentName(c: RevisionConflict): string {
  return `${c.source?.system ?? 'ERP'} ${LABEL[c.posted.documentType]} ${documentIds(c)}`;
}

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
      `${documentName(c)} is already recorded${c.recordedIn === 'this request' ? ' earlier in this request' : ''} with other content (differs in ${describeDifferences(sourceDifferences(c))})`;
    super(
      'conflict',
      'document_already_recorded',
      `${conflicts.map(describe).join('; ')}. Nothing was recorded. A changed document needs a higher revision (Business Central: a later lastModifiedDateTime)`,
      first.fields.revision,
      // The caller's identifiers: Business Central's `number` and `lastModifiedDateTime` as sent, never
      // the epoch-millisecond revision the ledger derives from the latter.
      first.source ? { ...first.source.ids } : { documentNumber: first.posted.documentNumber, revision: String(first.posted.revision) },
    );
    this.errors = conflicts.flatMap((c) => [
      { field: c.fields.documentNumber, message: `${documentIds(c)} is already recorded with other content (differs in ${describeDifferences(sourceDifferences(c))})` },
      { field: c.fields.revision, message: 'a changed document needs a higher revision' },
    ]);
  }
}
