import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { problemType, type ProblemBody } from './problem-details';

/**
 * Graceful stop of the HTTP server (SIGTERM): once {@link HttpDrain.begin} is called, a request that
 * arrives — on a kept-alive connection, since the server no longer accepts new ones — is not served:
 * it is answered `503` `application/problem+json` (`/problems/shutting-down`) with `Retry-After`
 * and `Connection: close`, before authentication and without reading its body, so nothing of it is
 * appended. Requests already in flight are served to the end and answered with `Connection: close`
 * (a response whose headers had already gone out has its connection ended once it finishes).
 * Without this, `server.close()` leaves busy keep-alive connections open and a client that keeps
 * sending is served until the shutdown timeout — while the next instance may already be starting.
 */
export class HttpDrain {
  private draining = false;
  /**
   * The connections requests arrived on, each holding its response in flight (if any) under
   * {@link IN_FLIGHT}: one entry per connection, not per request. A set of in-flight responses,
   * added to and deleted from by every request, kept each request's objects through V8's
   * young-generation collections until a full one (ingest benchmark, issue 4: ~12 KB per webhook
   * promoted to the old generation).
   */
  private readonly connections = new Set<TrackedSocket>();

  /** @param retryAfterSeconds the `Retry-After` of the 503, whole seconds (≥ 1). */
  constructor(private readonly retryAfterSeconds: number) {}

  /** The server's request listener: `app` while serving, the 503 once draining. */
  listener(app: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (this.draining) {
        refuse(req, res, this.retryAfterSeconds);
        return;
      }
      const socket = req.socket as TrackedSocket;
      if (!this.connections.has(socket)) {
        this.connections.add(socket);
        socket.once('close', () => this.connections.delete(socket));
      }
      socket[IN_FLIGHT] = res; // the latest: a pipelined connection is answered in order
      res.once('close', () => {
        if (socket[IN_FLIGHT] === res) socket[IN_FLIGHT] = undefined;
      });
      app(req, res);
    };
  }

  /** Whether {@link begin} was called. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Connections with a request being served (not yet answered or aborted). */
  get inFlightCount(): number {
    let count = 0;
    for (const socket of this.connections) if (socket[IN_FLIGHT]) count++;
    return count;
  }

  /** Starts draining: refuse what arrives from now on, close each connection after its answer. */
  begin(): void {
    this.draining = true;
    for (const socket of this.connections) {
      const res = socket[IN_FLIGHT];
      if (!res) continue;
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
      } else {
        res.once('finish', () => socket.end());
      }
    }
  }
}

/** The response being served on a connection (see {@link HttpDrain}). */
const IN_FLIGHT = Symbol('inFlightResponse');
type TrackedSocket = Socket & { [IN_FLIGHT]?: ServerResponse };

function refuse(req: IncomingMessage, res: ServerResponse, retryAfterSeconds: number): void {
  const problem: ProblemBody = {
    type: problemType('shutting-down'),
    title: 'The service is shutting down',
    status: 503,
    detail: `This instance is stopping and serves no new requests; send the request again in ${retryAfterSeconds} s (on a new connection). Nothing of it was recorded.`,
    instance: (req.url ?? '').split('?')[0]!.slice(0, 200),
  };
  res.writeHead(503, {
    'Content-Type': 'application/problem+json',
    'Retry-After': String(retryAfterSeconds),
    Connection: 'close',
  });
  res.end(JSON.stringify(problem));
}
