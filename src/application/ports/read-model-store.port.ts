/**
 * The read-model store port (DESIGN §3): collections of JSON documents keyed by `_id`, each carrying
 * the log position it reflects. Adapters: SQLite (embedded default) and MongoDB.
 *
 * Semantics every adapter honours (checked by `tests/contract/read-model-store.contract.ts`):
 * - **Position guard**: a write whose position is lower than the stored document's is skipped, so
 *   replays and redeliveries are harmless. A write at the same position replaces the document (a
 *   re-evaluation of the same log state, e.g. by the grace-window scheduler).
 * - **Atomic batches with checkpoints**: {@link ReadModelStore.commit} applies a batch of writes and
 *   then moves the named checkpoints; after a crash either the whole batch and its checkpoints are
 *   visible or, once the store is reopened, none of it is lost (SQLite: one transaction; MongoDB: a
 *   redo record written before the batch and replayed on open). Checkpoints never pass a write that
 *   is not durable.
 * - **Generations**: every checkpoint has a generation, bumped when a rebuild swaps collections in.
 *   A commit that names a stale generation is refused ({@link StaleGenerationError}) and writes nothing.
 * - **Compare-and-set checkpoints**: each checkpoint of a commit names the position its batch started
 *   from ({@link CheckpointMove.expectedPosition}); when the stored position is another one, a second
 *   writer (a second runner on the same store, e.g. an old process still serving during a restart)
 *   has moved it, the batch was computed on read models that are not the ones stored, and the commit
 *   is refused ({@link CheckpointMovedError}) and writes nothing. Aggregates that a batch adds to
 *   (period summaries) would otherwise count the same events twice.
 * - Positions are bigint in the API; adapters store them losslessly in an order-preserving encoding
 *   ({@link encodePosition}: 40-digit zero-padded decimal, enough for EventStoreDB's packed 128-bit
 *   positions).
 */

/** A JSON value as stored in a document. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A document body (without `_id`). Keys must not start with `$` nor contain `.`. */
export type JsonObject = { [key: string]: JsonValue };

/** A scalar that filters, sorts and cursors compare. */
export type IndexValue = string | number;

/**
 * An index over top-level (or dotted) document fields. Filters and sorts may use only indexed
 * fields, so every query an adapter serves is an index query. A `multi` field holds an array of
 * scalars; an equality or `$in` filter on it matches when any element matches (MongoDB multikey).
 * Sort fields must hold a scalar of one type (string or number) on every document.
 */
export interface IndexSpec {
  fields: readonly string[];
  /** Fields of this index that hold arrays of scalars. */
  multi?: readonly string[];
}

/** A collection and its indexes, declared by the projection that owns it. */
export interface CollectionSpec {
  name: string;
  indexes: readonly IndexSpec[];
}

/** A stored document with the log position it reflects. */
export interface StoredDocument<T extends JsonObject = JsonObject> {
  _id: string;
  position: bigint;
  doc: T;
}

/** One write of a batch. `position` is the log position the new document reflects. */
export type WriteOp =
  | { kind: 'upsert'; collection: string; id: string; position: bigint; doc: JsonObject }
  | { kind: 'delete'; collection: string; id: string; position: bigint };

/** Where a projection has got to in the log. */
export interface Checkpoint {
  name: string;
  position: bigint;
  /** Generation the writer read; a commit with an older generation is refused. */
  generation: number;
}

/**
 * A checkpoint as a commit moves it: from `expectedPosition` (where the writer last read or committed
 * it) to `position`, under `generation`. A commit that writes at an unchanged checkpoint (a
 * re-evaluation step) names the same position twice.
 */
export interface CheckpointMove extends Checkpoint {
  /** The stored position this batch was computed from; the commit is refused when it is another one. */
  expectedPosition: bigint;
}

/** A range filter. */
export interface RangeFilter {
  $gt?: IndexValue;
  $gte?: IndexValue;
  $lt?: IndexValue;
  $lte?: IndexValue;
}

/** Equality, `$in` or a range, per indexed field; fields are ANDed. */
export type Filter = Readonly<Record<string, IndexValue | { $in: readonly IndexValue[] } | RangeFilter>>;

export interface SortField {
  field: string;
  direction: 'asc' | 'desc';
  /**
   * What the field holds on every document (a sort field holds one scalar type). A cursor is checked
   * against it: one with a value of another type was not handed out by this query and is refused
   * ({@link InvalidCursorError}) rather than paging from wherever that value sorts.
   */
  type: 'string' | 'number';
}

/**
 * A page query. Results are ordered by `sort` then by `_id` ascending (a stable total order), and
 * `after` continues from the cursor of the previous page.
 */
export interface FindQuery {
  filter?: Filter;
  sort?: readonly SortField[];
  /** 1–1000. */
  limit: number;
  /** Opaque cursor from {@link Page.next} of the same query (filter and sort). */
  after?: string;
}

export interface Page<T extends JsonObject = JsonObject> {
  items: StoredDocument<T>[];
  /** Cursor of the next page; absent on the last page. */
  next?: string;
}

/** An event a projection could not apply, kept with the error. */
export interface DeadLetter {
  projection: string;
  position: bigint;
  eventId: string;
  eventType: string;
  streamId: string;
  error: string;
  /** When the runner gave up on the event (ISO-8601). */
  failedAt: string;
}

/** What a commit did. */
export interface CommitResult {
  /** Writes applied. */
  applied: number;
  /** Writes skipped because the stored document reflects a later position. */
  skipped: number;
}

