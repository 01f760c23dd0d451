import express, { Router } from 'express';
import { parse as parseCsv } from 'csv-parse/sync';
import type { IngestPspSettlementHandler } from '../../../application/ingest/ingest-psp-settlement.handler';
import type { PspSettlementBatch } from '../../../domain/settlement/psp-settlement-batch.events';
import { DomainError } from '../../../domain/shared/errors';
import { Money } from '../../../domain/shared/money';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { actorOf } from '../auth/auth.middleware';
import { guard } from '../auth/route-roles';
import { FieldError, HttpProblem } from '../problem-details';
import { admitBodyHeaders } from '../body-admission';
import { refuseInvalidUtf8 } from '../json-body';
import { dtoFieldErrors, requireContentType } from '../validation';
import { queryOf, type ParamCheck } from '../queries/query-params';
import { ingestContext, sendOutcome } from './ingest-response';
import { PSP_CSV_BATCH_COLUMNS, PSP_CSV_LINE_COLUMNS, PspSettlementBatchDto } from './psp-settlement.dto';

const ROUTE = 'POST /v1/ingest/psp/settlements';
const QUERY_FOR_COLUMN: Record<(typeof PSP_CSV_BATCH_COLUMNS)[number], string> = {
  provider: 'provider',
  batchId: 'batchId',
  batchCurrency: 'currency',
  payoutDate: 'payoutDate',
  payoutAmount: 'payoutAmount',
};

/**
 * The query parameters of a CSV batch: its batch columns (values are checked with the batch, see
 * {@link validateSettlement}). Any other parameter — and on a JSON batch, which carries these in its
 * body, any parameter — is a 400 naming it, as on every other route that takes query parameters.
 */
const CSV_QUERY: Record<string, ParamCheck> = Object.fromEntries(Object.values(QUERY_FOR_COLUMN).map((name) => [name, { ok: () => true, expected: '' }]));
const JSON_QUERY: Record<string, ParamCheck> = Object.fromEntries(
  Object.values(QUERY_FOR_COLUMN).map((name) => [name, { ok: () => false, expected: 'is a parameter of CSV batches only: a JSON batch gives it in the body' }]),
);

/**
 * CSV → the JSON batch shape. Header row required; columns {@link PSP_CSV_LINE_COLUMNS} per line and
 * the batch columns {@link PSP_CSV_BATCH_COLUMNS} repeated (identically) on every row, or given as
 * query parameters (`provider`, `batchId`, `currency`, `payoutDate`, `payoutAmount`). Empty cells are
 * absent values; a column given twice is refused. Field errors name `lines[i]` for data row i+1.
 * @throws HttpProblem 400.
 */
