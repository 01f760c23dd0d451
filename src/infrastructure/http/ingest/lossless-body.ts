import { parse, stringify } from 'lossless-json';
import { NumberToken } from '../../../application/ingest/erp/business-central.mapper';
import { HttpProblem } from '../problem-details';

/**
 * Parses JSON text keeping every number as its exact token ({@link NumberToken}) — Business
 * Central sends amounts as JSON numbers (`1245.885`), which `JSON.parse` would turn into floats.
 * @throws HttpProblem 400 malformed JSON.
 */
export function parseLossless(text: string): unknown {
  try {
    return parse(text, null, (token: string) => new NumberToken(token));
  } catch (err) {
    throw new HttpProblem(400, 'malformed-json', 'Malformed JSON', `The request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      errors: [{ field: 'body', message: 'not valid JSON' }],
    });
  }
}

/** JSON text of a lossless tree, numbers written exactly as received (the raw record kept for audit). */
export function stringifyLossless(tree: unknown): string {
  return stringify(tree, undefined, undefined, [{ test: (v: unknown) => v instanceof NumberToken, stringify: (v: unknown) => (v as NumberToken).text }]) ?? 'null';
}
