/**
 * Reads a running ledger through its REST queries (issue 6): `GET /v1/reconciliations` (per order:
 * status and findings) and `GET /v1/periods/{period}`, with cursor pagination and `minPosition`
 * (the query waits until the read models have reached that log position). The key is a read role's:
 * `LEDGER_READ_API_KEY`, else the `finance` key of `<LEDGER_DATA_DIR>/api-keys.json`.
 */
import type { ObservedFinding } from '../../application/simulation/evaluation';
import { apiKeyFor } from './http-target';

type Json = Record<string, unknown>;

export interface ReconciliationRow {
  orderId?: string;
  subject: string;
  status: string;
  period?: string;
  /** Both sides' totals per currency and component, as the read model holds them. */
  totals?: Record<string, unknown>;
  findings: ObservedFinding[];
}

const itemsOf = (page: Json): Json[] => (Array.isArray(page.items) ? page.items : Array.isArray(page.data) ? page.data : Array.isArray(page.entities) ? page.entities : []) as Json[];
const nextOf = (page: Json): string | undefined => {
  const c = page.nextCursor ?? (page.cursor as Json | undefined)?.next ?? page.next ?? (page.page as Json | undefined)?.nextCursor;
  return typeof c === 'string' && c.length > 0 ? c : undefined;
};

export class LedgerClient {
  constructor(
    readonly base: string,
    private readonly key: string = readKey(),
  ) {}

  async get(path: string): Promise<Json> {
    const res = await fetch(this.base.replace(/\/$/, '') + path, { headers: { authorization: `Bearer ${this.key}`, accept: 'application/json' } });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as Json;
  }

  /** Every page of a cursor-paginated collection. */
  async all(path: string, query: Record<string, string> = {}): Promise<Json[]> {
    const out: Json[] = [];
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ ...query, limit: '500', ...(cursor ? { cursor } : {}) });
      const page = await this.get(`${path}?${q.toString()}`);
      out.push(...itemsOf(page));
      cursor = nextOf(page);
    } while (cursor);
    return out;
  }

  async reconciliations(minPosition?: string): Promise<ReconciliationRow[]> {
    const rows = await this.all('/v1/reconciliations', minPosition ? { minPosition } : {});
    return rows.map(toRow);
  }

  /**
   * One order's reconciliation (`GET /v1/orders/{orderId}/reconciliation`); undefined on 404 (an id
   * the ledger has no order stream for, e.g. an ERP document naming an unknown order).
   */
  async orderReconciliation(orderId: string, minPosition?: string): Promise<ReconciliationRow | undefined> {
    const q = minPosition ? `?minPosition=${minPosition}` : '';
    try {
      return toRow(await this.get(`/v1/orders/${encodeURIComponent(orderId)}/reconciliation${q}`));
    } catch (err) {
      if (err instanceof Error && /: 404 /.test(err.message)) return undefined;
      throw err;
    }
  }

  /**
   * Findings of ids with no order stream (ERP documents or refunds naming an order Scayle never had):
   * they are in the exception queue, read as of now through the replay engine.
   */
  async exceptionsOfUnknownOrders(orderIds: readonly string[]): Promise<UnknownOrderFindings> {
    const missing = new Set(orderIds);
    const page = await this.get(`/v1/exceptions?limit=1000&asOf=${encodeURIComponent(new Date().toISOString())}`);
    const exceptions = (Array.isArray(page.exceptions) ? page.exceptions : itemsOf(page)) as Json[];
    const findings: ObservedFinding[] = [];
    for (const e of exceptions) {
      const orderId = e.orderId === undefined || e.orderId === null ? undefined : String(e.orderId);
      if (!orderId || !missing.has(orderId)) continue;
      findings.push({ code: e.code as ObservedFinding['code'], component: e.component as ObservedFinding['component'], autoAccepted: false, explanation: String(e.explanation ?? ''), subject: String(e.subject ?? ''), orderId, ...(e.delta ? { delta: e.delta as ObservedFinding['delta'] } : {}) });
    }
    return { findings, truncated: page.truncated === true };
  }

  /** Per-order reconciliations of `orderIds`, `concurrency` requests at a time. */
  async reconciliationsOf(orderIds: readonly string[], minPosition?: string, concurrency = 8, onDone?: (n: number) => void): Promise<{ rows: ReconciliationRow[]; notFound: string[] }> {
    const rows: ReconciliationRow[] = [];
    const notFound: string[] = [];
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < orderIds.length) {
        const id = orderIds[next++]!;
        const row = await this.orderReconciliation(id, minPosition);
        if (row) rows.push(row);
        else notFound.push(id);
        onDone?.(++done);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { rows, notFound };
  }
}

export interface UnknownOrderFindings {
  findings: ObservedFinding[];
  truncated: boolean;
}

function toRow(r: Json): ReconciliationRow {
  const subject = String(r.subject ?? r.streamId ?? r.id ?? '');
  const orderId = r.orderId === undefined || r.orderId === null ? undefined : String(r.orderId);
  const findings = (Array.isArray(r.findings) ? r.findings : []) as Json[];
  return {
    subject,
    ...(orderId ? { orderId } : {}),
    status: String(r.status ?? ''),
    ...(typeof r.period === 'string' ? { period: r.period } : {}),
    ...(r.totals && typeof r.totals === 'object' ? { totals: r.totals as Record<string, unknown> } : {}),
    findings: findings.map((f) => ({
      code: f.code as ObservedFinding['code'],
      component: f.component as ObservedFinding['component'],
      autoAccepted: f.autoAccepted === true,
      explanation: String(f.explanation ?? ''),
      subject,
      ...(orderId ? { orderId } : {}),
      ...(f.delta ? { delta: f.delta as ObservedFinding['delta'] } : {}),
      ...(typeof f.findingId === 'string' ? { findingId: f.findingId } : {}),
    })),
  };
}

function readKey(): string {
  try {
    return apiKeyFor('finance', 'LEDGER_READ_API_KEY');
  } catch {
    return apiKeyFor('admin', 'LEDGER_READ_API_KEY');
  }
}

/**
 * All findings of a running ledger: the reconciliation list when the service has one, else each
 * order of `orderIds` through `GET /v1/orders/{orderId}/reconciliation`.
 */
export async function fetchFindings(base: string, opts: { minPosition?: string; orderIds?: readonly string[]; onDone?: (n: number) => void } = {}): Promise<{ findings: ObservedFinding[]; notFound: string[]; via: string }> {
  const client = new LedgerClient(base);
  try {
    const rows = await client.reconciliations(opts.minPosition);
    return { findings: rows.flatMap((r) => r.findings), notFound: [], via: 'GET /v1/reconciliations' };
  } catch (err) {
    if (!(err instanceof Error && /: 404 /.test(err.message)) || !opts.orderIds) throw err;
  }
  const { rows, notFound } = await client.reconciliationsOf(opts.orderIds, opts.minPosition, 8, opts.onDone);
  const findings = rows.flatMap((r) => r.findings);
  let via = 'GET /v1/orders/{orderId}/reconciliation per order';
  if (notFound.length > 0) {
    const extra = await client.exceptionsOfUnknownOrders(notFound);
    findings.push(...extra.findings);
    via += extra.truncated ? ' + GET /v1/exceptions?asOf (TRUNCATED at 1000)' : ' + GET /v1/exceptions?asOf for ids without an order stream';
  }
  return { findings, notFound, via };
}
