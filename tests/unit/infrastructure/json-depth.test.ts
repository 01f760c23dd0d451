import { expect } from 'chai';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../../src/infrastructure/http/json-depth';

const nested = (levels: number): unknown => JSON.parse(`${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`);

describe('JSON body depth limit', () => {
  it('accepts primitives, flat bodies and bodies exactly at the limit', () => {
    expect(jsonDepthExceeds('x', 1)).to.equal(false);
    expect(jsonDepthExceeds(null, 1)).to.equal(false);
    expect(jsonDepthExceeds({ a: 1, b: [1, 2] }, 2)).to.equal(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).to.equal(false);
  });

  it('refuses one level more, in objects and arrays, without recursing', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).to.equal(true);
    expect(jsonDepthExceeds({ ok: 1, deep: [[[]]] }, 3)).to.equal(true);
    expect(jsonDepthExceeds(nested(200_000), MAX_JSON_DEPTH)).to.equal(true);
  });
});
