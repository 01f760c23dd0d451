import { expect } from 'chai';
import type { Request, Response } from 'express';
import { HttpProblem } from '../../../src/infrastructure/http/problem-details';
import { awaitMinPosition, type PositionWaiter } from '../../../src/infrastructure/http/read-your-writes';

const req = (minPosition?: string) => ({ query: minPosition === undefined ? {} : { minPosition } }) as unknown as Request;
const res = () => {
  const headers: Record<string, string> = {};
  return { headers, setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response & { headers: Record<string, string> };
};

describe('minPosition (read-your-writes)', () => {
  const asked: bigint[] = [];
  /** Read models at `reached`, log head at `head` (default: the same). */
  const reached = (at: bigint, head = at): PositionWaiter => ({
    waitForPosition: async (p) => {
      asked.push(p);
      return p <= at;
    },
    headPosition: async () => head,
  });

  it('passes without minPosition and once the read models reached it', async () => {
    await awaitMinPosition(req(), res(), reached(0n), 10);
    await awaitMinPosition(req('12345678901234567890123'), res(), reached(12345678901234567890123n), 10);
    expect(asked).to.deep.equal([12345678901234567890123n]);
  });

  it('503 read-model-behind with Retry-After when the bounded wait runs out', async () => {
    const r = res();
    try {
      await awaitMinPosition(req('50'), r, reached(10n, 60n), 10);
      expect.fail('expected 503');
    } catch (err) {
      expect(err).to.be.instanceOf(HttpProblem);
      expect((err as HttpProblem).status).to.equal(503);
      expect((err as HttpProblem).slug).to.equal('read-model-behind');
      expect(r.headers['Retry-After']).to.equal('1');
    }
  });

  it('400 at once, without waiting, for a position beyond the end of the log', async () => {
    const before = asked.length;
    try {
      await awaitMinPosition(req('1234'), res(), reached(10n, 20n), 10);
      expect.fail('expected 400');
    } catch (err) {
      expect((err as HttpProblem).status).to.equal(400);
      expect((err as HttpProblem).extensions.errors).to.deep.equal([
        { field: 'minPosition', message: 'is beyond the end of the log: pass a position a write answered with' },
      ]);
    }
    expect(asked.length).to.equal(before);
  });

  it('400 naming minPosition for a malformed position', async () => {
    try {
      await awaitMinPosition(req('-1'), res(), reached(10n), 10);
      expect.fail('expected 400');
    } catch (err) {
      expect((err as HttpProblem).status).to.equal(400);
      expect((err as HttpProblem).extensions.errors).to.deep.equal([{ field: 'minPosition', message: 'must be a log position (a decimal string)' }]);
    }
  });
});
