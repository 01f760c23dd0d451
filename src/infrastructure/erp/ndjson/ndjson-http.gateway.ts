import { createHash } from 'node:crypto';
import { ErpGatewayError, type ErpCallOptions, type ErpExportCall, type ErpExportResult, type ErpGateway } from '../../../application/ports/erp-gateway.port';
import { retryAfterMs } from '../../http-client/retry-after';

export interface NdjsonHttpOptions {
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set; never logged. */
  token?: string;
  timeoutMs: number;
  now?: () => number;
}

/**
 * NDJSON export to an HTTP endpoint (`LEDGER_ERP_EXPORT_TARGET=http:<url>`): one `POST` per batch,
 * `Content-Type: application/x-ndjson`, one canonical ERP document per line (canonical JSON, as the
 * file export writes it), and an `Idempotency-Key` naming the batch's documents. Any 2xx accepts
 * every document; the answer may map ledger numbers to the ERP's as
 * `{"documents": [{"documentNumber": "901-INV1", "erpDocumentNumber": "SI-1001"}]}`, else the ERP's
 * number is the ledger's. The receiver deduplicates on `documentNumber` (a repeated attempt sends the
 * same lines). 408/429/5xx and timeouts are retriable, other 4xx refusals are not.
 */
export class NdjsonHttpGateway implements ErpGateway {
  readonly target = 'http' as const;
  readonly configured = true;
  private readonly now: () => number;

  constructor(private readonly options: NdjsonHttpOptions) {
    this.now = options.now ?? Date.now;
  }

  async exportDocuments(calls: readonly ErpExportCall[], options: ErpCallOptions = {}): Promise<ErpExportResult[]> {
    if (calls.length === 0) return [];
    const body = `${calls.map((c) => c.canonical).join('\n')}\n`;
    const key = createHash('sha256').update(calls.map((c) => c.document.documentNumber).join('\n')).digest('hex');
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson', Accept: 'application/json', 'Idempotency-Key': key, ...(this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {}) },
        body,
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      });
    } catch (err) {
      const timedOut = timeout.aborted;
      const error = new ErpGatewayError(0, timedOut ? 'timeout' : 'network_error', `POST ${this.options.url}: ${timedOut ? `timed out after ${this.options.timeoutMs} ms` : err instanceof Error ? err.message : String(err)}`);
      return calls.map(() => ({ ok: false, error }));
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      const error = new ErpGatewayError(res.status, `http_${res.status}`, `POST ${this.options.url}: HTTP ${res.status}`, undefined, retryAfterMs(res.headers, this.now()));
      return calls.map(() => ({ ok: false, error }));
    }
    const numbers = new Map<string, string>();
    try {
      const parsed = JSON.parse(text) as { documents?: { documentNumber?: unknown; erpDocumentNumber?: unknown }[] };
      for (const d of parsed.documents ?? []) if (typeof d.documentNumber === 'string' && typeof d.erpDocumentNumber === 'string') numbers.set(d.documentNumber, d.erpDocumentNumber);
    } catch {
      // no mapping in the answer: the ledger's numbers stand
    }
    return calls.map((c) => ({ ok: true, receipt: { erpDocumentNumber: numbers.get(c.document.documentNumber) ?? c.document.documentNumber, readBack: false } }));
  }
}
