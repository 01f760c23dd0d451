import { expect } from 'chai';
import fc from 'fast-check';
import { decodePosition, encodePosition } from '../../../src/infrastructure/event-store/esdb/esdb-position';

describe('EventStoreDB position packing', () => {
  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

  it('round-trips any commit/prepare pair', () => {
    fc.assert(fc.property(u64, u64, (commit, prepare) => {
      expect(decodePosition(encodePosition({ commit, prepare }))).to.deep.equal({ commit, prepare });
    }));
  });

  it('orders like $all: by commit, then by prepare', () => {
    fc.assert(fc.property(u64, u64, u64, u64, (c1, p1, c2, p2) => {
      const a = encodePosition({ commit: c1, prepare: p1 });
      const b = encodePosition({ commit: c2, prepare: p2 });
      const expected = c1 === c2 ? (p1 === p2 ? 0 : p1 < p2 ? -1 : 1) : c1 < c2 ? -1 : 1;
      expect(a === b ? 0 : a < b ? -1 : 1).to.equal(expected);
    }));
  });
});
