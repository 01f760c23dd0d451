/**
 * What an audit replay reports when its recomputed close snapshot does not hash like the stored one
 * (DESIGN §7): the itemised differences between the two documents, as JSON paths.
 */

/** One itemised difference between two JSON documents: its JSON path and both values (absent = undefined). */
export interface SnapshotDifference {
  path: string;
  expected?: unknown;
  actual?: unknown;
}

/**
 * Differences between two JSON values, as JSON paths (`$.totals.erp.EUR.items.gross`,
 * `$.openExceptions[3].ageSeconds`), at most `limit` of them, in document order. Arrays of objects
 * with an `exceptionId` are matched by id (`$.openExceptions[id=…]`), so one missing exception is
 * one difference, not a shift of every later element.
 */
export function diffJson(expected: unknown, actual: unknown, limit = 100): SnapshotDifference[] {
  const out: SnapshotDifference[] = [];
  walk(expected, actual, '$', out, limit);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(a: unknown, b: unknown, path: string, out: SnapshotDifference[], limit: number): void {
  if (out.length >= limit) return;
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, out, limit);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const keyed = (xs: unknown[]) => xs.every((x) => isObject(x) && typeof x.exceptionId === 'string');
    if (keyed(a) && keyed(b)) {
      const index = (xs: unknown[]) => new Map(xs.map((x) => [(x as { exceptionId: string }).exceptionId, x]));
      const ia = index(a);
      const ib = index(b);
      for (const id of [...new Set([...ia.keys(), ...ib.keys()])].sort()) walk(ia.get(id), ib.get(id), `${path}[exceptionId=${JSON.stringify(id)}]`, out, limit);
      return;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, out, limit);
    return;
  }
  if (a === b) return;
  const d: SnapshotDifference = { path };
  if (a !== undefined) d.expected = a;
  if (b !== undefined) d.actual = b;
  out.push(d);
}
