import type { Router } from 'express';
import { BusinessCentralKind, mapBusinessCentralDocument, NumberToken } from '../../../application/ingest/erp/business-central.mapper';
import { combineOutcomes, ErpDocumentInput, IngestErpDocumentHandler } from '../../../application/ingest/ingest-erp-document.handler';
import type { IngestFormat } from '../../../application/ingest/ingestion-failures';
import { IngestContext, IngestOutcome, InputRejected, MappingFailure, RejectedField } from '../../../application/ingest/ingest-outcome';
import type { ErpDocument } from '../../../domain/erp/erp-document';
import { DomainError } from '../../../domain/shared/errors';
import { Money } from '../../../domain/shared/money';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { actorOf } from '../auth/auth.middleware';
import { guard } from '../auth/route-roles';
import { FieldError, HttpProblem } from '../problem-details';
import { dtoFieldErrors, requireContentType } from '../validation';
import { ErpDocumentDto } from './erp-document.dto';
import { ingestContext, outcomeBody } from './ingest-response';
import { parseLossless, stringifyLossless } from './lossless-body';

/** Most documents one request may carry. */
export const MAX_DOCUMENTS_PER_REQUEST = 1000;

/**
 * Validates one document: its DTO constraints and the scales of its amounts as written, both passes
 * run so a 400 names every invalid field. Field paths are prefixed (`lines[0].net` →
 * `[2].lines[0].net`); the document itself (`body`) is the item (`[2]`).
 * @throws HttpProblem 400 when the item is not a JSON object.
 */
async function validateAt(body: unknown, prefix: string): Promise<{ dto?: ErpDocumentDto; errors: FieldError[] }> {
  const at = (field: string) => (field === 'body' && prefix ? prefix.slice(0, -1) : `${prefix}${field}`);
  let checked: { instance: ErpDocumentDto; errors: FieldError[] };
  try {
    checked = await dtoFieldErrors(ErpDocumentDto, body);
  } catch (err) {
    if (err instanceof HttpProblem && err.extensions.errors) return { errors: err.extensions.errors.map((e) => ({ field: at(e.field), message: e.message })) };
    throw err;
  }
  const errors = checked.errors.map((e) => ({ field: at(e.field), message: e.message }));
  errors.push(...scaleErrors(checked.instance as unknown as ErpDocument, prefix, new Set(errors.map((e) => e.field))));
  return errors.length === 0 ? { dto: checked.instance, errors } : { errors };
}

/**
 * Amounts on the currency's scale as written (the canonical API never quantises: it rejects, also
 * zeros beyond the scale such as `"11.680"` EUR; {@link Money.parseInput}). Runs on a document that
 * may have failed its DTO checks: only decimal strings are judged, not a field `reported` already,
 * and nothing when the currency is itself reported (no scale to judge by).
 */
function scaleErrors(doc: ErpDocument, prefix: string, reported: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof doc.currency !== 'string' || reported.has(`${prefix}currency`)) return errors;
  const check = (value: unknown, field: string) => {
    if (typeof value !== 'string' || reported.has(`${prefix}${field}`)) return;
    try {
      Money.parseInput(value, doc.currency, field);
    } catch (err) {
      if (err instanceof DomainError) errors.push({ field: `${prefix}${field}`, message: err.message, code: err.code });
      else throw err;
    }
  };
  const totals = doc.totals as Partial<ErpDocument['totals']> | undefined;
  if (totals && typeof totals === 'object') for (const k of ['net', 'tax', 'gross'] as const) check(totals[k], `totals.${k}`);
  if (Array.isArray(doc.lines)) {
    doc.lines.forEach((l, i) => {
      if (l && typeof l === 'object') (['net', 'tax', 'gross'] as const).forEach((k) => check(l[k], `lines[${i}].${k}`));
    });
  }
  return errors;
}

/**
 * Validates canonical documents (one object or an array): every field checked before anything is
 * appended. @throws HttpProblem 400 naming every invalid field ({@link HttpProblem.invalidFields}:
 * `too_many_decimals` when only amounts are off the scale, as on refunds and corrections).
 */
export async function validateCanonicalDocuments(body: unknown): Promise<ErpDocumentInput[]> {
  const many = Array.isArray(body);
  const items = many ? (body as unknown[]) : [body];
  if (items.length === 0) throw HttpProblem.validation([{ field: 'body', message: 'must hold at least one document' }]);
  if (items.length > MAX_DOCUMENTS_PER_REQUEST) throw HttpProblem.validation([{ field: 'body', message: `must hold at most ${MAX_DOCUMENTS_PER_REQUEST} documents` }]);
  const errors: FieldError[] = [];
  const inputs: ErpDocumentInput[] = [];
  for (const [i, item] of items.entries()) {
    const prefix = many ? `[${i}].` : '';
    const { dto, errors: e } = await validateAt(item, prefix);
    errors.push(...e);
    if (!dto) continue;
    const document = JSON.parse(JSON.stringify(dto)) as ErpDocument;
    inputs.push({ document, raw: item, format: 'erp_document', fields: { documentNumber: `${prefix}documentNumber`, revision: `${prefix}revision` } });
  }
  if (errors.length > 0) throw HttpProblem.invalidFields(errors);
  return inputs;
}

