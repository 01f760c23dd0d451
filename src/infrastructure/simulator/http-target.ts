/**
 * Delivers simulated records to a running ledger over HTTP: Scayle webhooks with HTTP Basic
 * (`SCAYLE_WEBHOOK_USERNAME` / `SCAYLE_WEBHOOK_PASSWORD`), everything else with an integrator API key
 * (`LEDGER_API_KEY`, else the `integrator` key in `<LEDGER_DATA_DIR>/api-keys.json`). A few requests
 * are in flight at once; 5xx, 429 and network errors are retried with back-off.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportKind, SimRecord, TaxCodeMappingEntry } from '../../application/simulation/simulation.types';
import { retryAfterMs } from '../http-client/retry-after';

export const ROUTES: Record<ImportKind, string> = {
  scayle_webhook: '/v1/ingest/scayle/webhooks',
  erp_document: '/v1/ingest/erp/documents',
  business_central_invoice: '/v1/ingest/erp/business-central/sales-invoices',
  business_central_credit_memo: '/v1/ingest/erp/business-central/sales-credit-memos',
  psp_settlement: '/v1/ingest/psp/settlements',
};

export interface Credentials {
  webhookAuth: string;
  apiKey: string;
}

/** Reads a role's API key: `env` first, else the generated keys file of the data dir. */
export function apiKeyFor(role: string, envVar: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[envVar];
  if (fromEnv) return fromEnv;
  const file = join(env.LEDGER_DATA_DIR ?? './data', 'api-keys.json');
  if (existsSync(file)) {
    const keys = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | string[]>;
    const k = keys[role];
    if (typeof k === 'string') return k;
    if (Array.isArray(k) && typeof k[0] === 'string') return k[0];
  }
  throw new Error(`No API key for role ${role}: set ${envVar} or start the service once so that ${file} exists`);
}

export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  const user = env.SCAYLE_WEBHOOK_USERNAME ?? 'scayle';
  const pass = env.SCAYLE_WEBHOOK_PASSWORD ?? '';
  return { webhookAuth: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`, apiKey: apiKeyFor('integrator', 'LEDGER_API_KEY', env) };
}

export interface DeliveryStats {
  sent: number;
  byStatus: Record<string, number>;
  failures: { kind: ImportKind; status: number; body: string }[];
  /** Highest log position the ledger answered with (decimal string), for `minPosition`. */
  maxPosition: bigint;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long one record may wait out the ledger's ingest rate limit (429) before it counts as failed. */
export const RATE_LIMIT_PATIENCE_MS = 10 * 60_000;

/**
 * Posts one record; retries 5xx and network failures 4 times with back-off, and waits out 429s as
 * the ledger asks (`Retry-After`, else doubling from 1 s) for up to `patienceMs` in all — a month of
 * traffic posted at full speed runs into the service's ingest rate limit, and a record dropped there
 * would show as a false finding in the evaluation.
 */
export async function postRecord(base: string, creds: Credentials, r: SimRecord, patienceMs = RATE_LIMIT_PATIENCE_MS): Promise<{ status: number; text: string }> {
  const auth = r.kind === 'scayle_webhook' ? creds.webhookAuth : `Bearer ${creds.apiKey}`;
  let waited = 0;
  let limited = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(base + ROUTES[r.kind], { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: r.body });
      const text = await res.text();
      if (res.status === 429 && waited < patienceMs) {
        const wait = Math.max(100, Math.min(retryAfterMs(res.headers, Date.now()) ?? 1000 * 2 ** Math.min(limited, 5), patienceMs - waited));
        limited++;
        waited += wait;
        await sleep(wait);
        continue;
      }
      if (res.status >= 500 && attempt < 4) {
        await sleep(100 * 2 ** attempt);
        continue;
      }
      return { status: res.status, text };
    } catch (err) {
      if (attempt >= 4) throw err;
      await sleep(100 * 2 ** attempt);
    }
  }
}

/** Delivers `records` in order with `concurrency` requests in flight. */
export async function deliverOverHttp(base: string, creds: Credentials, records: Iterable<SimRecord>, concurrency: number, onDone?: (n: number) => void): Promise<DeliveryStats> {
  const stats: DeliveryStats = { sent: 0, byStatus: {}, failures: [], maxPosition: 0n };
  const inFlight = new Set<Promise<void>>();
  for (const r of records) {
    const p = postRecord(base, creds, r).then(({ status, text }) => {
      stats.sent++;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      if (status >= 300) {
        if (stats.failures.length < 20) stats.failures.push({ kind: r.kind, status, body: text.slice(0, 500) });
      } else {
        const m = /"position"\s*:\s*"?(\d+)"?/.exec(text);
        if (m && BigInt(m[1]!) > stats.maxPosition) stats.maxPosition = BigInt(m[1]!);
      }
      onDone?.(stats.sent);
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return stats;
}

/** The mapping bodies of `PUT /v1/mappings/tax-codes` and `PUT /v1/mappings/items` (snake_case, as the API takes them). */
export function mappingBodies(taxCodes: readonly TaxCodeMappingEntry[], items: Readonly<Record<string, string>>): { taxCodes: unknown; items: unknown } {
  return {
    taxCodes: { entries: taxCodes.map((e) => ({ country_code: e.countryCode, rate: e.rate, tax_code: e.taxCode, ...(e.channelType ? { channel_type: e.channelType } : {}) })) },
    items: { entries: Object.entries(items).map(([erpItemNumber, variant]) => ({ variant_reference_key: variant, erp_item_number: erpItemNumber })) },
  };
}

/** Sends both mappings (a `finance` key, else `admin`); answers the statuses. */
export async function putMappings(base: string, key: string, taxCodes: readonly TaxCodeMappingEntry[], items: Readonly<Record<string, string>>): Promise<{ taxCodes: number; items: number }> {
  const bodies = mappingBodies(taxCodes, items);
  const put = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
    await res.text();
    return res.status;
  };
  return { taxCodes: await put('/v1/mappings/tax-codes', bodies.taxCodes), items: await put('/v1/mappings/items', bodies.items) };
}

/** A key that may change mappings: `LEDGER_MAPPINGS_API_KEY`, else the `finance`, else the `admin` key of the keys file. */
export function mappingsKey(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return apiKeyFor('finance', 'LEDGER_MAPPINGS_API_KEY', env);
  } catch {
    return apiKeyFor('admin', 'LEDGER_MAPPINGS_API_KEY', env);
  }
}
