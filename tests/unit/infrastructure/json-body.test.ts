import { expect } from 'chai';
import { countJsonMembers, DUPLICATE_KEY_MESSAGE, duplicateKeyProblem, firstDuplicateKey, jsonBodyProblem, MAX_JSON_DEPTH, memberPath } from '../../../src/infrastructure/http/json-body';
import { parseLossless } from '../../../src/infrastructure/http/ingest/lossless-body';

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

describe('JSON body: keys given twice in one object', () => {
  const members = (text: string) => countJsonMembers(Buffer.from(text, 'utf8'));
  const keysOf = (value: unknown): number =>
    value === null || typeof value !== 'object' ? 0 : Array.isArray(value) ? value.reduce((n: number, v) => n + keysOf(v), 0) : Object.entries(value).reduce((n, [, v]) => n + 1 + keysOf(v), 0);

  it('counts object members in the raw text: strings followed by a colon, whatever the strings hold', () => {
    expect(members('{}')).to.equal(0);
    expect(members('"a:b"')).to.equal(0);
    expect(members('{"a":1,"b":[{"c":"d"}]}')).to.equal(3);
    expect(members('{ "a" \t\r\n : "x\\":y" , "b\\\\":"\\\\", "c": "\\\\\\"" }')).to.equal(3); // escaped quotes and backslashes
    expect(members('["k:", "v", {"\\u0022":":"}]')).to.equal(1);
    expect(members('{"Bon 🧾":"注文","ä":{"€":null}}')).to.equal(3);
  });

  it('agrees with the parsed count on arbitrary JSON (so a mismatch means a key given twice)', () => {
    let seed = 42;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const text = () => ['', 'a', ':', '"', '\\', '":', '\\"', 'ü€', '{}[]', ' , '][rand(10)]!.repeat(1 + rand(3));
    const value = (depth: number): unknown => {
      const k = depth > 3 ? rand(3) : rand(5);
      if (k === 0) return text();
      if (k === 1) return rand(2) ? rand(1000) / 7 : null;
      if (k === 2) return rand(2) === 1;
      if (k === 3) return Array.from({ length: rand(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rand(4) }, (_, i) => [`${text()}${i}`, value(depth + 1)]));
    };
    for (let i = 0; i < 500; i++) {
      const v = value(0);
      const json = rand(2) ? JSON.stringify(v) : JSON.stringify(v, null, rand(2) ? 2 : '\t');
      expect(members(json), json).to.equal(keysOf(JSON.parse(json)));
    }
  });

  it('names the first key given twice by its JSON path, at any depth and in arrays', () => {
    const msg = DUPLICATE_KEY_MESSAGE;
    expect(firstDuplicateKey('{"amount":"10.00","amount":"1000.00"}')).to.deep.equal({ field: 'amount', message: msg });
    expect(firstDuplicateKey('[{"lines":[{"a":1},{"taxCode":"A","net":"1","taxCode":"B"}]}]')).to.deep.equal({ field: '[0].lines[1].taxCode', message: msg });
    expect(firstDuplicateKey('{ "p" : { "x\\"y" : 1 , "x\\u0022y" : 2 } }')).to.deep.equal({ field: 'p["x\\"y"]', message: msg }); // the same key written two ways (quoted: it holds a quote)
    expect(firstDuplicateKey('{"a":{"b":1},"c":{"b":2},"d":[1,"x",true,null,{"e":[]}]}')).to.equal(undefined);
    expect(firstDuplicateKey('{"k":"v:\\"},{\\"k\\":1","k2":{}}')).to.equal(undefined);
  });
});

describe('JSON paths and duplicate keys: the edges', () => {
  it('writes a key that would read as more path quoted in brackets', () => {
    expect(memberPath('', 'amount')).to.equal('amount');
    expect(memberPath('lines[0]', 'net')).to.equal('lines[0].net');
    expect(memberPath('payload', 'a.b')).to.equal('payload["a.b"]');
    expect(memberPath('payload', '')).to.equal('payload[""]');
    expect(memberPath('payload', '[0]')).to.equal('payload["[0]"]');
    expect(memberPath('', 'a "b"')).to.equal('["a \\"b\\""]');
    expect(memberPath('p', 'Bon 🧾')).to.equal('p["Bon 🧾"]');
    expect(memberPath('p', 'x\uDC00')).to.equal('p.x\uFFFD');
  });

  it('a byte order mark before the text does not stop the search', () => {
    expect(firstDuplicateKey('\uFEFF{"a":1,"a":2}')).to.deep.equal({ field: 'a', message: DUPLICATE_KEY_MESSAGE });
  });

  it('counts a lossless parse (numbers as objects) by its plain objects only: equal values given twice are found', () => {
    expect(duplicateKeyProblem('{"a":1.50,"b":[2,{"c":3}]}', parseLossless('{"a":1.50,"b":[2,{"c":3}]}'))).to.equal(undefined);
    expect(() => parseLossless('{"b":[2,{"c":3,"c":3}]}')).to.throw('gives a key more than once');
    try {
      parseLossless('{"b":[2,{"c":3,"c":4}]}');
      expect.fail('refused');
    } catch (err) {
      expect((err as { extensions: { errors?: unknown } }).extensions.errors).to.deep.equal([{ field: 'b[1].c', message: DUPLICATE_KEY_MESSAGE }]);
    }
    expect(parseLossless('\uFEFF{"a":1}')).to.have.property('a');
  });
});
