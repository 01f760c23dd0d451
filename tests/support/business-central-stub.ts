import { once } from 'node:events';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stub received (body parsed when JSON, the raw text kept). */
export interface BcStubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  text: string;
  at: number;
}

/** A scripted deviation for the next matching request. */
export interface BcStubFault {
  /** Which requests it applies to (default: any API request, not the token endpoint). */
  match?: (r: BcStubRequest) => boolean;
  /** Answer with this status and body instead (no document created). */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Handle the request normally (a POST creates its document) but answer only after this many ms. */
  delayMs?: number;
}

/** A document the stub holds, as BC API v2.0 would answer it. */
export interface BcStubDocument {
  id: string;
  number: string;
  externalDocumentNumber: string;
  entity: string;
  body: Record<string, unknown>;
}

const ENTITIES: Record<string, string> = { salesInvoices: 'PS-INV', salesOrders: 'S-ORD', salesCreditMemos: 'PS-CR' };

/**
 * A local stub of the Business Central API v2.0 (node:http on 127.0.0.1): an OAuth2 token endpoint
 * (`POST /token`, client credentials) and, under `/api/v2.0/companies(<id>)`, `salesInvoices`,
 * `salesOrders` and `salesCreditMemos` — `POST` creates a document with its lines (deep insert) and
 * answers 201 with the document's new `number`; `GET ?$filter=externalDocumentNumber eq '…'` lists
 * the matching documents. Requests without the current bearer token get 401. `faults` script
 * deviations (a 429, a 503, a slow answer that still creates the document).
 */
export class BusinessCentralStub {
  readonly requests: BcStubRequest[] = [];
  readonly documents: BcStubDocument[] = [];
  faults: BcStubFault[] = [];
  companyId = '5a1c0e2b-0000-4000-8000-00000000c0de';
  /** The token the API accepts; `rotateToken()` invalidates the issued one. */
  token = 'bc-token-1';
  tokenRequests = 0;
  private counter = 1000;
  private server: Server | undefined;
  private base = '';

  get apiBaseUrl(): string {
    return `${this.base}/api/v2.0`;
  }

  get tokenUrl(): string {
    return `${this.base}/token`;
  }

  /** API requests (not the token endpoint) as `METHOD path`. */
  calls(): string[] {
    return this.requests.filter((r) => r.path !== '/token').map((r) => `${r.method} ${r.path}`);
  }

  rotateToken(): void {
    this.token = `bc-token-${Number(this.token.split('-').pop()) + 1}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.documents.length = 0;
    this.faults = [];
    this.tokenRequests = 0;
    this.counter = 1000;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://stub');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // form bodies (token endpoint) stay text
        }
        const request: BcStubRequest = { method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body, text, at: Date.now() };
        this.requests.push(request);
        const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(payload === undefined ? '' : JSON.stringify(payload));
        };
        if (request.path === '/token') {
          this.tokenRequests++;
          const form = new URLSearchParams(text);
          if (form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== 'bc-secret') return send(401, { error: 'invalid_client' });
          return send(200, { token_type: 'Bearer', expires_in: 3599, access_token: this.token });
        }
        if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, { error: { code: 'Authentication_InvalidCredentials', message: 'The token is not valid' } });
        const fault = this.faults.findIndex((f) => !f.match || f.match(request));
        const f = fault >= 0 ? this.faults.splice(fault, 1)[0]! : undefined;
        if (f?.status) return send(f.status, f.body ?? { error: { code: `http_${f.status}`, message: 'scripted' } }, f.headers);
        const answer = this.handle(request);
        if (f?.delayMs) setTimeout(() => send(answer.status, answer.body), f.delayMs);
        else send(answer.status, answer.body);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(r: BcStubRequest): { status: number; body: unknown } {
    const m = /^\/api\/v2\.0\/companies\(([^)]+)\)\/(\w+)$/.exec(r.path);
    if (!m || m[1] !== this.companyId || !(m[2]! in ENTITIES)) return { status: 404, body: { error: { code: 'BadRequest_NotFound', message: `no resource ${r.path}` } } };
    const entity = m[2]!;
    if (r.method === 'GET') {
      const filter = /^externalDocumentNumber eq '((?:[^']|'')*)'$/.exec(r.query.get('$filter') ?? '');
      const wanted = filter ? filter[1]!.replace(/''/g, "'") : undefined;
      const value = this.documents.filter((d) => d.entity === entity && (wanted === undefined || d.externalDocumentNumber === wanted)).map((d) => ({ id: d.id, number: d.number, externalDocumentNumber: d.externalDocumentNumber }));
      return { status: 200, body: { value } };
    }
    if (r.method === 'POST') {
      const body = r.body as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || typeof body.customerNumber !== 'string') return { status: 400, body: { error: { code: 'BadRequest', message: 'customerNumber is required' } } };
      const doc: BcStubDocument = {
        id: `00000000-0000-4000-8000-${String(++this.counter).padStart(12, '0')}`,
        number: `${ENTITIES[entity]}-${this.counter}`,
        externalDocumentNumber: String(body.externalDocumentNumber ?? ''),
        entity,
        body,
      };
      this.documents.push(doc);
      return { status: 201, body: { id: doc.id, number: doc.number, externalDocumentNumber: doc.externalDocumentNumber, status: 'Draft' } };
    }
    return { status: 405, body: { error: { code: 'MethodNotAllowed', message: r.method } } };
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
