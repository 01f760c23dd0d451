import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsOptional, Matches } from 'class-validator';
import { CURSOR_NOT_HANDED_OUT } from '../../application/read-models/read-model.queries';
import { HttpProblem } from './problem-details';

/** What a `cursor` query parameter may look like before it is decoded (the spec's `Cursor` pattern). */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,2000}$/;


/** Largest signed 64-bit integer: stream revisions (SQLite INTEGER columns, EventStoreDB's int64). */
export const INT64_MAX = 2n ** 63n - 1n;

/** Largest log position the stores keep (40 decimal digits, `encodePosition`: EventStoreDB's packed 128-bit positions fit). */
export const POSITION_MAX = 10n ** 40n - 1n;

/**
 * The message of a cursor that is well-formed but not one this list handed out: forged, edited, of
 * another list (route, path parameters, filters or sort), or signed with a key the service no
 * longer has (`LEDGER_CURSOR_SECRET` unset and the service restarted).
 */
export const NOT_HANDED_OUT_MESSAGE = CURSOR_NOT_HANDED_OUT;

/**
 * The message of a `cursor` that is not even shaped like one (`cursor=`, `cursor=%2F`): the same
 * words as any other cursor this list did not hand out, so a client reads one rule.
 */
export const CURSOR_MESSAGE = NOT_HANDED_OUT_MESSAGE;

/**
 * The identity of a paged list, which its cursors are bound to: the operation as the spec names it
 * (`GET /v1/orders/{orderId}/events`), its path parameters and every query parameter that shapes the
 * list (filters, sort). Page parameters (`limit`, `cursor`) and `minPosition` are left out, so a
 * client may change the page size or wait for its writes while paging.
 */
export interface CursorList {
  operation: string;
  path: Readonly<Record<string, string>>;
  filters: Readonly<Record<string, string>>;
}

/** Query parameters that do not shape a list: its cursors stay valid whatever they are. */
const NOT_SHAPING = new Set(['limit', 'cursor', 'minPosition']);

/**
 * The {@link CursorList} of a request: `operation` as the route's `guard` names it, the route's
 * path parameters (`{}` for most lists) and the validated query, of which every defined value but
 * `limit`, `cursor` and `minPosition` counts as a filter (taking them from the query, not from a
 * per-route list, keeps a filter added later from being forgotten).
 */
export function cursorList(operation: string, pathParams: Readonly<Record<string, string>>, query: object): CursorList {
  const filters: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) if (!NOT_SHAPING.has(name) && value !== undefined) filters[name] = String(value);
  return { operation, path: { ...pathParams }, filters };
}

/** Length of a cursor's signature: base64url of an HMAC-SHA256 (32 bytes → 43 characters, no padding). */
const TAG_LENGTH = 43;
/** Domain separation: what the HMAC is computed over starts with this, so the key signs nothing else alike. */
const CURSOR_CONTEXT = 'scayle-erp-ledger/list-cursor/v1';

const sortedEntries = (record: Readonly<Record<string, string>>): [string, string][] => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Signed, list-bound paging cursors of every list the API pages (outbox, ERP exports, order events,
 * reconciliations, the live exception queue). A cursor is the list's own payload (base64url, e.g.
 * the read-model store's keyset cursor, or {@link ListCursors.encode}'s positions) followed by an
 * HMAC-SHA256 over the payload and the {@link CursorList} it was handed out for, so a cursor pages
 * only that list, unchanged; anything else is a 400 naming `cursor` before the payload is read.
 * The key is `LEDGER_CURSOR_SECRET`, or random per process when unset (cursors then do not survive
 * a restart: the client gets the 400 and starts again from the first page). One HMAC per page.
 */
export class ListCursors {
  private constructor(private readonly key: Buffer) {}

  /**
   * Cursors signed with `secret` (UTF-8 bytes as the HMAC key), or with 32 random bytes when it is
   * undefined (`LEDGER_CURSOR_SECRET` unset: valid until the process ends).
   */
  static withSecret(secret: string | undefined): ListCursors {
    return new ListCursors(secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8'));
  }

  /** `payload` (base64url, at least one character) signed for `list`: what a page hands out as `nextCursor`. */
  seal(list: CursorList, payload: string): string {
    return payload + this.tag(list, payload);
  }

  /**
   * The payload of a cursor {@link seal} made for `list`; `undefined` without a cursor. Checked in
   * constant time (`timingSafeEqual`) over the signature's base64url text, so the spare bits of its
   * last character cannot be edited either.
   * @throws HttpProblem 400 naming `cursor` ({@link NOT_HANDED_OUT_MESSAGE}) for anything else.
   */
  open(list: CursorList, cursor: string | undefined): string | undefined {
    if (cursor === undefined) return undefined;
    if (CURSOR_PATTERN.test(cursor) && cursor.length > TAG_LENGTH) {
      const payload = cursor.slice(0, -TAG_LENGTH);
      const given = Buffer.from(cursor.slice(-TAG_LENGTH), 'latin1');
      const expected = Buffer.from(this.tag(list, payload), 'latin1');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return payload;
    }
    throw notHandedOut();
  }

  /**
   * The cursor of a log-ordered list (outbox, ERP exports, order events): JSON naming where the next
   * page starts, each value a whole number as a decimal string (positions and revisions are 64-bit
   * or wider, so never JSON numbers), signed for `list`. Its content is not part of the contract.
   */
  encode(list: CursorList, after: Record<string, bigint>): string {
    return this.seal(list, Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(after).map(([k, v]) => [k, String(v)]))), 'utf8').toString('base64url'));
  }

  /**
   * Decodes a cursor {@link encode} made for `list`, whose payload has exactly the keys of `shape`,
   * each a whole number from 0 to the largest value `shape` gives for it, written as `encode` writes
   * it (a decimal string without sign or leading zeros). The signature is checked first; the shape
   * then still refuses a genuine cursor of another kind (an order's history that changed from parked
   * documents, paged by position, to its stream, paged by revision). An absent cursor is `undefined`.
   * @throws HttpProblem 400 naming `cursor`.
   */
  decode<K extends string>(list: CursorList, cursor: string | undefined, shape: Readonly<Record<K, bigint>>): Record<K, bigint> | undefined {
    const payload = this.open(list, cursor);
    if (payload === undefined) return undefined;
    const keys = Object.keys(shape) as K[];
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
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
    throw notHandedOut();
  }

  /** base64url HMAC-SHA256 over the context, the list's identity and the payload (one JSON array: no two inputs serialise alike). */
  private tag(list: CursorList, payload: string): string {
    const signed = JSON.stringify([CURSOR_CONTEXT, list.operation, sortedEntries(list.path), sortedEntries(list.filters), payload]);
    return createHmac('sha256', this.key).update(signed, 'utf8').digest('base64url');
  }
}

/** The 400 of a cursor this list did not hand out. */
const notHandedOut = (): HttpProblem => HttpProblem.validation([{ field: 'cursor', message: NOT_HANDED_OUT_MESSAGE }]);

/** Default and maximum page sizes of every list query. */
export const PAGE = { default: 50, max: 500 } as const;

/** `cursor` and `limit` of every paged list (1–{@link PAGE}.max items; `cursor` as {@link ListCursors} made it). */
export class PageQueryDto {
  @IsOptional()
  @Matches(CURSOR_PATTERN, { message: CURSOR_MESSAGE })
  cursor?: string;

  @IsOptional()
  @Matches(/^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$/, { message: `must be a whole number from 1 to ${PAGE.max}` })
  limit?: string;
}
