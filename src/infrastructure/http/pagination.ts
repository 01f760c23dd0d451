import { IsOptional, Matches } from 'class-validator';
import { HttpProblem } from './problem-details';

/** What a `cursor` query parameter may look like before it is decoded (the spec's `Cursor` pattern). */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,2000}$/;

/** The message of a `cursor` that is not the `nextCursor` of a previous page, unchanged. */
export const CURSOR_MESSAGE = 'must be the nextCursor of the previous page, unchanged';

/** Largest signed 64-bit integer: stream revisions (SQLite INTEGER columns, EventStoreDB's int64). */
export const INT64_MAX = 2n ** 63n - 1n;

/** Largest log position the stores keep (40 decimal digits, `encodePosition`: EventStoreDB's packed 128-bit positions fit). */
export const POSITION_MAX = 10n ** 40n - 1n;

/**
 * Opaque cursors for the log-ordered lists (outbox, ERP exports, order events): base64url of a small
 * JSON object naming where the next page starts, each value a whole number as a decimal string
 * (positions and revisions are 64-bit or wider, so never JSON numbers). Clients pass `nextCursor`
 * back unchanged; its content is not part of the contract.
 */
export function encodeCursor(after: Record<string, bigint>): string {
  return Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(after).map(([k, v]) => [k, String(v)]))), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor} for a list whose cursor has exactly the keys of
 * `shape`, each a whole number from 0 to the largest value `shape` gives for it, written as
 * {@link encodeCursor} writes it (a decimal string without sign or leading zeros). Anything else —
 * not base64url JSON, a number or word for a position, a key too many or too few — is not one of
 * this list's cursors: an absent cursor is `undefined`, an empty one is refused like any other.
 * @throws HttpProblem 400 naming `cursor`.
 */
export function decodeCursor<K extends string>(cursor: string | undefined, shape: Readonly<Record<K, bigint>>): Record<K, bigint> | undefined {
  if (cursor === undefined) return undefined;
  const keys = Object.keys(shape) as K[];
  let parsed: unknown;
  try {
    parsed = CURSOR_PATTERN.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    const out = {} as Record<K, bigint>;
    const fits = Object.keys(record).length === keys.length && keys.every((k) => {
      const v = record[k];
      if (typeof v !== 'string' || !/^(0|[1-9]\d{0,39})$/.test(v) || BigInt(v) > shape[k]) return false;
      out[k] = BigInt(v);
      return true;
    });
    if (fits) return out;
  }
  throw HttpProblem.validation([{ field: 'cursor', message: 'is not a cursor of this list; pass nextCursor of the previous page unchanged' }]);
}

/** Default and maximum page sizes of every list query. */
export const PAGE = { default: 50, max: 500 } as const;

/** `cursor` and `limit` of every paged list (1–{@link PAGE}.max items; `cursor` as {@link encodeCursor} made it). */
export class PageQueryDto {
  @IsOptional()
  @Matches(CURSOR_PATTERN, { message: CURSOR_MESSAGE })
  cursor?: string;

  @IsOptional()
  @Matches(/^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$/, { message: `must be a whole number from 1 to ${PAGE.max}` })
  limit?: string;
}