/** One BC document mapped, or kept as a failure. */
export type BcMapped = { input: ErpDocumentInput } | { failure: MappingFailure; raw: string; documentNumber?: string };

/**
 * Maps Business Central JSON text (one document, or a collection `{value: [...]}`).
 * @throws HttpProblem 400 for malformed JSON and structural faults (every field named).
 */
export function mapBusinessCentralText(text: string, kind: BusinessCentralKind, companyCurrency: string): BcMapped[] {
  const tree = parseLossless(text);
  const collection = tree !== null && typeof tree === 'object' && !Array.isArray(tree) && !(tree instanceof NumberToken) && Array.isArray((tree as { value?: unknown }).value);
  const items = collection ? ((tree as { value: unknown[] }).value) : [tree];
  if (items.length === 0) throw HttpProblem.validation([{ field: 'value', message: 'must hold at least one document' }]);
  if (items.length > MAX_DOCUMENTS_PER_REQUEST) throw HttpProblem.validation([{ field: 'value', message: `must hold at most ${MAX_DOCUMENTS_PER_REQUEST} documents` }]);
  const errors: RejectedField[] = [];
  const out: BcMapped[] = [];
  const format: IngestFormat = kind === 'sales_invoice' ? 'business_central_invoice' : 'business_central_credit_memo';
  items.forEach((item, i) => {
    const raw = stringifyLossless(item);
    try {
      const prefix = collection ? `value[${i}].` : '';
      const mapped = mapBusinessCentralDocument(item, kind, companyCurrency, prefix);
      const fields = { documentNumber: `${prefix}number`, revision: `${prefix}lastModifiedDateTime` };
      out.push({ input: { document: mapped.document, raw, warnings: mapped.warnings, ...(mapped.modifiedAt ? { modifiedAt: mapped.modifiedAt } : {}), format, fields, source: mapped.source } });
    } catch (err) {
      if (err instanceof InputRejected) errors.push(...err.errors);
      else if (err instanceof MappingFailure) {
        const number = (item as { number?: unknown } | null)?.number;
        out.push({ failure: err, raw, ...(typeof number === 'string' ? { documentNumber: number } : {}) });
      } else throw err;
    }
  });
  if (errors.length > 0) throw HttpProblem.validation(errors);
  return out;
}

/**
 * Ingests mapped BC documents (failures kept). A document whose number and lastModifiedDateTime are
 * recorded with other content refuses the whole request before anything is recorded.
 * @throws ErpDocumentAlreadyRecorded
 */
export async function ingestBusinessCentral(handler: IngestErpDocumentHandler, mapped: BcMapped[], kind: BusinessCentralKind, ctx: IngestContext): Promise<IngestOutcome[]> {
  const format: IngestFormat = kind === 'sales_invoice' ? 'business_central_invoice' : 'business_central_credit_memo';
  await handler.refuseConflicts(mapped.flatMap((m) => ('input' in m ? [m.input] : [])));
  const outcomes: IngestOutcome[] = [];
  for (const m of mapped) {
    outcomes.push('input' in m ? await handler.handle(m.input, ctx) : await handler.fail(format, m.raw, m.failure, ctx, m.documentNumber));
  }
  return outcomes;
}

/** Answer of one or several records (202). */
export function outcomesBody(outcomes: IngestOutcome[]): Record<string, unknown> {
  if (outcomes.length === 1) return outcomeBody(outcomes[0]!);
  const combined = combineOutcomes(outcomes);
  return { status: combined.status, eventIds: combined.eventIds, position: String(combined.position), records: combined.records.map(outcomeBody) };
}

/** ERP document routes (role `integrator`). */
export class ErpDocumentsController implements HttpRoutes {
  constructor(
    private readonly handler: IngestErpDocumentHandler,
    private readonly apiKeys: ApiKeyRegistry,
    private readonly companyCurrency: string,
  ) {}

  register(router: Router): void {
    const json = requireContentType('application/json');
    router.post('/v1/ingest/erp/documents', guard(this.apiKeys, 'POST /v1/ingest/erp/documents'), json, async (req, res) => {
      const inputs = await validateCanonicalDocuments(req.body);
      res.status(202).json(outcomesBody(await this.handler.handleAll(inputs, ingestContext(res, actorOf(res)))));
    });
    for (const [path, kind] of [
      ['/v1/ingest/erp/business-central/sales-invoices', 'sales_invoice'],
      ['/v1/ingest/erp/business-central/sales-credit-memos', 'sales_credit_memo'],
    ] as const) {
      router.post(path, guard(this.apiKeys, `POST ${path}`), json, async (req, res) => {
        // The raw bytes are UTF-8: a body in any other charset is a 415 before it is read (body-admission.ts).
        const mapped = mapBusinessCentralText(req.rawBody?.toString('utf8') ?? '', kind, this.companyCurrency);
        const outcomes = await ingestBusinessCentral(this.handler, mapped, kind, ingestContext(res, actorOf(res)));
        res.status(202).json(outcomesBody(outcomes));
      });
    }
  }
}
