import { ValidateIf } from 'class-validator';

const NULLABLE = new WeakMap<object, Set<string>>();

/**
 * Marks a DTO property whose `null` is a value with a meaning (the spec declares it `[type, 'null']`,
 * e.g. an ERP document's `orderReference` when it names no order). Every other property refuses
 * `null`: class-validator's `@IsOptional` would let it through, but the contract says "leave the
 * field out", and `null` for an optional field is most often a client bug (see {@link nullFieldErrors}).
 * Skips the property's other validators when it is null.
 */
export function Nullable(): PropertyDecorator {
  return (target, propertyName) => {
    const own = NULLABLE.get(target.constructor) ?? new Set<string>();
    own.add(propertyName as string);
    NULLABLE.set(target.constructor, own);
    ValidateIf((_o, v) => v !== null)(target, propertyName);
  };
}

/** Whether `property` of instances of `ctor` (or of a class it extends) may be `null`. */
function isNullable(ctor: unknown, property: string): boolean {
  for (let c = ctor; typeof c === 'function' && c !== Object; c = Object.getPrototypeOf(c)) {
    if (NULLABLE.get(c)?.has(property)) return true;
  }
  return false;
}

/** What a `null` in a field that is not nullable is told, wherever it is found. */
export const NOT_NULL_MESSAGE = 'must not be null: leave the field out instead';

/**
 * Every `null` of a DTO instance (as `plainToInstance` built it, nested DTOs included) that is not on a
 * {@link Nullable} property, as `{ field, message }` with the field path of `validateDto`
 * (`items[0].tax_code`). Properties of plain objects that are not DTOs are not inspected.
 */
export function nullFieldErrors(instance: unknown, parent = ''): { field: string; message: string }[] {
  if (instance === null || typeof instance !== 'object') return [];
  const out: { field: string; message: string }[] = [];
  if (Array.isArray(instance)) {
    instance.forEach((element, i) => out.push(...nullFieldErrors(element, `${parent}[${i}]`)));
    return out;
  }
  if (Object.getPrototypeOf(instance) === Object.prototype) return out;
  for (const [key, value] of Object.entries(instance)) {
    const path = parent ? `${parent}.${key}` : key;
    if (value === null) {
      if (!isNullable(instance.constructor, key)) out.push({ field: path, message: NOT_NULL_MESSAGE });
    } else out.push(...nullFieldErrors(value, path));
  }
  return out;
}
