/**
 * The version of an exception (the HTTP layer's strong ETag is `"x<version>"`): the log
 * position its read-model document reflects and a digest of its decision state.
 *
 * The position alone is not enough: the grace-window scheduler re-evaluates pending orders and
 * writes their exceptions at the unchanged checkpoint position, so a document can change without
 * its position moving. The digest covers everything a decision depends on (status, whether the
 * finding is present, occurrences, assignee, resolution) and `lastChangedAt`, so any change of the
 * exception's lifecycle gives a new version, and one computed from the same document is stable.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../ports/read-model-store.port';

/** `<position>-<digest>` of an exception answer (`position` a decimal string, digest base64url). */
export function exceptionVersion(doc: JsonObject & { position: string }): string {
  const state = [doc.status, doc.findingPresent ?? null, doc.occurrences ?? null, doc.assignee ?? null, doc.resolution ?? null, doc.lastChangedAt ?? null];
  const digest = createHash('sha256').update(JSON.stringify(state)).digest('base64url').slice(0, 12);
  return `${doc.position}-${digest}`;
}

