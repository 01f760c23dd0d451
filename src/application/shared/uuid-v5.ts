import { createHash } from 'node:crypto';
import { parse as parseUuid, v5 as uuidPackageV5 } from 'uuid';

/** Namespaces as bytes (a handful of constants in practice; bounded all the same). */
const namespaceBytes = new Map<string, Buffer>();
const MAX_CACHED_NAMESPACES = 64;

/** A lone surrogate: `uuid` refuses such a name (URIError from its UTF-8 encoding), so it decides. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * RFC 4122 version-5 UUID of `name` (UTF-8) in `namespace` — the id `uuid`'s `v5(name, namespace)`
 * answers, computed with one SHA-1 over cached namespace bytes instead of the package's per-call
 * namespace parse and byte copy (the webhook path derives an id per delivery).
 * @throws TypeError for a namespace that is not a UUID, URIError for a name with a lone surrogate
 * (both from `uuid`, as before).
 */
export function uuidV5(name: string, namespace: string): string {
  if (LONE_SURROGATE.test(name)) return uuidPackageV5(name, namespace);
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
