import { isUtf8 } from 'node:buffer';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { IngestContext, IngestOutcome } from '../../application/ingest/ingest-outcome';
import { Config, loadConfig } from '../config/config';
import { buildContainer } from '../di/container';
import type { IngestUseCases } from '../di/modules/ingest.module';
import { Lifecycle, TOKENS } from '../di/tokens';
import { ingestBusinessCentral, mapBusinessCentralText, validateCanonicalDocuments } from '../http/ingest/erp-documents.controller';
import { parseLossless, stringifyLossless } from '../http/ingest/lossless-body';
import { validateSettlement } from '../http/ingest/psp-settlements.controller';
import { dropByteOrderMark, jsonBodyProblem } from '../http/json-body';
import { parseEnvelope } from '../http/ingest/scayle-webhook.controller';
import { HttpProblem } from '../http/problem-details';
import { createLogger } from '../logging/logger';
import { lockDataDir } from './instance-lock';

/** Line kinds of an import file. */
export const IMPORT_KINDS = ['scayle_webhook', 'erp_document', 'business_central_invoice', 'business_central_credit_memo', 'psp_settlement'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Per kind: how many records were accepted, already known, kept as failed, or rejected (nothing appended). */
export type ImportSummary = Record<ImportKind | 'unknown', { accepted: number; duplicate: number; failed: number; rejected: number }>;

export interface ImportOptions {
  /** Draw a progress bar on stderr (default when stderr is a TTY). */
  progress?: boolean;
  /** Where rejected lines are reported; default stderr. */
  report?: (line: string) => void;
}

const ACTOR: IngestContext = { actor: 'import-cli' };

/**
 * Imports an NDJSON file: one `{"kind": …, "body": …}` per line (kinds {@link IMPORT_KINDS}; `body`
 * is what the matching HTTP route takes). Each line goes through the same validation and use-case
 * as its route, with the same deterministic ids, so running the same file again appends nothing.
 * Lines are parsed losslessly (Business Central amounts keep their digits). Invalid lines — also a
 * line whose bytes are not UTF-8, and a body nested too deep or holding a lone UTF-16 surrogate, as
 * the routes refuse them — are reported with their line number and the field, and skipped (nothing
 * appended for them); the lines after them are imported.
 * Only the stores and the order directory run (no HTTP, no pollers, no outbox).
 */
export async function runImport(config: Config, file: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const container = buildContainer(config, { logger: createLogger('silent') });
  const lifecycles = [...container.getAll<Lifecycle>(TOKENS.Lifecycle)].filter((l) => l.phase < 10).sort((a, b) => a.phase - b.phase);
  const started: Lifecycle[] = [];
  const summary = Object.fromEntries([...IMPORT_KINDS, 'unknown'].map((k) => [k, { accepted: 0, duplicate: 0, failed: 0, rejected: 0 }])) as ImportSummary;
  const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bar = options.progress ?? process.stderr.isTTY ? new SingleBar({ format: 'import [{bar}] {percentage}% | {value}/{total} bytes | {lines} lines', stream: process.stderr }, Presets.shades_classic) : undefined;
  try {
    for (const l of lifecycles) {
      await l.start();
      started.push(l);
    }
    const useCases = container.get<IngestUseCases>(TOKENS.IngestUseCases);
    const total = statSync(file).size;
    bar?.start(total, 0, { lines: 0 });
    let bytes = 0;
    let lineNo = 0;
    // Read as Latin-1, one character per byte, so each line's bytes can be checked before they are
    // decoded: reading as UTF-8 would turn bytes that are not UTF-8 into U+FFFD without a word.
    for await (const latin1 of createInterface({ input: createReadStream(file, 'latin1'), crlfDelay: Infinity })) {
      lineNo++;
      bytes += latin1.length + 1;
      bar?.update(Math.min(bytes, total), { lines: lineNo });
      const raw = Buffer.from(latin1, 'latin1');
      const line = raw.toString('utf8');
      if (line.trim() === '') continue;
      let kind: ImportKind | 'unknown' = 'unknown';
      try {
        if (!isUtf8(raw)) {
          kind = kindOf(line);
          throw new HttpProblem(400, 'malformed-text', 'Malformed text', 'The line is not valid UTF-8.', { errors: [{ field: 'line', message: 'is not valid UTF-8' }] });
        }
        let parsed: { kind?: unknown; body?: unknown } | null;
        try {
          parsed = parseLossless(line) as { kind?: unknown; body?: unknown } | null; // drops a byte order mark (one may start the file)
        } catch (err) {
          kind = kindOf(line); // a line refused whole (a key given twice, no JSON) still says its kind when it can
          throw err;
        }
        if (parsed === null || typeof parsed !== 'object' || !IMPORT_KINDS.includes(parsed.kind as ImportKind)) throw new Error(`kind must be one of ${IMPORT_KINDS.join(', ')}`);
        kind = parsed.kind as ImportKind;
        if (parsed.body === undefined) throw new Error('body is required');
        // What the HTTP routes refuse before their controllers (too deep, text that is not well-formed Unicode).
        const bodyProblem = jsonBodyProblem(parsed.body);
        if (bodyProblem) throw HttpProblem.validation([bodyProblem]);
        for (const outcome of await importOne(useCases, kind, stringifyLossless(parsed.body), config.ingest.companyCurrency)) summary[kind][outcome.status]++;
      } catch (err) {
        summary[kind].rejected++;
        report(`line ${lineNo} (${kind}): ${describe(err)}`);
      }
    }
    bar?.update(total, { lines: lineNo });
    return summary;
  } finally {
    bar?.stop();
    for (const l of started.reverse()) await l.stop();
  }
}

/** The kind a line names, read from its text as decoded (for the report of a line refused before parsing), else `unknown`. */
function kindOf(line: string): ImportKind | 'unknown' {
  try {
    const kind = (JSON.parse(dropByteOrderMark(line)) as { kind?: unknown } | null)?.kind;
    return IMPORT_KINDS.includes(kind as ImportKind) ? (kind as ImportKind) : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function importOne(u: IngestUseCases, kind: ImportKind, bodyText: string, companyCurrency: string): Promise<IngestOutcome[]> {
  switch (kind) {
    case 'scayle_webhook': {
      const raw = JSON.parse(bodyText) as unknown;
      return [await u.webhook.handle(parseEnvelope(raw), ACTOR, raw)];
    }
    case 'erp_document': {
      return u.erp.handleAll(await validateCanonicalDocuments(JSON.parse(bodyText)), ACTOR);
    }
    case 'business_central_invoice':
      return ingestBusinessCentral(u.erp, mapBusinessCentralText(bodyText, 'sales_invoice', companyCurrency), 'sales_invoice', ACTOR);
    case 'business_central_credit_memo':
      return ingestBusinessCentral(u.erp, mapBusinessCentralText(bodyText, 'sales_credit_memo', companyCurrency), 'sales_credit_memo', ACTOR);
    case 'psp_settlement': {
      const raw = JSON.parse(bodyText) as unknown;
      return [await u.psp.handle(await validateSettlement(raw), raw, ACTOR)];
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof HttpProblem) return `${err.title}${err.extensions.errors ? `: ${err.extensions.errors.map((e) => `${e.field} ${e.message}`).join('; ')}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/** The summary as a table (stdout). */
export function formatSummary(summary: ImportSummary): string {
  const rows = Object.entries(summary).filter(([, c]) => c.accepted + c.duplicate + c.failed + c.rejected > 0);
  const header = ['kind', 'accepted', 'duplicate', 'failed', 'rejected'];
  const body = rows.map(([k, c]) => [k, String(c.accepted), String(c.duplicate), String(c.failed), String(c.rejected)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [header, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

/**
 * `scayle-ledger import <file.ndjson>`. Exit code 1 when a line was rejected. Writes the log, so it
 * holds the data directory's instance lock (a running service there: it waits, then exits 1).
 */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import Scayle webhooks, ERP documents and PSP settlements from an NDJSON file ({"kind", "body"} per line); re-running appends nothing new')
    .argument('<file>', 'NDJSON file')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const config = loadConfig(process.env);
      const lock = await lockDataDir(config, 'import');
      const summary = await runImport(config, file).finally(() => lock.release());
      process.stdout.write(`${options.json ? JSON.stringify(summary) : formatSummary(summary)}\n`);
      if (Object.values(summary).some((c) => c.rejected > 0)) process.exitCode = 1;
    });
}
