import { expect } from 'chai';
import { jsonBodyProblem, MAX_JSON_DEPTH } from '../../../src/infrastructure/http/json-body';

const nested = (levels: number): unknown => JSON.parse(`${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`);
const nestedArrays = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
const DEPTH = `nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`;

describe('JSON body walk: depth limit and well-formed text', () => {
  it('accepts primitives, flat bodies, surrogate pairs and bodies exactly at the limit', () => {
    expect(jsonBodyProblem('x', 1)).to.equal(undefined);
    expect(jsonBodyProblem(null, 1)).to.equal(undefined);
    expect(jsonBodyProblem({ a: 1, b: [1, 2] }, 2)).to.equal(undefined);
    expect(jsonBodyProblem({ 'Bon 🧾': ['注文 👩‍👩‍👧', 'Ä ö € \uFFFD'] })).to.equal(undefined);
    expect(jsonBodyProblem(nested(MAX_JSON_DEPTH))).to.equal(undefined);
    expect(jsonBodyProblem(nestedArrays(MAX_JSON_DEPTH))).to.equal(undefined);
  });

  it('names the JSON path of the first object or array past the limit, without recursing', () => {
    expect(jsonBodyProblem(nested(MAX_JSON_DEPTH + 1))).to.deep.equal({ field: Array(MAX_JSON_DEPTH).fill('a').join('.'), message: DEPTH });
    expect(jsonBodyProblem(nestedArrays(MAX_JSON_DEPTH + 1))).to.deep.equal({ field: '[0]'.repeat(MAX_JSON_DEPTH), message: DEPTH });
    expect(jsonBodyProblem({ ok: 1, deep: [[[]]] }, 3)).to.deep.equal({ field: 'deep[0][0]', message: 'nests objects and arrays more than 3 levels deep' });
    expect(jsonBodyProblem(nested(200_000))!.field).to.equal(Array(MAX_JSON_DEPTH).fill('a').join('.'));
  });

  it('names a string value holding a lone UTF-16 surrogate by its JSON path (high or low, anywhere in the string)', () => {
    expect(jsonBodyProblem(JSON.parse('{"documentNumber":"UNI-\\ud800x"}'))).to.deep.equal({ field: 'documentNumber', message: 'must be well-formed Unicode text: it holds a lone UTF-16 surrogate (U+D800)' });
    expect(jsonBodyProblem(JSON.parse('[{"lines":[{"taxCode":"VAT19"},{"taxCode":"\\udc00"}]}]'))).to.deep.equal({ field: '[0].lines[1].taxCode', message: 'must be well-formed Unicode text: it holds a lone UTF-16 surrogate (U+DC00)' });
    expect(jsonBodyProblem(JSON.parse('{"payload":{"items":["ok","a\\ud83e"]}}'))!.field).to.equal('payload.items[1]');
    expect(jsonBodyProblem('\uD800')!.field).to.equal('body');
  });

  it('names a key holding a lone surrogate (the path written with U+FFFD in its place)', () => {
    expect(jsonBodyProblem(JSON.parse('{"meta":{"x\\udc00y":1}}'))).to.deep.equal({ field: 'meta.x\uFFFDy', message: 'is a key that is not well-formed Unicode text: it holds a lone UTF-16 surrogate (U+DC00)' });
  });
});
