import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON (via `canonicalize`, as the close snapshots): object keys sorted by UTF-16
 * code units, no whitespace — the same document always gives the same bytes, so its SHA-256 names
 * what was sent (`OrderExportedToErp.payloadHash`). Canonical ERP documents hold no floats (money and
 * rates are decimal strings, line numbers integers).
 * @throws Error for values JSON cannot express.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('canonical JSON needs a JSON value');
  return text;
}

/** SHA-256 of a text (UTF-8), lower-case hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
