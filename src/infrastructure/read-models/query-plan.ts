/**
 * The portable query language of the read-model port, validated and normalised once for both
 * adapters: only declared index fields (and `_id`) may be filtered or sorted on, the sort always ends
 * with `_id` ascending so pagination is stable, and cursors carry the sort values of the last item.
 */
import {
  CollectionSpec,
  Filter,
  FindQuery,
  IndexValue,
  InvalidCursorError,
  InvalidQueryError,
  JsonObject,
  RangeFilter,
  SortField,
} from '../../application/ports/read-model-store.port';

export type Condition =
  | { field: string; multi: boolean; op: 'eq'; value: IndexValue }
  | { field: string; multi: boolean; op: 'in'; values: IndexValue[] }
  | { field: string; multi: boolean; op: 'range'; range: RangeFilter };

export interface QueryPlan {
  conditions: Condition[];
  /** Sort fields, ending with `_id` ascending. */
  sort: SortField[];
  /** Values of the sort fields of the last item of the previous page. */
  after?: IndexValue[];
  limit: number;
}

/** Names of collections must be safe as SQL identifiers and MongoDB collection names. */
export function assertCollectionName(name: string): void {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new InvalidQueryError(`Invalid collection name: ${name}`);
}

function fieldsOf(spec: CollectionSpec): { indexed: Set<string>; multi: Set<string> } {
  const indexed = new Set<string>(['_id']);
  const multi = new Set<string>();
  for (const index of spec.indexes) {
    for (const f of index.fields) {
      if (!/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/.test(f)) throw new InvalidQueryError(`Invalid index field: ${f}`);
      indexed.add(f);
    }
    for (const f of index.multi ?? []) multi.add(f);
  }
  return { indexed, multi };
}

const isScalar = (v: unknown): v is IndexValue => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Validates a filter against the collection's declared indexes. @throws InvalidQueryError */
export function planFilter(spec: CollectionSpec, filter: Filter = {}): Condition[] {
  const { indexed, multi } = fieldsOf(spec);
  const conditions: Condition[] = [];
  for (const [field, value] of Object.entries(filter)) {
    if (!indexed.has(field)) throw new InvalidQueryError(`Field ${field} of ${spec.name} is not indexed`);
    const isMulti = multi.has(field);
    if (isScalar(value)) {
      conditions.push({ field, multi: isMulti, op: 'eq', value });
    } else if (value && typeof value === 'object' && '$in' in value) {
      const values = [...value.$in];
      if (!values.every(isScalar)) throw new InvalidQueryError(`$in on ${field} takes strings or numbers`);
      conditions.push({ field, multi: isMulti, op: 'in', values });
    } else if (value && typeof value === 'object') {
      const range = value as RangeFilter;
      const keys = Object.keys(range);
      if (keys.length === 0 || !keys.every((k) => ['$gt', '$gte', '$lt', '$lte'].includes(k))) {
        throw new InvalidQueryError(`Unsupported operator on ${field}: ${keys.join(', ')}`);
      }
      if (!Object.values(range).every(isScalar)) throw new InvalidQueryError(`Range on ${field} takes strings or numbers`);
      conditions.push({ field, multi: isMulti, op: 'range', range });
    } else {
      throw new InvalidQueryError(`Unsupported filter value on ${field}`);
    }
  }
  return conditions;
}

/** Validates and normalises a page query. @throws InvalidQueryError */
export function planQuery(spec: CollectionSpec, query: FindQuery): QueryPlan {
  const { indexed, multi } = fieldsOf(spec);
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000) throw new InvalidQueryError('limit must be an integer 1–1000');
  const sort: SortField[] = [];
  for (const s of query.sort ?? []) {
    if (s.field === '_id') break;
    if (!indexed.has(s.field) || multi.has(s.field)) throw new InvalidQueryError(`Cannot sort ${spec.name} on ${s.field}`);
    if (s.type !== 'string' && s.type !== 'number') throw new InvalidQueryError(`Sort on ${s.field} names no type`);
    sort.push({ field: s.field, direction: s.direction === 'desc' ? 'desc' : 'asc', type: s.type });
  }
  sort.push({ field: '_id', direction: 'asc', type: 'string' });
  const plan: QueryPlan = { conditions: planFilter(spec, query.filter), sort, limit: query.limit };
  if (query.after !== undefined) plan.after = decodeCursor(query.after, sort);
  return plan;
}

/** Value at a dotted path of a document (`_id` is passed separately). */
export function valueAt(doc: JsonObject, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Cursor of the item a page ended on. */
export function encodeCursor(sort: readonly SortField[], id: string, doc: JsonObject): string {
  const values = sort.map((s) => (s.field === '_id' ? id : valueAt(doc, s.field)));
  for (const [i, v] of values.entries()) {
    if (!isScalar(v)) throw new InvalidQueryError(`Sort field ${sort[i]!.field} is missing on document ${id}`);
  }
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/**
 * The sort values a cursor of {@link encodeCursor} carries, checked against the query's sort: one
 * value per sort field (`_id` last), each of the field's declared type. The only place cursors of the
 * read-model lists are read, for both adapters.
 * @throws InvalidCursorError for anything else.
 */
function decodeCursor(cursor: string, sort: readonly SortField[]): IndexValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('Malformed cursor');
  }
  if (!Array.isArray(values) || values.length !== sort.length || !values.every((v, i) => isScalar(v) && typeof v === sort[i]!.type)) {
    throw new InvalidCursorError('The cursor does not belong to this query');
  }
  return values as IndexValue[];
}
