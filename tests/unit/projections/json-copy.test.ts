import { expect } from 'chai';
import fc from 'fast-check';
import Decimal from 'decimal.js';
import { sortedJsonCopy } from '../../../src/projections/json-copy';

/** Sorted keys at every level (the projection's old second step). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** The old way: a JSON round trip, then keys sorted at every level. */
const roundTrip = (v: unknown): unknown => {
  const text = JSON.stringify(v);
  return text === undefined ? undefined : sortKeys(JSON.parse(text));
};

describe('sortedJsonCopy (a document as stored, in one pass)', () => {
  it('equals a JSON round trip with sorted keys on what JSON treats specially', () => {
    const fn = () => 1;
    const cases: unknown[] = [
      { b: 1, a: { d: [3, { z: 1, y: undefined }], c: 'x' }, 10: 'ten', 2: 'two' },
      { u: undefined, f: fn, s: Symbol('s'), n: null, nan: NaN, inf: -Infinity, negZero: -0, t: true },
      [undefined, fn, Symbol('x'), NaN, -0, [], {}, [undefined]],
      { when: new Date('2024-05-31T22:30:00.000Z'), invalid: new Date(Number.NaN), amount: new Decimal('19.90') },
      { custom: { toJSON: (key: string) => ({ key, v: 1 }) }, nested: [{ toJSON: () => undefined }], fnWithToJson: Object.assign(() => 1, { toJSON: () => 'f' }) },
      { boxed: [new Number(3), new String('s'), new Boolean(false)] },
      JSON.parse('{"__proto__": {"x": 1}, "a": 1}'),
      Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true }, hidden: { value: 3, enumerable: false } }),
      new (class Point {
        constructor(
          readonly y = 2,
          readonly x = 1,
        ) {}
      })(),
      'text\uD800',
      42,
      null,
    ];
    for (const c of cases) expect(sortedJsonCopy(c)).to.deep.equal(roundTrip(c));
    expect(sortedJsonCopy(undefined)).to.equal(undefined);
    expect(sortedJsonCopy(fn)).to.equal(undefined);
    expect(Object.is((sortedJsonCopy({ z: -0 }) as { z: number }).z, 0)).to.equal(true);
  });

  it('equals a JSON round trip with sorted keys on arbitrary JSON-like values', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withNullPrototype: false, withObjectString: true, withDate: true, withSparseArray: true }), (v) => {
        expect(sortedJsonCopy(v)).to.deep.equal(roundTrip(v));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a bigint as JSON.stringify does', () => {
    expect(() => JSON.stringify({ a: 1n })).to.throw(TypeError);
    expect(() => sortedJsonCopy({ a: 1n })).to.throw(TypeError);
  });
});
