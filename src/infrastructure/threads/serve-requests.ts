/**
 * The thread's side of a `RequestThread` (./request-thread): opens the thread's connection, then
 * answers each request, one at a time in the order sent, until asked to close.
 */
import { parentPort } from 'node:worker_threads';
import type { FromRequestThread, ToRequestThread } from './request-thread';

/**
 * Serves the requests of the main thread's `RequestThread` (./request-thread) in this worker thread.
 * @param open opens the thread's connection (closed on the close message).
 * @param handlerOf what answers a request on that connection; what it throws is sent back as that
 *   request's failure.
 * @param failureOf what an error becomes to cross to the main thread (plain data).
 *
 * When `open` or `handlerOf` throws, the connection is closed, the failure is sent with `seq` -1
 * (every waiting request fails with it) and the thread exits.
 */
export function serveRequests<Connection extends { close(): unknown }, Request, Answer, Failure>(
  open: () => Connection,
  handlerOf: (connection: Connection) => (request: Request) => Answer,
  failureOf: (err: unknown) => Failure,
): void {
  const port = parentPort!;
  const post = (message: FromRequestThread<Answer, Failure>): void => port.postMessage(message);
  let connection: Connection | undefined;
  let handle: (request: Request) => Answer;
  try {
    connection = open();
    handle = handlerOf(connection);
  } catch (err) {
    connection?.close();
    post({ kind: 'failed', seq: -1, failure: failureOf(err) });
    port.close();
    return;
  }
  port.on('message', (message: ToRequestThread<Request>) => {
    if (message.kind === 'close') {
      connection.close();
      port.close();
      return;
    }
    try {
      post({ kind: 'answered', seq: message.seq, answer: handle(message.request) });
    } catch (err) {
      post({ kind: 'failed', seq: message.seq, failure: failureOf(err) });
    }
  });
  post({ kind: 'ready' });
}