/** Thrown by a commit whose checkpoint generation is no longer current (a rebuild swapped in). */
export class StaleGenerationError extends Error {
  override readonly name = 'StaleGenerationError';
  constructor(
    readonly checkpoint: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Checkpoint ${checkpoint} is at generation ${actual}, the writer expected ${expected}`);
  }
}

/**
 * Thrown by a commit whose checkpoint is no longer at the position the batch started from: another
 * writer committed past it meanwhile, so this batch's writes were computed on read models that have
 * since changed. The writer restarts from the stored checkpoint.
 */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
  constructor(
    readonly checkpoint: string,
    readonly expected: bigint,
    readonly actual: bigint,
  ) {
    super(`Checkpoint ${checkpoint} is at position ${String(actual)}, the writer expected ${String(expected)}: another writer moved it`);
  }
}

/** Thrown for a filter or sort on an undeclared field, a bad cursor, or an unknown collection. */
export class InvalidQueryError extends Error {
  override readonly name: string = 'InvalidQueryError';
}

/**
 * Thrown for a cursor this query did not hand out: not one of ours at all, or one whose values do not
 * fit the query's sort (too many or too few, or of another {@link SortField.type}). The caller's
 * input, unlike the other {@link InvalidQueryError}s, which are the query author's mistakes.
 */
export class InvalidCursorError extends InvalidQueryError {
  override readonly name = 'InvalidCursorError';
}

/** The read-model store. */
export interface ReadModelStore {
  /** Adapter in use, for `/v1/health`: `sqlite` or `mongodb`. */
  readonly kind: string;

  /**
   * Declares collections and creates their indexes (idempotent). Called once at start-up, before any
   * other call naming those collections; also completes a batch interrupted by a crash.
   */
  ensureCollections(specs: readonly CollectionSpec[]): Promise<void>;

  /**
   * Applies `writes` with the position guard, then moves `checkpoints` from their expected positions
   * (see module docs). The generation is checked first, then the position.
   * @throws StaleGenerationError when a checkpoint's generation is not the stored one (nothing written).
   * @throws CheckpointMovedError when a checkpoint's stored position is not its `expectedPosition`
   *   (nothing written).
   */
  commit(writes: readonly WriteOp[], checkpoints?: readonly CheckpointMove[]): Promise<CommitResult>;

  get<T extends JsonObject = JsonObject>(collection: string, id: string): Promise<StoredDocument<T> | undefined>;

  /** Documents by id (missing ids are absent from the map). */
  getMany<T extends JsonObject = JsonObject>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>>;

  /** @throws InvalidQueryError for undeclared fields; InvalidCursorError for a cursor this query did not hand out. */
  find<T extends JsonObject = JsonObject>(collection: string, query: FindQuery): Promise<Page<T>>;

  /** @throws InvalidQueryError for undeclared fields. */
  count(collection: string, filter?: Filter): Promise<number>;

  /** Every document in `_id` order, lazily (rebuild comparisons, snapshots). */
  scan<T extends JsonObject = JsonObject>(collection: string): AsyncIterable<StoredDocument<T>>;

  /** The stored checkpoint, or a fresh one at `0n` generation `0`. */
  getCheckpoint(name: string): Promise<Checkpoint>;

  /** Records an event a projection could not apply (idempotent per projection and position). */
  addDeadLetter(deadLetter: DeadLetter): Promise<void>;

  /** Dead letters, oldest first. */
  listDeadLetters(projection?: string): Promise<DeadLetter[]>;

  /**
   * Drops and re-creates the shadow of each collection (`<name>__shadow`, same indexes) and the
   * shadow checkpoint; a rebuild then writes into them by name ({@link shadowName}).
   */
  prepareShadow(collections: readonly string[], checkpoint: string): Promise<void>;

  /**
   * Replaces each live collection by its shadow, sets the live checkpoint to the shadow's position
   * and bumps its generation, so a runner still writing under the old generation restarts from the
   * new checkpoint. All or nothing: SQLite in one transaction; MongoDB records the swap first and
   * completes an interrupted one when the store is opened again (one `renameCollection` with
   * `dropTarget` per collection, so readers see old or new documents, one collection at a time).
   */
  swapShadow(collections: readonly string[], checkpoint: string): Promise<Checkpoint>;

  /** Answers whether the store is reachable. Never throws. */
  ping(): Promise<{ ok: boolean; detail?: string }>;

  close(): Promise<void>;
}

/** Name of a collection's (or checkpoint's) rebuild shadow. */
export const shadowName = (name: string): string => `${name}__shadow`;

/** Width of an encoded position: 2^128 has 39 digits. */
export const POSITION_DIGITS = 40;

/**
 * Lossless, order-preserving text form of a log position: 40-digit zero-padded decimal. The SQLite
 * stores keep positions in this form because EventStoreDB's (`commit << 64 | prepare`) exceed
 * SQLite's signed 64-bit integers; as text they still sort and compare as the numbers do.
 * @throws RangeError for a negative position or one of more than 40 digits.
 */
export function encodePosition(position: bigint): string {
  if (position < 0n) throw new RangeError(`A log position is never negative: ${String(position)}`);
  const s = position.toString(10);
  if (s.length > POSITION_DIGITS) throw new RangeError(`Log position too large: ${s}`);
  return s.padStart(POSITION_DIGITS, '0');
}

/** Inverse of {@link encodePosition}. */
export function decodePosition(encoded: string): bigint {
  return BigInt(encoded);
}
