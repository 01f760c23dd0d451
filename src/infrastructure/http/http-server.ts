import { createServer, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

/**
 * The HTTP server of an express `app`, whose requests and responses are **created** with the app's
 * prototypes (`app.request`, `app.response`) rather than given them by express afterwards.
 *
 * Express hands every request to the app by `Object.setPrototypeOf(req, app.request)` (and the same
 * for `res`). V8 then keeps a request's whole object graph (parsed body, closures of the router and
 * the handler) alive through the young-generation collections that follow, until a full collection:
 * measured on Node 20 with an express app whose handler answers after 20 ms, ~7 KB per request was
 * promoted to the old generation and the scavenges cost 5–6× as much CPU as with the same app on a
 * server built here (where express's `setPrototypeOf` finds the prototype already in place and
 * changes nothing); the ingest benchmark (issue 4) promoted ~30 KB per webhook. Node builds each
 * request and response with the classes given to `createServer` (its `IncomingMessage` and
 * `ServerResponse` options): here constructors that run Node's own and whose `prototype` is the app's.
 *
 * @param listener the request listener; default `app` (e.g. a draining wrapper around it).
 */
export function createExpressServer(app: Express, listener: RequestListener = app): Server {
  return createServer({ IncomingMessage: requestClass(app), ServerResponse: responseClass(app) }, listener);
}

/** `IncomingMessage` built with `app.request` as its prototype. */
function requestClass(app: Express): typeof IncomingMessage {
  function AppRequest(this: IncomingMessage, socket: Socket): void {
    IncomingMessage.call(this, socket);
  }
  AppRequest.prototype = app.request;
  return AppRequest as unknown as typeof IncomingMessage;
}

/** `ServerResponse` built with `app.response` as its prototype. */
function responseClass(app: Express): typeof ServerResponse {
  function AppResponse(this: ServerResponse, req: IncomingMessage, options?: object): void {
    (ServerResponse as unknown as (this: ServerResponse, req: IncomingMessage, options?: object) => void).call(this, req, options);
  }
  AppResponse.prototype = app.response;
  return AppResponse as unknown as typeof ServerResponse;
}
