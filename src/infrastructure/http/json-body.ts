import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { FieldError, HttpProblem, unsupportedCharsetProblem } from './problem-details';

/**
 * Deepest nesting of objects and arrays a JSON request body may have. The deepest body the API
 * documents (a Scayle webhook: envelope → payload → items → price → tax → vat) nests fewer than ten
 * levels; the validators (class-transformer, class-validator) recurse per level and overflow the
 * stack a few thousand levels down, which would answer 500 instead of naming the body.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `value` nests objects/arrays more than `max` levels deep, or holds a string or key that
 * is not well-formed Unicode (a lone UTF-16 surrogate, which JSON lets a sender escape as `\ud800`).
 * Iterative (no recursion) and one pass: it runs on every JSON body (a Scayle order is a few hundred
 * objects), so it keeps one stack of nodes and one of depths instead of a pair and an
 * `Object.values` array per node, and builds no paths ({@link jsonBodyProblem} does, on failure only).
 */
function jsonBodyFaulty(value: unknown, max: number): boolean {
  if (typeof value === 'string') return !value.isWellFormed();
  if (value === null || typeof value !== 'object') return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    if (Array.isArray(node)) {
      for (const child of node as unknown[]) {
        if (typeof child === 'string') {
          if (!child.isWellFormed()) return true;
        } else if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
        if (!key.isWellFormed()) return true;
        const child = (node as Record<string, unknown>)[key];
        if (typeof child === 'string') {
          if (!child.isWellFormed()) return true;
        } else if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** `U+D800`: the first lone surrogate of a string that is not well-formed. */
const loneSurrogate = (text: string): string => `U+${(/\p{Cs}/u.exec(text)?.[0] ?? '\uFFFD').charCodeAt(0).toString(16).toUpperCase()}`;

/** What a string holding a lone surrogate is told (`errors[].message`; the field is its JSON path). */
export const malformedTextMessage = (text: string): string => `must be well-formed Unicode text: it holds a lone UTF-16 surrogate (${loneSurrogate(text)})`;

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
    // The path is echoed in the problem: a key that is not well-formed is written with U+FFFD in place.
    const field = path ? `${path}.${key.toWellFormed()}` : key.toWellFormed();
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
  return jsonBodyFaulty(value, max) ? locate(value, '', 1, max) : undefined;
}

/**
 * Refuses (400 `validation-error` naming the field, see {@link jsonBodyProblem}) a parsed JSON body
 * nested deeper than `max` levels or holding text that is not well-formed Unicode, on every route
 * before its controller runs: nothing is appended.
 */
export function checkJsonBody(max = MAX_JSON_DEPTH): RequestHandler {
  return (req, _res, next) => {
    const problem = jsonBodyProblem(req.body, max);
    if (!problem) {
      next();
      return;
    }
    const detail = problem.message.startsWith('nests') ? `The request body nests objects and arrays more than ${max} levels deep.` : 'The request body holds text that is not well-formed Unicode.';
    next(HttpProblem.validation([problem], detail));
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
