import type { ErpDocument } from '../../../domain/erp/erp-document';
import type { ExportDocumentKind } from '../../../domain/erp-export/erp-export.events';
import { ErpGatewayError, type ErpCallOptions, type ErpExportCall, type ErpExportResult, type ErpGateway } from '../../../application/ports/erp-gateway.port';
import { retryAfterMs } from '../../http-client/retry-after';
import { BC_ENTITY, bcSalesDocumentBody, odataString } from './bc-sales-document.mapper';
import type { BcTokenProvider } from './bc-token.provider';

export interface BusinessCentralGatewayOptions {
  /** `https://api.businesscentral.dynamics.com/v2.0/<tenant>/<environment>/api/v2.0` (no trailing slash needed). */
  apiBaseUrl: string;
  /** The company's id (GUID), `companies(<id>)`. */
  companyId: string;
  /** Customer every exported document is for (`customerNumber`). */
  customerNumber: string;
  /** Local currency of the company (sent as a blank `currencyCode`). */
  companyCurrency: string;
  /** Timeout of one API call, ms. */
  timeoutMs: number;
  tokens: BcTokenProvider;
  /** Wall clock in ms (for `Retry-After` dates); injectable for tests. */
  now?: () => number;
}

interface BcDocument {
  id?: string;
  number?: string;
  externalDocumentNumber?: string;
}

/**
 * The Business Central API v2.0 adapter of {@link ErpGateway}: creates each canonical document as a
 * sales invoice, sales order or sales credit memo with its lines in one request, and answers with
 * BC's document `number`.
 *
 * **Never twice**: when an earlier attempt may have reached BC (`mayExist`: it timed out, or the
 * process stopped mid-call), the adapter first reads back
 * `GET …/<entity>?$filter=externalDocumentNumber eq '<orderId>'` and takes a document whose number
 * the ledger has not recorded for this order yet; the ledger sends an order's documents one at a
 * time, so at most one such document can exist. Only when none is found does it create one.
 *
 * One attempt per call: failures come back as {@link ErpGatewayError} (429/5xx/timeouts retriable,
 * with BC's `Retry-After`) and the export sender retries with back-off. A 401 renews the token once.
 * After a 429 the rest of the batch is not sent.
 */
export class BusinessCentralGateway implements ErpGateway {
  readonly target = 'business-central' as const;
  readonly configured = true;
  private readonly base: string;
  private readonly now: () => number;

  constructor(private readonly options: BusinessCentralGatewayOptions) {
    this.base = `${options.apiBaseUrl.replace(/\/+$/, '')}/companies(${options.companyId})`;
    this.now = options.now ?? Date.now;
  }

  async exportDocuments(calls: readonly ErpExportCall[], options: ErpCallOptions = {}): Promise<ErpExportResult[]> {
    const results: ErpExportResult[] = [];
    let throttled: ErpGatewayError | undefined;
    for (const call of calls) {
      if (throttled) {
        results.push({ ok: false, error: throttled });
        continue;
      }
      try {
        results.push({ ok: true, receipt: await this.exportOne(call, options.signal) });
      } catch (err) {
        const error = err instanceof ErpGatewayError ? err : new ErpGatewayError(0, 'internal_error', err instanceof Error ? err.message : String(err));
        if (error.rateLimited) throttled = error;
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  private async exportOne(call: ErpExportCall, signal?: AbortSignal): Promise<{ erpDocumentNumber: string; erpDocumentId?: string; readBack: boolean }> {
    const kind = call.document.documentType as ExportDocumentKind;
    if (!(kind in BC_ENTITY)) throw new ErpGatewayError(400, 'unsupported_document', `Business Central export does not create ${call.document.documentType} documents`, false);
    if (call.mayExist) {
      const found = await this.readBack(kind, call.document, call.knownErpNumbers, signal);
      if (found) return { erpDocumentNumber: found.number!, ...(found.id ? { erpDocumentId: found.id } : {}), readBack: true };
    }
    const body = bcSalesDocumentBody(call.document, kind, { customerNumber: this.options.customerNumber, companyCurrency: this.options.companyCurrency });
    const created = (await this.request('POST', `/${BC_ENTITY[kind].set}`, body, signal)) as BcDocument;
    if (typeof created.number !== 'string' || created.number === '') throw new ErpGatewayError(502, 'no_document_number', `Business Central created ${BC_ENTITY[kind].set} without a number`, true);
    return { erpDocumentNumber: created.number, ...(typeof created.id === 'string' ? { erpDocumentId: created.id } : {}), readBack: false };
  }

  /** A document of `kind` naming the order that the ledger has not recorded yet, if BC has one. */
  private async readBack(kind: ExportDocumentKind, document: ErpDocument, known: readonly string[], signal?: AbortSignal): Promise<BcDocument | undefined> {
    const filter = `externalDocumentNumber eq ${odataString(document.orderReference ?? '')}`;
    const query = `?$filter=${encodeURIComponent(filter)}&$select=id,number,externalDocumentNumber`;
    const page = (await this.request('GET', `/${BC_ENTITY[kind].set}${query}`, undefined, signal)) as { value?: BcDocument[] };
    const candidates = (page.value ?? []).filter((d) => typeof d.number === 'string' && d.externalDocumentNumber === document.orderReference && !known.includes(d.number));
    return candidates.sort((a, b) => (a.number! < b.number! ? -1 : 1))[0];
  }

  private async request(method: 'GET' | 'POST', path: string, body: string | undefined, signal?: AbortSignal, renewed = false): Promise<unknown> {
    const token = await this.options.tokens.token(false, signal);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(body !== undefined ? { body } : {}),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (err) {
      const timedOut = timeout.aborted;
      throw new ErpGatewayError(0, timedOut ? 'timeout' : 'network_error', `${method} ${BC_PATH(path)}: ${timedOut ? `timed out after ${this.options.timeoutMs} ms` : err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401 && !renewed) {
      await this.options.tokens.token(true, signal);
      return this.request(method, path, body, signal, true);
    }
    if (!res.ok) {
      const { code, message } = bcError(text);
      throw new ErpGatewayError(res.status, code ?? `http_${res.status}`, `${method} ${BC_PATH(path)}: HTTP ${res.status}${message ? ` ${message}` : ''}`, undefined, retryAfterMs(res.headers, this.now()));
    }
    try {
      return text ? (JSON.parse(text) as unknown) : {};
    } catch {
      throw new ErpGatewayError(502, 'invalid_json', `${method} ${BC_PATH(path)}: the answer is not JSON`, true);
    }
  }
}

/** The path without its query (for messages). */
const BC_PATH = (path: string): string => path.split('?')[0]!;

/** `{error: {code, message}}` of an OData error body. */
function bcError(text: string): { code?: string; message?: string } {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    return { ...(typeof e?.code === 'string' ? { code: e.code } : {}), ...(typeof e?.message === 'string' ? { message: e.message } : {}) };
  } catch {
    return {};
  }
}
