import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validate } from 'class-validator';
import type { Request, RequestHandler } from 'express';
import { NOT_NULL_MESSAGE, nullFieldErrors } from './dto/nullable.validators';
import { FieldError, HttpProblem } from './problem-details';

/**
 * class-validator's type checks: a value of the wrong type fails its range and length constraints
 * too (`"0"` for an integer is "not an integer", "greater than …" and "less than 0" at once), which
 * say nothing about it, so only the type is named.
 */
const TYPE_CONSTRAINTS = new Set(['isInt', 'isNumber', 'isString', 'isBoolean', 'isArray', 'isObject']);

/**
 * Flattens class-validator errors into `field` paths like `refund_items[0].amount`, one message per
 * fault: a field that is missing (optional fields never fail when absent) is named once, `is
 * required`, rather than with every constraint its absence fails (`must be a string`, `must be
 * longer than…`, `must not be blank`); a `null` once, {@link NOT_NULL_MESSAGE}; a value of the wrong
 * type with its type constraint alone ({@link TYPE_CONSTRAINTS}).
 */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const key = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const path = parent ? (key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`) : key;
    const all = error.constraints ?? {};
    const constraints = Object.values(all);
    if (error.value === undefined && constraints.length > 0 && path !== '') {
      out.push({ field: path, message: 'is required' });
      continue;
    }
    if (error.value === null && constraints.length > 0 && path !== '') {
      out.push({ field: path, message: NOT_NULL_MESSAGE });
      continue;
    }
    const typeFaults = Object.entries(all).filter(([name]) => TYPE_CONSTRAINTS.has(name));
    for (const message of typeFaults.length > 0 ? typeFaults.map(([, m]) => m) : constraints) {
      out.push({ field: path || 'body', message: message.replace(/^property /, '') });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

/**
 * Turns a parsed JSON body into a validated DTO instance (HOUSE-STYLE: `plainToInstance` +
 * `validate` with whitelist, `forbidNonWhitelisted`, `forbidUnknownValues`). Nested DTOs must carry
 * `@ValidateNested()` and `@Type(() => Dto)`. `null` is refused for every field not marked
 * `@Nullable()` (also where `@IsOptional()` would let it through), naming the field.
 * @throws HttpProblem 400 with one entry per invalid field.
 */
export async function validateDto<T extends object>(dto: ClassConstructor<T>, body: unknown, what = 'body'): Promise<T> {
  const { instance, errors } = await dtoFieldErrors(dto, body, what);
  if (errors.length > 0) throw HttpProblem.validation(errors);
  return instance;
}

/**
 * {@link validateDto} without the throw for invalid fields: the instance (valid only when `errors` is
 * empty) and one entry per invalid field, for a controller that adds checks of its own to the same 400.
 * @throws HttpProblem 400 when `body` is not a JSON object.
 */
export async function dtoFieldErrors<T extends object>(dto: ClassConstructor<T>, body: unknown, what = 'body'): Promise<{ instance: T; errors: FieldError[] }> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw HttpProblem.validation([{ field: what, message: 'must be a JSON object' }]);
  }
  const instance = plainToInstance(dto, body, { enableImplicitConversion: false, exposeDefaultValues: true });
  const nulls = nullFieldErrors(instance);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const fields = flattenValidationErrors(errors);
  // A required field's own validators already name a null; add the ones `@IsOptional` let through.
  const extra = nulls.filter((n) => !fields.some((f) => f.field === n.field));
  return { instance, errors: [...hiddenKeyErrors(body), ...fields, ...extra] };
}

/** What a query parameter given more than once is told (`?limit=1&limit=2`). */
export const GIVEN_ONCE = 'must be given once';

/**
 * The query parameters of a request split by how often they were given: `values` holds each one given
 * once (name → value), `repeated` names each one given more than once (the `simple` query parser makes
 * those arrays, e.g. `?period=2025-01&period=2025-02`), in query order. No route guesses which of two
 * values was meant: every route that reads query parameters goes through this (directly, or through
 * {@link queryParam}, {@link validateQuery} or `queryOf`) and answers a repeated one with 400
 * {@link GIVEN_ONCE}.
 */
export function queryParamsOnce(req: Pick<Request, 'query'>): { values: Record<string, string>; repeated: string[] } {
  const values: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [name, value] of Object.entries(req.query)) {
    if (typeof value === 'string') values[name] = value;
    else repeated.push(name);
  }
  return { values, repeated };
}

/**
 * One query parameter read by hand: its value, or undefined when absent.
 * @throws HttpProblem 400 naming `name` ({@link GIVEN_ONCE}) when it is given more than once.
 */
export function queryParam(req: Pick<Request, 'query'>, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw HttpProblem.validation([{ field: name, message: GIVEN_ONCE }]);
}

/** What a value outside `values` is told (`must be one of pending, sent, failed`); the field is named in `errors[].field`. */
export const oneOfMessage = (values: readonly string[]): string => `must be one of ${values.join(', ')}`;

/**
 * {@link validateDto} for a request's query string: the query DTO's checks, and {@link GIVEN_ONCE}
 * for a known parameter given more than once, all in one 400, in query order. Messages do not repeat
 * the parameter's name, which `errors[].field` gives (class-validator's `orderId must be shorter…`
 * is `must be shorter…`), as on the routes that read their parameters with `queryOf`. A parameter the
 * operation does not declare is refused before this by the route's guard
 * (`refuseUndeclaredQueryParameters`); one the DTO lacks is still refused here (`should not exist`).
 * @throws HttpProblem 400 with one entry per invalid or repeated parameter.
 */
export async function validateQuery<T extends object>(dto: ClassConstructor<T>, req: Pick<Request, 'query'>): Promise<T> {
  const { values, repeated } = queryParamsOnce(req);
  // A repeated parameter is validated with an empty value only to learn whether the DTO knows it at all.
  const { instance, errors } = await dtoFieldErrors(dto, { ...values, ...Object.fromEntries(repeated.map((name) => [name, ''])) }, 'query');
  const unknown = (name: string) => errors.some((e) => e.field === name && e.message === `${name} should not exist`);
  const out = [...errors.filter((e) => !repeated.includes(e.field) || unknown(e.field)), ...repeated.filter((name) => !unknown(name)).map((field) => ({ field, message: GIVEN_ONCE }))].map((e) =>
    e.message.startsWith(`${e.field} `) ? { field: e.field, message: e.message.slice(e.field.length + 1) } : e,
  );
  // In query order, as `queryOf` lists them (a stable sort keeps each field's own messages in order).
  const order = Object.keys(req.query);
  out.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
  if (out.length > 0) throw HttpProblem.validation(out);
  return instance;
}

/** Keys that class-transformer skips without a word (prototype-pollution guard), so whitelisting never sees them. */
const HIDDEN_KEYS = new Set(['__proto__', 'constructor']);

/**
 * Names every `__proto__` or `constructor` key of a parsed JSON body, at any depth, as a field that
 * should not exist (the same message whitelisting gives any other unknown field). `JSON.parse` makes
 * them ordinary own keys, but `plainToInstance` drops them silently, so without this a request
 * carrying one would be taken with that part of it ignored.
 */
export function hiddenKeyErrors(value: unknown, path = ''): FieldError[] {
  if (value === null || typeof value !== 'object') return [];
  const out: FieldError[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...hiddenKeyErrors(item, `${path}[${i}]`)));
    return out;
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (HIDDEN_KEYS.has(key)) out.push({ field, message: `${key} should not exist` });
    else out.push(...hiddenKeyErrors((value as Record<string, unknown>)[key], field));
  }
  return out;
}

/** Rejects write requests whose body is not of one of the given media types (415). */
export function requireContentType(...types: string[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.is(types)) {
      next(
        new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Send the body as ${types.join(' or ')}.`, {
          errors: [{ field: 'Content-Type', message: `must be ${types.join(' or ')}` }],
        }),
      );
      return;
    }
    next();
  };
}

/** For routes whose body is optional: a body, when one is sent, must be JSON (415 otherwise). */
export const optionalJsonBody: RequestHandler = (req, res, next) => {
  const length = req.headers['content-length'];
  if ((length !== undefined && length !== '0') || req.headers['transfer-encoding']) requireContentType('application/json')(req, res, next);
  else next();
};

/** The body of a route with an optional body: an absent (empty) body counts as `{}`. */
export const optionalBody = (req: { body?: unknown; rawBody?: Buffer }): unknown => (req.body === undefined || (req.rawBody?.length ?? 0) === 0 ? {} : req.body);
