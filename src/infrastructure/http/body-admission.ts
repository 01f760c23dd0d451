import type { RequestHandler } from 'express';
import { BODY_ENCODINGS, HttpProblem, unsupportedCharsetProblem, unsupportedEncodingProblem } from './problem-details';

/**
 * Every `charset` parameter of a Content-Type (`application/json; charset="UTF-16LE"` → `utf-16le`),
 * lower-cased and unquoted, in order. Deliberately broad — spaces or tabs around `=`, a name in any
 * case, a parameter given twice — so that every value body-parser's parser (`content-type`) could
 * read is seen; {@link admitBodyHeaders} takes the body only when all of them are `utf-8`.
 */
export function declaredCharsets(contentType: string | undefined): string[] {
  const out: string[] = [];
  for (const m of (contentType ?? '').matchAll(/;\s*charset\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/gi)) {
    out.push((m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '')).toLowerCase());
  }
  return out;
}

/**
 * Decides from the headers, before a byte of the body is read, whether a body of one of `types`
 * (the media types the next parser reads) can be taken at all:
 * - a `charset` other than `utf-8` (any case; none means UTF-8) is a 415 saying to send UTF-8 —
 *   JSON exchanged between systems MUST be UTF-8 (RFC 8259 §8.1), CSV is taken as UTF-8 only too;
 * - a `Content-Encoding` other than `identity` or {@link BODY_ENCODINGS} (exactly, as body-parser
 *   compares it: lower-cased, one coding) is a 415 naming it and those that are decompressed.
 * Requests of other types, or without a body, pass untouched. The parsers' `verify` hook
 * (`refuseInvalidUtf8`) still refuses a body decoded as anything but UTF-8, should a header this
 * does not read be read differently by body-parser.
 */
export function admitBodyHeaders(...types: string[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.is(types)) return next();
    const other = declaredCharsets(req.headers['content-type']).find((c) => c !== 'utf-8');
    if (other !== undefined) return next(unsupportedCharsetProblem(other));
    const coding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (coding !== 'identity' && !(BODY_ENCODINGS as readonly string[]).includes(coding)) return next(unsupportedEncodingProblem(coding));
    next();
  };
}

/**
 * Answers 413 at once, before the body is read, to a request whose `Content-Length` exceeds `limit`
 * bytes (`LEDGER_BODY_LIMIT`, see `byteCount`), with `Connection: close` so the server closes the
 * connection after the answer instead of receiving the rest of the upload. (body-parser would read
 * such a body to its end before its own 413.) A compressed body is limited twice: as sent, here, and
 * decompressed, by the parser. A chunked body has no length and keeps body-parser's limit, which
 * stops reading as soon as the limit is passed.
 */
export function refuseOversizedBody(limit: number): RequestHandler {
  return (req, res, next) => {
    const length = req.headers['content-length'];
    // Node's HTTP parser has already refused a Content-Length that is not digits.
    if (length === undefined || !/^\d+$/.test(length) || Number(length) <= limit) return next();
    res.setHeader('Connection', 'close');
    next(
      new HttpProblem(413, 'payload-too-large', 'Payload too large', `The request body (Content-Length ${length} bytes) exceeds the limit of ${limit} bytes (LEDGER_BODY_LIMIT); it was not read.`, {
        errors: [{ field: 'Content-Length', message: `must be at most ${limit}` }],
      }),
    );
  };
}
