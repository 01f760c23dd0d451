import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { HttpProblem } from './problem-details';

/**
 * Opaque cursors for list queries: base64url of a small JSON object naming where the next page
 * starts (the sort key of the last item returned). Clients pass `nextCursor` back unchanged; its
 * content is not part of the contract.
 */
export function encodeCursor(after: Record<string, string>): string {
  return Buffer.from(JSON.stringify(after), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}, checking it has the `keys` this list sorts by.
 * @throws HttpProblem 400 naming `cursor` when it is not one of ours.
 */
export function decodeCursor<K extends string>(cursor: string | undefined, keys: readonly K[]): Record<K, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object' && keys.every((k) => typeof parsed[k] === 'string')) return parsed as Record<K, string>;
  } catch {
    // fall through to the problem below
  }
  throw HttpProblem.validation([{ field: 'cursor', message: 'is not a cursor of this list; pass nextCursor of the previous page unchanged' }]);
}

/** Default and maximum page sizes of every list query. */
export const PAGE = { default: 50, max: 500 } as const;

/** `cursor` and `limit` of every paged list (1–{@link PAGE}.max items; `cursor` as {@link encodeCursor} made it). */
export class PageQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cursor?: string;

  @IsOptional()
  @Matches(/^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$/, { message: `must be a whole number from 1 to ${PAGE.max}` })
  limit?: string;
}