export function batchFromCsv(text: string, query: Record<string, unknown>): Record<string, unknown> {
  let rows: Record<string, string>[];
  let twice: string[] = [];
  try {
    // A column named twice would have its last cell win without a word: note it, refuse it below.
    const columns = (header: string[]) => {
      twice = [...new Set(header.filter((name, i) => header.indexOf(name) !== i))];
      return header;
    };
    rows = parseCsv(text, { columns, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (err) {
    throw HttpProblem.validation([{ field: 'body', message: `not valid CSV: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  if (twice.length > 0) throw HttpProblem.validation(twice.map((c) => ({ field: c, message: 'CSV column given twice; give each column once' })));
  if (rows.length === 0) throw HttpProblem.validation([{ field: 'body', message: 'needs a header row and at least one line' }]);
  const known = new Set<string>([...PSP_CSV_LINE_COLUMNS, ...PSP_CSV_BATCH_COLUMNS]);
  const unknown = Object.keys(rows[0]!).filter((c) => !known.has(c));
  if (unknown.length > 0) throw HttpProblem.validation(unknown.map((c) => ({ field: c, message: `unknown CSV column; columns are ${[...known].join(', ')}` })));
  const errors: FieldError[] = [];
  const batch: Record<string, unknown> = {};
  for (const column of PSP_CSV_BATCH_COLUMNS) {
    const key = QUERY_FOR_COLUMN[column];
    const values = new Set(rows.map((r) => r[column] ?? '').filter((v) => v !== ''));
    const fromQuery = typeof query[key] === 'string' ? (query[key] as string) : undefined;
    if (values.size > 1) errors.push({ field: column, message: 'must be the same on every row' });
    const value = values.size === 1 ? [...values][0]! : fromQuery;
    if (values.size === 1 && fromQuery !== undefined && fromQuery !== value) errors.push({ field: key, message: `query parameter disagrees with the ${column} column` });
    if (value !== undefined) batch[key] = value;
  }
  if (errors.length > 0) throw HttpProblem.validation(errors);
  batch.lines = rows.map((r) => Object.fromEntries(PSP_CSV_LINE_COLUMNS.filter((c) => r[c] !== undefined && r[c] !== '').map((c) => [c, r[c]])));
  return batch;
}

/**
 * Validates a batch body (JSON shape, or CSV turned into it) including amount scales as written:
 * more fractional digits than the currency has are refused, zeros too ({@link Money.parseInput}).
 * @throws HttpProblem 400 naming every invalid field ({@link HttpProblem.invalidFields}:
 * `too_many_decimals` when only amounts are off the scale, as on refunds and corrections).
 */
export async function validateSettlement(body: unknown): Promise<PspSettlementBatch> {
  // Both passes run, so one 400 names a wrong type and an amount off the scale alike.
  const { instance: dto, errors: dtoErrors } = await dtoFieldErrors(PspSettlementBatchDto, body);
  const errors: FieldError[] = [...dtoErrors];
  const reported = new Set(dtoErrors.map((e) => e.field));
  const check = (value: unknown, currency: unknown, field: string, currencyField: string) => {
    // Only decimal strings the DTO let through, in a currency it let through, have a scale to judge.
    if (typeof value !== 'string' || typeof currency !== 'string' || reported.has(field) || reported.has(currencyField)) return;
    try {
      Money.parseInput(value, currency, field);
    } catch (err) {
      if (err instanceof DomainError) errors.push({ field, message: err.message, code: err.code });
      else throw err;
    }
  };
  check(dto.payoutAmount, dto.currency, 'payoutAmount', 'currency');
  const ids = new Set<string>();
  (Array.isArray(dto.lines) ? dto.lines : []).forEach((l, i) => {
    if (!l || typeof l !== 'object') return;
    for (const k of ['gross', 'fee', 'net'] as const) check(l[k], l.currency, `lines[${i}].${k}`, `lines[${i}].currency`);
    if (typeof l.lineId !== 'string' || reported.has(`lines[${i}].lineId`)) return;
    if (ids.has(l.lineId)) errors.push({ field: `lines[${i}].lineId`, message: `duplicate lineId ${l.lineId} in the batch` });
    ids.add(l.lineId);
  });
  if (errors.length > 0) throw HttpProblem.invalidFields(errors);
  return JSON.parse(JSON.stringify(dto)) as PspSettlementBatch;
}

/** `POST /v1/ingest/psp/settlements` (JSON or CSV; role `integrator`). Unknown or repeated query parameters are a 400 (`queryOf`). */
export class PspSettlementsController implements HttpRoutes {
  constructor(
    private readonly handler: IngestPspSettlementHandler,
    private readonly apiKeys: ApiKeyRegistry,
    private readonly bodyLimit: string,
  ) {}

  register(router: Router): void {
    router.post(
      '/v1/ingest/psp/settlements',
      guard(this.apiKeys, ROUTE),
      requireContentType('application/json', 'text/csv'),
      admitBodyHeaders('text/csv'),
      express.text({ type: 'text/csv', limit: this.bodyLimit, verify: refuseInvalidUtf8 }),
      async (req, res) => {
        const csv = Boolean(req.is('text/csv'));
        const query = queryOf(req, csv ? CSV_QUERY : JSON_QUERY);
        const body = csv ? batchFromCsv(typeof req.body === 'string' ? req.body : '', query) : req.body;
        const batch = await validateSettlement(body);
        sendOutcome(res, await this.handler.handle(batch, req.body, ingestContext(res, actorOf(res))));
      },
    );
  }
}
