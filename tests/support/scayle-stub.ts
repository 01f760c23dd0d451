import { once } from 'node:events';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stub received. */
export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** `Date.now()` when it arrived. */
  at: number;
}

/** A scripted answer. */
export interface StubAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Answer after this many ms (to provoke client timeouts). */
  delayMs?: number;
  /** Never answer: the request hangs until the client gives up or {@link ScayleStub.stop} (Scayle unreachable). */
  hang?: boolean;
}

/**
 * A local stub of the Scayle Admin API on 127.0.0.1 (node:http). It answers scripted responses in
 * order (`script`), then `fallback` (200 `{}` unless changed), and records every request.
 */
export class ScayleStub {
  readonly requests: StubRequest[] = [];
  script: StubAnswer[] = [];
  fallback: StubAnswer = { status: 200, body: {} };
  private server: Server | undefined;
  private waiters: { count: number; resolve: () => void }[] = [];

  /** Resolves once the stub has received `count` requests in all (no polling, no sleeps). */
  receivedRequests(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // keep the text
        }
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() });
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.count ? (w.resolve(), false) : true));
        const answer = this.script.shift() ?? this.fallback;
        if (answer.hang) return;
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
          res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/admin/v1`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** A Scayle error body as the Admin API sends it. */
export const scayleErrorBody = (errorKey: string, message: string) => ({ errors: [{ errorKey, message, context: {} }] });
