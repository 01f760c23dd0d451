import type { Request, Response } from 'express';
import { HttpProblem } from './problem-details';
import { queryParam } from './validation';

/**
 * How long a read-model query with `minPosition` waits for the projections before it answers 503
 * `read-model-behind` (README "Read-your-writes"), milliseconds. `LEDGER_PROJECTION_MAX_LATENCY` is
 * bounded by it (`PROJECTION_MAX_LATENCY_LIMIT_MS`), so a batch holding a single write is written
 * well before such a read gives up.
 */
export const MIN_POSITION_TIMEOUT_MS = 5_000;

/** What a query needs of the projection runner: wait (bounded) until the read models reach a position. */
export interface PositionWaiter {
  /** Resolves true once every read model reflects the log up to `position`, false after `timeoutMs`. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean>;
  /** Position of the last event in the log. */
  headPosition(): Promise<bigint>;
}

/** What a route that reads the log itself needs to check `minPosition`: the position of the log's last event. */
export interface LogHead {
  /** Position of the last event in the log. */
  headPosition(): Promise<bigint>;
}

/**
 * The checks every route that takes `minPosition` shares: absent → `undefined`; otherwise a
 * decimal string no greater than the log head, returned as a position. A position beyond the end of
 * the log names no write that happened and is never reached by waiting, so it is refused at once —
 * on read-model queries and on the routes that read the log itself (where `minPosition` is otherwise
 * always met) alike.
 * @throws HttpProblem 400 (`errors[].field` = `minPosition`) for a malformed position, one given twice, or one beyond the log head.
 */
export async function checkMinPosition(req: Request, log: LogHead): Promise<bigint | undefined> {
  const raw = queryParam(req, 'minPosition');
  if (raw === undefined) return undefined;
  if (!/^\d{1,40}$/.test(raw)) {
    throw HttpProblem.validation([{ field: 'minPosition', message: 'must be a log position (a decimal string)' }]);
  }
  const position = BigInt(raw);
  if (position > (await log.headPosition())) {
    throw HttpProblem.validation([{ field: 'minPosition', message: 'is beyond the end of the log: pass a position a write answered with' }]);
  }
  return position;
}

/**
 * Read-your-writes for queries (issue 6): with `?minPosition=<position a write answered with>` the
 * query waits until the read models have reached it, at most `timeoutMs`. If they have not by then
 * the answer is **503** `read-model-behind` with `Retry-After: 1` — never a silently stale answer, so a
 * client that asked for its own write either sees it or knows to ask again. A position beyond the end of
 * the log is a **400**, at once (`checkMinPosition`).
 * @throws HttpProblem 400 for a malformed position or one beyond the log head, 503 when the wait runs out.
 */
export async function awaitMinPosition(req: Request, res: Response, waiter: PositionWaiter, timeoutMs: number): Promise<void> {
  const position = await checkMinPosition(req, waiter);
  if (position === undefined) return;
  if (await waiter.waitForPosition(position, timeoutMs)) return;
  res.setHeader('Retry-After', '1');
  throw new HttpProblem(503, 'read-model-behind', 'Read models have not reached minPosition yet', `The read models did not reach position ${String(position)} within ${timeoutMs} ms; retry shortly.`, {
    minPosition: String(position),
  });
}
