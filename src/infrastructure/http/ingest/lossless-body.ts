import { parse, stringify } from 'lossless-json';
import { NumberToken } from '../../../application/ingest/erp/business-central.mapper';
import { dropByteOrderMark, DUPLICATE_KEY_DETAIL, duplicateKeyProblem, firstDuplicateKey } from '../json-body';
import { HttpProblem } from '../problem-details';

/**
 * Parses JSON text keeping every number as its exact token ({@link NumberToken}) — Business
 * Central sends amounts as JSON numbers (`1245.885`), which `JSON.parse` would turn into floats. A
 * byte order mark before the text is dropped, as body-parser drops it on the other JSON routes.
 * @throws HttpProblem 400 `validation-error` naming the path of a key given twice in one object
 *   (as every JSON route refuses it, see `checkJsonBody`); 400 `malformed-json` for text that is no JSON.
 */
export function parseLossless(text: string): unknown {
  const json = dropByteOrderMark(text);
  let parsed: unknown;
  try {
    parsed = parse(json, null, (token: string) => new NumberToken(token));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const duplicate = message.startsWith('Duplicate key') ? firstDuplicateKey(json) : undefined;
    if (duplicate) throw HttpProblem.validation([duplicate], DUPLICATE_KEY_DETAIL);
    throw new HttpProblem(400, 'malformed-json', 'Malformed JSON', `The request body is not valid JSON: ${message}`, {
      errors: [{ field: 'body', message: 'not valid JSON' }],
    });
  }
  const duplicate = duplicateKeyProblem(json, parsed); // lossless-json takes a key given twice with equal values
  if (duplicate) throw HttpProblem.validation([duplicate], DUPLICATE_KEY_DETAIL);
  return parsed;
}

/** JSON text of a lossless tree, numbers written exactly as received (the raw record kept for audit). */
export function stringifyLossless(tree: unknown): string {
  return stringify(tree, undefined, undefined, [{ test: (v: unknown) => v instanceof NumberToken, stringify: (v: unknown) => (v as NumberToken).text }]) ?? 'null';
}
