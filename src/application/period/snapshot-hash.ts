import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CloseSnapshot } from '../../domain/period/close-snapshot';

/**
 * RFC 8785 (JSON Canonicalization Scheme) form of a snapshot, via the `canonicalize` library:
 * object keys sorted by UTF-16 code units, no whitespace, ECMAScript number and string
 * serialisation. The snapshot holds no floats (money is decimal strings, counts are integers), so
 * the form is stable across platforms and versions.
 * @throws Error for values JSON cannot express (NaN, Infinity, bigint).
 */
export function canonicalSnapshot(snapshot: CloseSnapshot): string {
  const text = canonicalize(snapshot);
  if (text === undefined) throw new Error('A close snapshot must be a JSON object');
  return text;
}

/** `sha256:<64 lowercase hex>` of the canonical form (UTF-8). */
export function snapshotHash(snapshot: CloseSnapshot): string {
  return `sha256:${createHash('sha256').update(canonicalSnapshot(snapshot), 'utf8').digest('hex')}`;
}
