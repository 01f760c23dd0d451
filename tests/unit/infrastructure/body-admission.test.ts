import { expect } from 'chai';
import { byteCount } from '../../../src/infrastructure/config/config';
import { declaredCharsets } from '../../../src/infrastructure/http/body-admission';
import { refuseInvalidUtf8 } from '../../../src/infrastructure/http/json-body';
import { HttpProblem } from '../../../src/infrastructure/http/problem-details';

const verify = (buf: Buffer, encoding: string | null): unknown => {
  try {
    refuseInvalidUtf8({} as never, {} as never, buf, encoding);
    return undefined;
  } catch (err) {
    return err;
  }
};

describe('request body admission: charsets, the UTF-8 backstop, the body limit in bytes', () => {
  it('reads every charset parameter of a Content-Type, lower-cased and unquoted, however it is spaced', () => {
    expect(declaredCharsets(undefined)).to.deep.equal([]);
    expect(declaredCharsets('application/json')).to.deep.equal([]);
    expect(declaredCharsets('application/json; charset=UTF-8')).to.deep.equal(['utf-8']);
    expect(declaredCharsets('application/json;charset="UTF-16LE"')).to.deep.equal(['utf-16le']);
    expect(declaredCharsets('application/json; CHARSET = latin1')).to.deep.equal(['latin1']);
    expect(declaredCharsets('text/csv; foo=bar; charset=utf-8; charset=iso-8859-1')).to.deep.equal(['utf-8', 'iso-8859-1']);
    expect(declaredCharsets('application/json; charset=')).to.deep.equal(['']);
    expect(declaredCharsets('application/json; xcharset=utf-16')).to.deep.equal([]);
  });

  it('the parsers\' verify hook refuses a body decoded from any charset but UTF-8 with 415, and UTF-8 that is not with 400', () => {
    const utf16 = verify(Buffer.from('{}', 'utf16le'), 'utf-16le') as HttpProblem;
    expect(utf16).to.be.instanceOf(HttpProblem);
    expect(utf16.status).to.equal(415);
    expect(utf16.extensions.errors).to.deep.equal([{ field: 'Content-Type', message: 'charset must be utf-8 (or absent), not utf-16le' }]);
    expect((verify(Buffer.from('{}'), 'utf8') as HttpProblem).status).to.equal(415);
    expect((verify(Buffer.from([0x7b, 0xff, 0x7d]), 'utf-8') as HttpProblem).status).to.equal(400);
    expect((verify(Buffer.from([0x7b, 0xff, 0x7d]), null) as HttpProblem).slug).to.equal('malformed-text');
    expect(verify(Buffer.from('{"a":"€"}'), 'utf-8')).to.equal(undefined);
  });

  it('LEDGER_BODY_LIMIT in bytes: multiples of 1024, as body-parser reads its limit', () => {
    expect(byteCount('1mb')).to.equal(1_048_576);
    expect(byteCount('512KB')).to.equal(524_288);
    expect(byteCount('64kb')).to.equal(65_536);
    expect(byteCount('100b')).to.equal(100);
    expect(() => byteCount('1.5mb')).to.throw(/must be a size like 512kb or 1mb/);
    expect(() => byteCount('1gb')).to.throw(/must be a size like 512kb or 1mb/);
  });
});
