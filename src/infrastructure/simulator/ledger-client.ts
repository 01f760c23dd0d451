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
    return rows.map((r) => {
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
    });
  }
}

function readKey(): string {
  try {
    return apiKeyFor('finance', 'LEDGER_READ_API_KEY');
  } catch {
    return apiKeyFor('admin', 'LEDGER_READ_API_KEY');
  }
}

/** All findings of a running ledger. */
export async function fetchFindings(base: string, opts: { minPosition?: string } = {}): Promise<ObservedFinding[]> {
  const rows = await new LedgerClient(base).reconciliations(opts.minPosition);
  return rows.flatMap((r) => r.findings);
}
