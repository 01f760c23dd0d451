import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { HttpProblem } from './problem-details';

/**
 * ETags of this API (RFC 9110 §8.8.3):
 * - resources backed by one stream (an exception, a mapping set) have a **strong** ETag naming
 *   the version the representation reflects: `"<prefix><version>"`; `If-Match` compares it so a
 *   command can pin the version it read;
 * - query answers have a **weak** ETag over the serialised body; `If-None-Match` → 304.
 */

/** Strong ETag for a versioned resource: `"r12"`, `"x3"`. */
export function versionEtag(version: bigint | string, prefix = 'r'): string {
  return `"${prefix}${String(version)}"`;
}

/** Weak ETag of a serialised body (SHA-1, base64url; not a security measure, a cache validator). */
export function bodyEtag(serialised: string): string {
  return `W/"${createHash('sha1').update(serialised).digest('base64url')}"`;
}

/** The entity tags listed in a header (`"a", W/"b"`), `'*'`, or undefined when absent or empty. */
export function parseEtagList(header: string | undefined): string[] | '*' | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return '*';
  return header.match(/(?:W\/)?"[^"]*"/g) ?? [];
}

const opaque = (tag: string): string => tag.replace(/^W\//, '');

/**
 * The version pinned by `If-Match` (strong comparison), parsed with `prefix`, or undefined when the
 * header is absent. `*` means "any current version" and also yields undefined.
 * @throws HttpProblem 400 when the header names no tag of this resource's form.
 */
export function ifMatchVersion(req: Request, prefix = 'r'): bigint | undefined {
  const tags = parseEtagList(req.header('if-match'));
  if (tags === undefined || tags === '*') return undefined;
  const re = new RegExp(`^"${prefix}(\\d+)"$`);
  const match = tags.length === 1 ? re.exec(tags[0]!) : null;
  if (!match) {
    throw HttpProblem.validation([{ field: 'If-Match', message: `must be one ETag of this resource, e.g. ${versionEtag(3n, prefix)}` }], 'If-Match names no version of this resource.');
  }
  return BigInt(match[1]!);
}

/** 412 for an `If-Match` that names an older (or another) version than the current one. */
export function preconditionFailed(current: string): HttpProblem {
  return new HttpProblem(412, 'precondition-failed', 'Precondition failed', 'The resource changed since you read it; read it again (its current ETag is in `currentEtag`).', {
    currentEtag: current,
  });
}

/** Whether `If-None-Match` matches `etag` (weak comparison, as RFC 9110 requires for GET). */
export function ifNoneMatchHits(req: Request, etag: string): boolean {
  const tags = parseEtagList(req.header('if-none-match'));
  if (tags === undefined) return false;
  if (tags === '*') return true;
  return tags.some((t) => opaque(t) === opaque(etag));
}

/**
 * Sends a JSON query answer with a weak body ETag (or the given one) and `Cache-Control:
 * private, no-cache` (clients revalidate every time); answers 304 without a body when
 * `If-None-Match` matches.
 */
export function sendJsonWithEtag(req: Request, res: Response, body: unknown, etag?: string): void {
  const serialised = JSON.stringify(body);
  const tag = etag ?? bodyEtag(serialised);
  res.setHeader('ETag', tag);
  res.setHeader('Cache-Control', 'private, no-cache');
  if (ifNoneMatchHits(req, tag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type('application/json').send(serialised);
}
