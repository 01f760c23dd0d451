import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { rememberSourceText } from '../event-store/source-text';
import { FieldError, HttpProblem, unsupportedCharsetProblem } from './problem-details';

/**
 * Deepest nesting of objects and arrays a JSON request body may have. The deepest body the API
 * documents (a Scayle webhook: envelope → payload → items → price → tax → vat) nests fewer than ten
 * levels; the validators (class-transformer, class-validator) recurse per level and overflow the
 * stack a few thousand levels down, which would answer 500 instead of naming the body.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * -1 when `value` nests objects/arrays more than `max` levels deep, or holds a string or key that
 * is not well-formed Unicode (a lone UTF-16 surrogate, which JSON lets a sender escape as `\ud800`);
 * otherwise how many object members it holds (for {@link checkJsonBody}'s duplicate-key check).
 * Iterative (no recursion) and one pass: it runs on every JSON body (a Scayle order is a few hundred
 * objects), so it keeps one stack of nodes and one of depths instead of a pair and an
 * `Object.values` array per node, and builds no paths ({@link jsonBodyProblem} does, on failure only).
 */
function walkJsonBody(value: unknown, max: number): number {
  if (typeof value === 'string') return value.isWellFormed() ? 0 : FAULTY;
  if (value === null || typeof value !== 'object') return 0;
  let members = 0;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return FAULTY;
    if (Array.isArray(node)) {
      for (const child of node as unknown[]) {
        if (typeof child === 'string') {
          if (!child.isWellFormed()) return FAULTY;
        } else if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
        members++;
        if (!key.isWellFormed()) return FAULTY;
        const child = (node as Record<string, unknown>)[key];
        if (typeof child === 'string') {
          if (!child.isWellFormed()) return FAULTY;
        } else if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return members;
}

const FAULTY = -1;

/** `U+D800`: the first lone surrogate of a string that is not well-formed. */
const loneSurrogate = (text: string): string => `U+${(/\p{Cs}/u.exec(text)?.[0] ?? '\uFFFD').charCodeAt(0).toString(16).toUpperCase()}`;

/** What a string holding a lone surrogate is told (`errors[].message`; the field is its JSON path). */
export const malformedTextMessage = (text: string): string => `must be well-formed Unicode text: it holds a lone UTF-16 surrogate (${loneSurrogate(text)})`;

/**
 * The JSON path of member `key` under `path` (`lines[0].taxCode`; the body itself is ''): a key that
 * would read as more path (`a.b`, `[0]`), is empty or holds quotes, backslashes or white space is
 * written as a quoted JSON string in brackets (`payload["a.b"]`). The path is echoed in the
 * problem, so a key that is not well-formed Unicode is written with U+FFFD in place.
 */
export function memberPath(path: string, key: string): string {
  const name = key.toWellFormed();
  if (name === '' || /[.[\]"\\\s]/u.test(name)) return `${path}[${JSON.stringify(name)}]`;
  return path ? `${path}.${name}` : name;
}

/** The first fault of `value` in document order, with its JSON path (`lines[0].taxCode`; the body itself is `body`). */
function locate(value: unknown, path: string, depth: number, max: number): FieldError | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : { field: path || 'body', message: malformedTextMessage(value) };
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > max) return { field: path || 'body', message: `nests objects and arrays more than ${max} levels deep` };
  if (Array.isArray(value)) {
    for (const [i, child] of value.entries()) {
      const found = locate(child, `${path}[${i}]`, depth + 1, max);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const field = memberPath(path, key);
    if (!key.isWellFormed()) return { field, message: `is a key that is not well-formed Unicode text: it holds a lone UTF-16 surrogate (${loneSurrogate(key)})` };
    const found = locate((value as Record<string, unknown>)[key], field, depth + 1, max);
    if (found) return found;
  }
  return undefined;
}

/**
 * Why a parsed JSON body cannot be taken, or undefined: it nests objects and arrays more than `max`
 * levels deep (the field is the JSON path of the first object or array past the limit), or a string
 * or key holds a lone UTF-16 surrogate (the field is that string's path). Such text is no Unicode: it
 * has no UTF-8 form, so SQLite would store U+FFFD instead and the deterministic ids (UUID v5 of the
 * source id's UTF-8 bytes) cannot be derived. The common case (nothing wrong) is one iterative pass
 * without paths; the path is found by a second, depth-bounded walk only when something is wrong.
 */
export function jsonBodyProblem(value: unknown, max = MAX_JSON_DEPTH): FieldError | undefined {
  return walkJsonBody(value, max) === FAULTY ? locate(value, '', 1, max) : undefined;
}

/**
 * How many object members (`"key": value`) the JSON text `bytes` holds: each string followed by a
 * colon is a key (outside strings JSON has no other quote, so the scan never starts inside one, and
 * in UTF-8 a quote or backslash byte is never part of another character). One pass over the bytes,
 * nothing allocated: about 5 µs for a 4 KB Scayle webhook. `bytes` must be JSON that parsed.
 */
export function countJsonMembers(bytes: Uint8Array): number {
  let members = 0;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    if (bytes[i] !== QUOTE) {
      i++;
      continue;
    }
    i++;
    for (;;) {
      const c = bytes[i];
      if (c === QUOTE || c === undefined) break;
      i += c === BACKSLASH ? 2 : 1;
    }
    i++;
    while (i < n && JSON_WHITESPACE[bytes[i]!] === 1) i++;
    if (bytes[i] === COLON) members++;
  }
  return members;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const JSON_WHITESPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) JSON_WHITESPACE[c] = 1;

/**
 * The first key that appears twice in one object of the JSON text `text`, with its JSON path
 * (`lines[0].amount`, as {@link jsonBodyProblem} names fields). `text` must be JSON that parsed, nested
 * no deeper than {@link MAX_JSON_DEPTH} (the scan recurses per level). Used only once the member
 * counts showed a duplicate, to name it.
 */
export function firstDuplicateKey(body: string): FieldError | undefined {
  const text = dropByteOrderMark(body);
  let i = 0;
  const skipWhitespace = () => {
    while (i < text.length && JSON_WHITESPACE[text.charCodeAt(i)] === 1) i++;
  };
  const readString = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const scan = (path: string): FieldError | undefined => {
    skipWhitespace();
    const c = text[i];
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      skipWhitespace();
      if (text[i] === '}') return void i++;
      for (;;) {
        skipWhitespace();
        const key = readString();
        const field = memberPath(path, key);
        if (keys.has(key)) return { field, message: DUPLICATE_KEY_MESSAGE };
        keys.add(key);
        skipWhitespace();
        i++; // the colon
        const found = scan(field);
        if (found) return found;
        skipWhitespace();
        if (text[i++] !== ',') return undefined; // the closing brace
      }
    }
    if (c === '[') {
      i++;
      skipWhitespace();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        const found = scan(`${path}[${n}]`);
        if (found) return found;
        skipWhitespace();
        if (text[i++] !== ',') return undefined; // the closing bracket
      }
    }
    if (c === '"') readString();
    else while (i < text.length && !',]}'.includes(text[i]!) && JSON_WHITESPACE[text.charCodeAt(i)] !== 1) i++; // a number or literal
    return undefined;
  };
  return scan('');
}

