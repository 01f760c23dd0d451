import type { RequestHandler } from 'express';
import { loadOpenApi, type OpenApiDocument } from './openapi';
import { HttpProblem } from './problem-details';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface ParameterObject {
  name?: string;
  in?: string;
  $ref?: string;
}

/** A parameter object, or the `#/components/parameters/…` one a `$ref` points to. */
function resolve(doc: OpenApiDocument, parameter: ParameterObject): ParameterObject {
  if (!parameter.$ref) return parameter;
  let target: unknown = doc;
  for (const key of parameter.$ref.replace(/^#\//, '').split('/')) target = (target as Record<string, unknown> | undefined)?.[key];
  return (target as ParameterObject | undefined) ?? {};
}

let cached: ReadonlyMap<string, readonly string[]> | undefined;

/**
 * The query parameters each operation of the API contract (openapi/openapi.yaml) declares — its
 * path item's and its own `in: query` parameters, `$ref`s resolved, in the document's order — keyed
 * `METHOD /path/{param}` as `ROUTE_ROLES` and the route table spell routes. The one source of which
 * parameters a route takes: {@link refuseUndeclaredQueryParameters} refuses every other one.
 */
export function declaredQueryParameters(): ReadonlyMap<string, readonly string[]> {
  if (cached) return cached;
  const doc = loadOpenApi();
  const out = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = (item.parameters as ParameterObject[] | undefined) ?? [];
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      const own = ((operation as { parameters?: ParameterObject[] }).parameters ?? []).map((p) => resolve(doc, p));
      const names = [...shared.map((p) => resolve(doc, p)), ...own].filter((p) => p.in === 'query' && typeof p.name === 'string').map((p) => p.name!);
      out.set(`${method.toUpperCase()} ${path}`, [...new Set(names)]);
    }
  }
  cached = out;
  return out;
}

/**
 * What a query parameter an operation does not declare is told, listing the ones it does
 * (`is not a parameter of this operation; it takes limit, cursor`), or `none`.
 */
export const notAParameterMessage = (takes: readonly string[]): string => `is not a parameter of this operation; it takes ${takes.length > 0 ? takes.join(', ') : 'none'}`;

/** What a query key or value that is not UTF-8 once percent-decoded is told. */
export const NOT_UTF8_MESSAGE = 'is not valid UTF-8 once percent-decoded';

/**
 * Whether `component` (a raw key or value of a query string, `+` not yet a space) percent-decodes to
 * well-formed UTF-8. A `%` not followed by two hex digits stays a literal `%`, as the query parser
 * reads it; every `%XX` escape counts as one byte, and `decodeURIComponent` refuses byte sequences
 * that are not UTF-8 (lone continuation bytes, truncated sequences, overlong forms, surrogates; RFC
 * 3629) where the query parser would put U+FFFD in their place.
 */
export function percentDecodesToUtf8(component: string): boolean {
  if (!component.includes('%')) return true;
  try {
    decodeURIComponent(component.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The query parameters of a raw query string (`a=1&b=%FF`) whose key or value is not UTF-8 once
 * percent-decoded, named as sent in query order: the key decoded when it is UTF-8, else as written.
 */
export function nonUtf8QueryParameters(rawQuery: string): string[] {
  const out: string[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const keyOk = percentDecodesToUtf8(key);
    if (keyOk && percentDecodesToUtf8(value)) continue;
    out.push(keyOk ? decodeURIComponent(key.replace(/\+/g, ' ').replace(/%(?![0-9a-fA-F]{2})/g, '%25')) : key);
  }
  return out;
}

/**
 * Refuses, for the operation `route` (`METHOD /path/{param}` of openapi/openapi.yaml), every query
 * parameter the contract does not declare for it: 400 `validation-error` with one `errors[]` entry
 * per unknown name, in query order ({@link notAParameterMessage}). A misspelled filter
 * (`?ownr=finance`) must never be ignored, or the unfiltered answer looks like the filtered one.
 * First, every key or value that is not UTF-8 once percent-decoded (`?batchId=Q%FF1`) is a 400
 * naming it ({@link NOT_UTF8_MESSAGE}): the query parser would read it as U+FFFD, so two different
 * byte strings would become one value. Beyond that only names are checked here; values (and a
 * parameter given twice) are the route's own checks.
 * A request without a query string costs one `String.includes` on its URL (no query is parsed).
 * @throws Error at construction when the contract has no such operation (a route and the spec disagree).
 */
export function refuseUndeclaredQueryParameters(route: string): RequestHandler {
  const takes = declaredQueryParameters().get(route);
  if (!takes) throw new Error(`${route} is not an operation of openapi/openapi.yaml`);
  const declared = new Set(takes);
  const message = notAParameterMessage(takes);
  return (req, _res, next) => {
    // Without a query string there is nothing to parse (the Scayle webhook route sends none).
    if (!req.url.includes('?')) return next();
    // From the raw query string: the parsed `req.query` has already turned such bytes into U+FFFD.
    const rawQuery = req.url.slice(req.url.indexOf('?') + 1);
    const notUtf8 = nonUtf8QueryParameters(rawQuery);
    if (notUtf8.length > 0) return next(HttpProblem.validation(notUtf8.map((field) => ({ field, message: NOT_UTF8_MESSAGE }))));
    let unknown: string[] | undefined;
    for (const name in req.query) if (!declared.has(name)) (unknown ??= []).push(name);
    if (unknown) next(HttpProblem.validation(unknown.map((field) => ({ field, message }))));
    else next();
  };
}
