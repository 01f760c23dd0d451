import { exceptionVersion } from '../../../application/exception/exception-version';
import type { Answer } from '../../../application/read-models/read-model.queries';
import { versionEtag } from '../etag';

/** ETag prefix of exceptions: `"x<position>-<digest>"` (see `exceptionVersion`). */
export const EXCEPTION_ETAG_PREFIX = 'x';

/**
 * An exception answer with its strong ETag as `etag` — the value `If-Match` of a decision takes,
 * the same in `GET /v1/exceptions` items and in `GET /v1/exceptions/{exceptionId}` (header and body).
 */
export function withEtag(doc: Answer): Answer & { etag: string } {
  return { ...doc, etag: versionEtag(exceptionVersion(doc), EXCEPTION_ETAG_PREFIX) };
}