/** `text` without a UTF-8 byte order mark before it (body-parser drops one before parsing JSON too). */
export const dropByteOrderMark = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** The first key given twice in JSON text whose key counts showed one; `body` should the search not name it. */
const namedDuplicate = (text: string): FieldError => firstDuplicateKey(text) ?? { field: 'body', message: DUPLICATE_KEY_MESSAGE };

/** Members of the plain objects in a parsed JSON tree (arrays walked; class instances such as lossless numbers are values). */
function countPlainMembers(value: unknown): number {
  let members = 0;
  const nodes: unknown[] = [value];
  while (nodes.length > 0) {
    const node = nodes.pop();
    if (Array.isArray(node)) {
      nodes.push(...(node as unknown[]));
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const proto = Object.getPrototypeOf(node) as unknown;
    if (proto !== Object.prototype && proto !== null) continue;
    for (const key of Object.keys(node)) {
      members++;
      nodes.push((node as Record<string, unknown>)[key]);
    }
  }
  return members;
}

/**
 * A key given twice in one object of the JSON text `text`, whose parse is `parsed` (by any parser:
 * `JSON.parse` keeps the last value, lossless-json the value when both are equal), or undefined.
 * @returns the key's path and {@link DUPLICATE_KEY_MESSAGE} (`body` when the search cannot name it).
 */
export function duplicateKeyProblem(text: string, parsed: unknown): FieldError | undefined {
  return countJsonMembers(Buffer.from(text, 'utf8')) === countPlainMembers(parsed) ? undefined : namedDuplicate(text);
}

/** The problem's `detail` when a key is given twice. */
export const DUPLICATE_KEY_DETAIL = 'The request body gives a key more than once in the same object.';

/** What a key given twice in one object is told (`errors[].message`; the field is its JSON path). */
export const DUPLICATE_KEY_MESSAGE =
  'is given more than once in the same object: JSON object member names should be unique (RFC 8259 §4) and the ledger does not pick one of the values; send it once';

/**
 * Refuses (400 `validation-error` naming the field, see {@link jsonBodyProblem}) a parsed JSON body
 * nested deeper than `max` levels or holding text that is not well-formed Unicode, on every route
 * before its controller runs: nothing is appended. It also refuses a body whose text gives one key
 * twice in an object (the field is that key's path): `JSON.parse` would silently keep the last value
 * — `{"amount": "10.00", "amount": "1000.00"}` — which no finance record should rest on (Business
 * Central bodies and `import` lines, parsed by lossless-json, were refused already). The common case
 * costs one scan of the raw bytes for quotes and one count of the parsed keys; the slower search that
 * names the key runs only when the two counts differ.
 */
export function checkJsonBody(max = MAX_JSON_DEPTH): RequestHandler {
  return (req, _res, next) => {
    const members = walkJsonBody(req.body, max);
    if (members === FAULTY) {
      const problem = locate(req.body, '', 1, max)!;
      const detail = problem.message.startsWith('nests') ? `The request body nests objects and arrays more than ${max} levels deep.` : 'The request body holds text that is not well-formed Unicode.';
      next(HttpProblem.validation([problem], detail));
      return;
    }
    const raw = req.rawBody;
    if (raw && raw.length > 0 && members > 0 && countJsonMembers(raw) !== members) {
      // Counted in the text more often than parsed: a key given twice. Should the search not name it,
      // the body is refused all the same (the last value would otherwise be taken without a word).
      next(HttpProblem.validation([namedDuplicate(raw.toString('utf8'))], DUPLICATE_KEY_DETAIL));
      return;
    }
    // The body's own text, for the event log to keep as a fact's raw payload (source-text.ts).
    if (raw && raw.length > 0) rememberSourceText(req.body, raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw);
    next();
  };
}

/**
 * `verify` hook of the body parsers (JSON, CSV): takes a body only as UTF-8. One declared (or
 * defaulted) UTF-8 whose bytes are not UTF-8 (`FF FE`, a surrogate written as `ED A0 80`), which
 * decoding would silently turn into U+FFFD — the stored fact would not be what was sent — is a 400.
 * One the parser would decode from another charset is a 415: `admitBodyHeaders` (body-admission.ts)
 * refuses those before the body is read; this is the backstop should a Content-Type be read
 * differently there and by body-parser.
 * @throws HttpProblem 400 `malformed-text`, field `body`; 415 `unsupported-media-type`, field `Content-Type`.
 */
export function refuseInvalidUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer, encoding: string | null): void {
  if (encoding !== null && encoding !== 'utf-8') throw unsupportedCharsetProblem(encoding);
  if (!isUtf8(buf)) {
    throw new HttpProblem(400, 'malformed-text', 'Malformed text', 'The request body is not valid UTF-8; send it UTF-8 encoded.', { errors: [{ field: 'body', message: 'is not valid UTF-8' }] });
  }
}
