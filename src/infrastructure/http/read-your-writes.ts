import type { Request, Response } from 'express';
import { HttpProblem } from './problem-details';

/** What a query needs of the projection runner: wait (bounded) until the read models reach a position. */
export interface PositionWaiter {
  /** Resolves true once every read model reflects the log up to `position`, false after `timeoutMs`. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean>;
  /** Position of the last event in the log. */
  headPosition(): Promise<bigint>;
}

/**
 * Read-your-writes for queries (issue 6): with `?minPosition=<position a write answered with>` the
 * query waits until the read models have reached it, at most `timeoutMs`. If they have not by then
 * the answer is **503** `read-model-behind` with `Retry-After: 1` — never a silently stale answer, so a
 * client that asked for its own write either sees it or knows to ask again. A position beyond the end of
 * the log names no write that happened and never will be reached by waiting: **400**, at once.
 * @throws HttpProblem 400 for a malformed position or one beyond the log head, 503 when the wait runs out.
 */
export async function awaitMinPosition(req: Request, res: Response, waiter: PositionWaiter, timeoutMs: number): Promise<void> {
  const raw = req.query.minPosition;
  if (raw === undefined || raw === '') return;
  if (typeof raw !== 'string' || !/^\d{1,40}$/.test(raw)) {
    throw HttpProblem.validation([{ field: 'minPosition', message: 'must be a log position (a decimal string)' }]);
  }
  const position = BigInt(raw);
  if (position > (await waiter.headPosition())) {
    throw HttpProblem.validation([{ field: 'minPosition', message: 'is beyond the end of the log: pass a position a write answered with' }]);
  }
  if (await waiter.waitForPosition(position, timeoutMs)) return;
  res.setHeader('Retry-After', '1');
  throw new HttpProblem(503, 'read-model-behind', 'Read models have not reached minPosition yet', `The read models did not reach position ${raw} within ${timeoutMs} ms; retry shortly.`, {
    minPosition: raw,
  });
}
