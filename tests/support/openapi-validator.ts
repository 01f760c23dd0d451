/**
 * Validates HTTP responses of the tests against `openapi/openapi.yaml` (OpenAPI 3.1 = JSON Schema
 * 2020-12). Use it in every HTTP test:
 *
 * ```ts
 * const res = await request(server).get('/v1/orders/901/reconciliation').set(auth('finance'));
 * expectResponseMatchesSpec(res, 'get', '/v1/orders/{orderId}/reconciliation');
 * ```
 *
 * It fails when the status is not documented for the operation (and there is no `default`), when the
 * response's content type is not documented for that status, or when the body does not match the
 * documented schema. `$ref`s to `#/components/...` (schemas and responses) are resolved.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { loadOpenApi } from '../../src/infrastructure/http/openapi';

/** The parts of a supertest response the validator reads. */
export interface SpecResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text?: string;
}

const SPEC_ID = 'urn:scayle-erp-ledger:openapi';

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(): Ajv2020 {
  if (!ajv) {
    // strict: false — the document holds OpenAPI keywords (paths, operationId…) beside the schemas.
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema({ ...loadOpenApi(), $id: SPEC_ID });
  }
  return ajv;
}

/** `#/components/x/y` → the object, following chained `$ref`s of response objects. */
function deref<T>(node: T | { $ref: string }): T {
  let current: unknown = node;
  for (let guard = 0; guard < 10 && current && typeof current === 'object' && '$ref' in current; guard++) {
    const ref = (current as { $ref: string }).$ref;
    if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((acc, key) => (acc as Record<string, unknown> | undefined)?.[key], loadOpenApi());
    if (current === undefined) throw new Error(`Unresolvable $ref ${ref}`);
  }
  return current as T;
}

const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

interface ResponseObject {
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, unknown>;
}

/** The documented response object for a status: exact, then `4XX`-style, then `default`. */
function documentedResponse(method: string, pathTemplate: string, status: number): { key: string; response: ResponseObject } {
  const item = loadOpenApi().paths[pathTemplate];
  expect(item, `path ${pathTemplate} is not in openapi/openapi.yaml`).to.be.an('object');
  const operation = (item as Record<string, { responses?: Record<string, unknown> }>)[method.toLowerCase()];
  expect(operation, `${method.toUpperCase()} ${pathTemplate} is not in openapi/openapi.yaml`).to.be.an('object');
  const responses = operation!.responses ?? {};
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
  expect(key, `${method.toUpperCase()} ${pathTemplate}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`).to.be.a('string');
  return { key: key!, response: deref<ResponseObject>(responses[key!] as ResponseObject) };
}

/**
 * Asserts that a response matches the operation `method pathTemplate` of the contract: documented
 * status, documented media type, body valid against the schema.
 * @param pathTemplate the path as written in the spec, e.g. `/v1/orders/{orderId}/refunds`.
 */
export function expectResponseMatchesSpec(res: SpecResponse, method: string, pathTemplate: string): void {
  const { key, response } = documentedResponse(method, pathTemplate, res.status);
  const what = `${method.toUpperCase()} ${pathTemplate} → ${res.status}`;
  const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    const empty = res.text === undefined || res.text === '' || res.status === 204 || res.status === 304;
    expect(empty, `${what}: the spec documents no body, but one was sent`).to.equal(true);
    return;
  }
  expect(Object.keys(content), `${what}: content type ${contentType || '(none)'} is not documented`).to.include(contentType);
  if (!content[contentType]!.schema) return;
  const cacheKey = `${method.toLowerCase()} ${pathTemplate} ${key} ${contentType}`;
  let validate = compiled.get(cacheKey);
  if (!validate) {
    const operationRef = pointer('paths', pathTemplate, method.toLowerCase(), 'responses', key);
    const rawResponse = (loadOpenApi().paths[pathTemplate] as Record<string, { responses: Record<string, unknown> }>)[method.toLowerCase()]!.responses[key] as
      | ResponseObject
      | { $ref: string };
    // Point at the schema inside the document so that its local $refs resolve against the spec.
    const base = '$ref' in rawResponse ? (rawResponse.$ref as string).slice(2) : operationRef;
    validate = validator().compile({ $ref: `${SPEC_ID}#/${base}/${pointer('content', contentType, 'schema')}` });
    compiled.set(cacheKey, validate);
  }
  const body = /[/+]json$/.test(contentType) ? parseText(res.text) ?? res.body : res.text;
  const ok = validate(body);
  expect(ok, `${what}: body does not match the spec:\n${validator().errorsText(validate.errors, { separator: '\n' })}\nbody: ${JSON.stringify(body).slice(0, 2000)}`).to.equal(true);
}

/** The body as sent (supertest's `body` is `{}` for bodies it did not parse). */
function parseText(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Response headers documented for a status (names lower-cased), for tests that check them. */
export function documentedHeaders(method: string, pathTemplate: string, status: number): string[] {
  const { response } = documentedResponse(method, pathTemplate, status);
  return Object.keys(response.headers ?? {}).map((h) => h.toLowerCase());
}
