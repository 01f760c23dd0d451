/**
 * What a document is stored as, built in one pass: `sortedJsonCopy(v)` equals
 * `JSON.parse(JSON.stringify(v))` with every object's keys sorted — JSON's rules (`toJSON`, members
 * that are `undefined`, functions or symbols left out of objects and `null` in arrays, non-finite
 * numbers as `null`, -0 as 0, boxed primitives unboxed) and keys sorted at every level — without
 * writing the JSON text and parsing it back. The reconciliation projection copies every order's
 * findings, totals and export state this way (the round trip and the sort were three copies).
 * @throws TypeError for a bigint, as `JSON.stringify` does (a cycle overflows the stack: RangeError).
 */
export function sortedJsonCopy(value: unknown): unknown {
  const copy = jsonValue(value, '');
  return copy === OMIT ? undefined : copy;
}

const OMIT = Symbol('omit');

function jsonValue(input: unknown, key: string): unknown {
  let value = input;
  if ((typeof value === 'object' && value !== null) || typeof value === 'function' || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as (k: string) => unknown).call(value, key);
  }
  if (typeof value === 'object' && value !== null) {
    if (value instanceof Number) value = Number(value);
    else if (value instanceof String) value = String(value);
    else if (value instanceof Boolean || value instanceof BigInt) value = value.valueOf();
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const v = jsonValue(value[i], String(i));
          out[i] = v === OMIT ? null : v;
        }
        return out;
      }
      const o = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o).sort()) {
        const v = jsonValue(o[k], k);
        if (v !== OMIT) out[k] = v;
      }
      return out;
    }
    default:
      return OMIT; // undefined, a function, a symbol
  }
}
