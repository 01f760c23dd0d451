import { createHash } from 'node:crypto';
import { parse as parseUuid } from 'uuid';
import { invalid } from '../../domain/shared/errors';

/** Namespaces as bytes (a handful of constants in practice; bounded all the same). */
const namespaceBytes = new Map<string, Buffer>();
const MAX_CACHED_NAMESPACES = 64;

/**
 * RFC 4122 version-5 UUID of `name` (UTF-8) in `namespace` — the id `uuid`'s `v5(name, namespace)`
 * answers, computed with one SHA-1 over cached namespace bytes instead of the package's per-call
 * namespace parse and byte copy (the webhook path derives an id per delivery).
 * @param field what the name is made of, for the error (`documentNumber`, `sourceEventId`).
 * @throws DomainError `invalid`/`malformed_text` naming `field` for a name that is not well-formed
 *   Unicode (a lone UTF-16 surrogate has no UTF-8 bytes to hash; `uuid` itself throws a bare
 *   `URIError: URI malformed`); TypeError (from `uuid`) for a namespace that is not a UUID.
 */
export function uuidV5(name: string, namespace: string, field = 'name'): string {
  if (!name.isWellFormed()) {
    const unit = /\p{Cs}/u.exec(name)![0].charCodeAt(0).toString(16).toUpperCase();
    throw invalid('malformed_text', `${field} is not well-formed Unicode text: it holds a lone UTF-16 surrogate (U+${unit})`, field);
  }
  let ns = namespaceBytes.get(namespace);
  if (!ns) {
    ns = Buffer.from(parseUuid(namespace));
    if (namespaceBytes.size < MAX_CACHED_NAMESPACES) namespaceBytes.set(namespace, ns);
  }
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
