/**
 * The hostile-input corpus (issue 9 item 6): every case in tests/fixtures/hostile/*.json is sent to
 * the real service over loopback; each must get a 4xx `application/problem+json` answer that the
 * OpenAPI contract documents, leave the log unchanged (head position), and leave the service
 * answering `/v1/health`.
 */
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { API_KEYS, startApiService, type ApiTestService } from '../../support/api-service';
import { basicAuth, head } from '../../support/ingest';
import { erpInvoice, postWebhook, pspBatch, scayleOrder, WEBHOOK_ENV } from '../../support/ops';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import type { Role } from '../../../src/infrastructure/http/auth/api-keys';

interface HostileCase {
  name: string;
  /** `METHOD /template` as in openapi/openapi.yaml and ROUTE_ROLES. */
  op: string;
  /** Concrete path; default: the template. */
  path?: string;
  /** `basic`, `basic-wrong`, `none`, `bearer:<role>`, `bearer-unknown`, `raw:<Authorization value>`. */
  auth: string;
  /** Content type; absent key = application/json, null = no header. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Send a fresh Idempotency-Key. */
  idem?: boolean;
  raw?: string;
  json?: unknown;
  /** The JSON text of this value cut in half. */
  truncate?: unknown;
  generate?: 'ten-megabytes' | 'ten-megabytes-csv' | 'deep-nesting' | 'deep-meta' | 'deep-object';
  /** Acceptable statuses (all 4xx). */
  expect: number[];
}

const DIR = join(__dirname, '../../../../tests/fixtures/hostile');
export const HOSTILE_CASES: (HostileCase & { file: string })[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((file) => (JSON.parse(readFileSync(join(DIR, file), 'utf8')) as HostileCase[]).map((c) => ({ ...c, file })));

const FIXTURES: Record<string, () => Record<string, unknown>> = {
  'order-901': () => scayleOrder(901),
  'erp-invoice': () => erpInvoice('SI-HOSTILE', '901'),
  'psp-batch': () => pspBatch('B-HOSTILE', '901'),
};

/** Resolves `{"$fixture": name, "$set": {"dotted.path": value|null}}` anywhere in a value (null deletes). */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if (typeof obj.$fixture === 'string') {
    const base = FIXTURES[obj.$fixture]!();
    for (const [path, v] of Object.entries((obj.$set as Record<string, unknown>) ?? {})) {
      const keys = path.split('.');
      let target = base as Record<string, unknown>;
      for (const k of keys.slice(0, -1)) target = target[k] as Record<string, unknown>;
      if (v === null) delete target[keys.at(-1)!];
      else target[keys.at(-1)!] = resolve(v);
    }
    return base;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolve(v)]));
}

function body(c: HostileCase): Buffer {
  switch (c.generate) {
    case 'ten-megabytes':
      return Buffer.from(JSON.stringify({ key: 'big', occurredAt: '2024-06-01T10:00:00Z', type: 'order-confirmed', locale: 'de_DE', payload: { pad: 'x'.repeat(10 * 1024 * 1024) } }));
    case 'ten-megabytes-csv':
      return Buffer.from(`provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,gross,fee,net,currency,bookedAt\n${'adyen,BIG,EUR,2024-06-06,1.00,L1,capture,t1,1.00,0.00,1.00,EUR,2024-06-06T09:00:00Z\n'.repeat(120_000)}`);
    case 'deep-nesting':
      return Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    case 'deep-object':
      // A JSON object whose member nests 5000 levels: parses fine, but the DTO validators recurse per level.
      return Buffer.from(`{"reason":"deep","x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
    case 'deep-meta':
      return Buffer.from(`{"key":"deep","occurredAt":"2024-06-01T10:00:00Z","type":"order-confirmed","payload":{},"meta":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
    default:
      break;
  }
  if (c.raw !== undefined) return Buffer.from(c.raw, 'utf8');
  if (c.truncate !== undefined) {
    const text = JSON.stringify(resolve(c.truncate));
    return Buffer.from(text.slice(0, Math.floor(text.length / 2)), 'utf8');
  }
  return Buffer.from(JSON.stringify(resolve(c.json)), 'utf8');
}

function authorization(spec: string): string | undefined {
  if (spec === 'none') return undefined;
  if (spec === 'basic') return basicAuth();
  if (spec === 'basic-wrong') return basicAuth('scayle', 'not-the-password');
  if (spec === 'bearer-unknown') return 'Bearer not-a-key-0123456789abcdef';
  if (spec.startsWith('bearer:')) return `Bearer ${API_KEYS[spec.slice(7) as Role]}`;
  if (spec.startsWith('raw:')) return spec.slice(4);
  throw new Error(`unknown auth ${spec}`);
}

describe('hostile input corpus', function () {
  this.timeout(60_000);
  let api: ApiTestService;
  let base: string;

  before(async () => {
    api = await startApiService({ ...WEBHOOK_ENV, LEDGER_INGEST_RATE_LIMIT: '0' });
    api.server.listen(0, '127.0.0.1');
    await once(api.server, 'listening');
    base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    await postWebhook(api, 'hostile-seed-901', 'order-confirmed', scayleOrder(901)).expect(202);
  });
  after(async () => {
    api.server.close();
    await api.dispose();
  });

  it(`holds at least 50 cases over every write route (${HOSTILE_CASES.length} cases)`, () => {
    expect(HOSTILE_CASES.length).to.be.at.least(50);
    const ops = new Set(HOSTILE_CASES.map((c) => c.op));
    for (const op of ['POST /v1/ingest/scayle/webhooks', 'POST /v1/ingest/erp/documents', 'POST /v1/ingest/erp/business-central/sales-invoices', 'POST /v1/ingest/psp/settlements', 'POST /v1/orders/{orderId}/refunds', 'PUT /v1/mappings/tax-codes', 'POST /v1/periods/{period}/close']) {
      expect(ops, op).to.include(op);
    }
  });

  for (const [i, c] of HOSTILE_CASES.entries()) {
    it(`${c.file}: ${c.name} → ${c.expect.join('/')}`, async () => {
      const [method, template] = c.op.split(' ') as [string, string];
      const headers: Record<string, string> = { ...(c.headers ?? {}) };
      const authz = authorization(c.auth);
      if (authz) headers.Authorization = authz;
      if (c.contentType !== null) headers['Content-Type'] = c.contentType ?? 'application/json';
      if (c.idem) headers['Idempotency-Key'] = `hostile-${i}`;
      const before = await head(api.service);
      let res: Response;
      try {
        res = await fetch(`${base}${c.path ?? template}`, { method, headers, body: body(c) });
      } catch (err) {
        // A server may answer 413 and close before a 10 MB upload ends; the client then sees a reset.
        expect(c.expect, `${c.name}: connection failed (${String(err)})`).to.include(413);
        res = undefined as unknown as Response;
      }
      if (res) {
        const text = await res.text();
        expect(c.expect, `${c.name}: got ${res.status} ${text.slice(0, 300)}`).to.include(res.status);
        expect(res.headers.get('content-type'), c.name).to.match(/^application\/problem\+json/);
        const problem = JSON.parse(text) as { status: number; type: string; title: string };
        expect(problem.status).to.equal(res.status);
        expect(problem.type).to.match(/^\/problems\/[a-z0-9-]+$/);
        expectResponseMatchesSpec({ status: res.status, headers: Object.fromEntries(res.headers), body: problem, text }, method, template);
      }
      expect(await head(api.service), `${c.name}: the log changed`).to.equal(before);
      const health = await fetch(`${base}/v1/health`);
      expect(health.status, 'the service still answers').to.equal(200);
    });
  }
});
