import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { ensureDirectory } from '../../config/directories';
import { join } from 'node:path';
import { ErpGatewayError, type ErpExportCall, type ErpExportResult, type ErpGateway } from '../../../application/ports/erp-gateway.port';

/** The file a document goes to: one per accounting period of its posting date. */
export const ndjsonFileName = (postingDate: string): string => `erp-documents-${postingDate.slice(0, 7)}.ndjson`;

/**
 * NDJSON export to a directory (`LEDGER_ERP_EXPORT_TARGET=file:<dir>`), for ERPs without an
 * adapter: each document is one line — the canonical ERP document (DESIGN §9) as canonical JSON,
 * the very bytes its `payloadHash` hashes — appended to `erp-documents-<YYYY-MM>.ndjson` (the period
 * of its posting date). A batch is one append and one fsync per file, so an acknowledged export is
 * on disk. The ERP's number is the ledger's document number (`901-INV1`), unique per export: an
 * importer uses it as its idempotency key, and a repeated attempt (`mayExist`) first looks for it in
 * the file so a line is never written twice. A line cut short by a crash is completed with a newline
 * before the next append, so every complete line stays valid JSON.
 */
export class NdjsonFileGateway implements ErpGateway {
  readonly target = 'file' as const;
  readonly configured = true;

  constructor(
    readonly directory: string,
    private readonly options: { fsync: boolean } = { fsync: true },
  ) {}

  async exportDocuments(calls: readonly ErpExportCall[]): Promise<ErpExportResult[]> {
    const results: ErpExportResult[] = new Array(calls.length);
    const byFile = new Map<string, number[]>();
    calls.forEach((c, i) => {
      const file = ndjsonFileName(c.document.postingDate);
      byFile.set(file, [...(byFile.get(file) ?? []), i]);
    });
    for (const [file, indexes] of byFile) {
      const path = join(this.directory, file);
      try {
        ensureDirectory(this.directory, 'LEDGER_ERP_EXPORT_TARGET');
        const written = indexes.some((i) => calls[i]!.mayExist) ? documentNumbersIn(path) : new Set<string>();
        const lines: string[] = [];
        for (const i of indexes) {
          const call = calls[i]!;
          const readBack = written.has(call.document.documentNumber);
          if (!readBack) {
            lines.push(call.canonical);
            written.add(call.document.documentNumber);
          }
          results[i] = { ok: true, receipt: { erpDocumentNumber: call.document.documentNumber, readBack } };
        }
        if (lines.length > 0) this.append(path, `${lines.join('\n')}\n`);
      } catch (err) {
        const error = new ErpGatewayError(0, 'io_error', `writing ${path}: ${err instanceof Error ? err.message : String(err)}`, true);
        for (const i of indexes) results[i] = { ok: false, error };
      }
    }
    return results;
  }

  private append(path: string, text: string): void {
    const fd = openSync(path, 'a+');
    try {
      const size = fstatSync(fd).size;
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      writeSync(fd, prefix + text);
      if (this.options.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Document numbers of the complete lines of a file (empty when it does not exist). */
function documentNumbersIn(path: string): Set<string> {
  const out = new Set<string>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const doc = JSON.parse(line) as { documentNumber?: unknown };
      if (typeof doc.documentNumber === 'string') out.add(doc.documentNumber);
    } catch {
      // a line cut short by a crash: not a document
    }
  }
  return out;
}
