import { randomUUID } from 'node:crypto';
import { AnyBulkWriteOperation, Db, Document, MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import {
  Checkpoint,
  CheckpointMove,
  CheckpointMovedError,
  CollectionSpec,
  CommitResult,
  DeadLetter,
  Filter,
  FindQuery,
  InvalidQueryError,
  JsonObject,
  Page,
  ReadModelStore,
  StaleGenerationError,
  StoredDocument,
  WriteOp,
  decodePosition,
  encodePosition,
  shadowName,
} from '../../../application/ports/read-model-store.port';
import { assertCollectionName, Condition, encodeCursor, planFilter, planQuery } from '../query-plan';

/** Field holding the encoded position of a document. */
const POS = '_p';
/** Field holding the document body, so one `$set` replaces it whole (FerretDB v1 is slow on `replaceOne`). */
const BODY = 'd';
/**
 * Writes per bulk call. FerretDB v1 (SQLite backend) slows down quadratically with the size of an
 * update bulk; 50 keeps it linear there and costs MongoDB little.
 */
const BULK_CHUNK = 50;
const SPECS = 'rm_meta_collections';
const CHECKPOINTS = 'rm_meta_checkpoints';
const DEAD_LETTERS = 'rm_meta_dead_letters';
const REDO = 'rm_meta_redo';
/** Shadow swaps begun and not yet completed ({@link SwapIntent}). */
const SWAPS = 'rm_meta_swaps';
/** MongoDB's `NotImplemented` error code: FerretDB v1 answers it to `renameCollection` with `dropTarget`. */
const NOT_IMPLEMENTED = 238;
/** Redo chunks stay well under MongoDB's 16 MiB document limit. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * How long a checkpoint claim may stand before another writer takes it over, ms: far above a
 * commit's duration (a batch of 500 events on FerretDB takes well under a second).
 */
const CLAIM_TIMEOUT_MS = 30_000;
/** Claims on checkpoint moves ({@link ClaimDoc}). */
const CLAIMS = 'rm_meta_checkpoint_claims';

interface CheckpointDoc {
  _id: string;
  position: string;
  generation: number;
}

/**
 * A writer's claim to move checkpoint `checkpoint` from position `from` (encoded) under a generation:
 * `_id` is {@link claimId}, unique, so a single insert decides between two writers starting from one
 * position (atomic on MongoDB and on FerretDB alike).
 */
interface ClaimDoc {
  _id: string;
  checkpoint: string;
  from: string;
  to: string;
  commitId: string;
  claimedAt: Date;
}

const claimId = (checkpoint: string, generation: number, from: string) => `${checkpoint}@${generation}@${from}`;

/** A checkpoint move as a redo record keeps it: positions encoded ({@link encodePosition}). */
interface RedoCheckpoint {
  name: string;
  position: string;
  generation: number;
  /** Where the batch found the checkpoint; absent in records written before moves were compared. */
  expectedPosition?: string;
}

interface RedoCommit {
  _id: string;
  kind: 'commit';
  chunks: number;
  checkpoints: RedoCheckpoint[];
  createdAt: Date;
}

interface RedoChunk {
  _id: string;
  kind: 'chunk';
  commitId: string;
  ops: string;
}

/**
 * A shadow swap in progress, recorded before its first rename (`_id` = the live checkpoint's name):
 * what it replaces and the live checkpoint it ends with, both fixed when it began. Completing it
 * again after a crash therefore gives the same result: renaming what is still a shadow, then
 * setting the checkpoint to `position` and `generation`.
 */
interface SwapIntent {
  _id: string;
  collections: string[];
  /** Encoded position of the shadow checkpoint when the swap began. */
  position: string;
  /** The live checkpoint's generation after the swap (one above the one before it). */
  generation: number;
  createdAt: Date;
}

/** A stored document: string ids, any fields. */
interface RawDoc {
  _id: string;
  [key: string]: unknown;
}

type WireOp = [kind: 'u' | 'd', collection: string, id: string, position: string, doc?: JsonObject];

/**
 * MongoDB read models (DESIGN §3), also run against FerretDB v1 in CI, so it uses plain CRUD,
 * indexes and unordered `bulkWrite` only — no transactions, no change streams, no aggregation.
 *
 * - Documents are stored flat with their encoded position in `_p`; an upsert is a `replaceOne`
 *   filtered on `{_id, _p ≤ position}` with `upsert: true`. When a newer document exists the filter
 *   misses and the implied insert fails with E11000; E11000 also answers two writers racing to insert
 *   the same id. Both are retried as a plain guarded update, which then applies or is skipped.
 * - Batches are made atomic without transactions by a redo record: the batch's writes are saved in
 *   `rm_meta_redo` chunks, then one commit document (a single-document write is atomic), then the
 *   writes, then the checkpoints; the record is removed last. `ensureCollections` replays a commit
 *   document left behind by a crash, so a batch is either wholly absent (no commit document, the
 *   checkpoint did not move) or completed on restart.
 * - Checkpoint moves are compare-and-set by a claim document inserted before the redo record (see
 *   `commit`): of two writers starting from one position (two runners on one database), one moves
 *   the checkpoint and the other is refused before it writes anything.
 */
export class MongoReadModelStore implements ReadModelStore {
  readonly kind = 'mongodb';
  private readonly specs = new Map<string, CollectionSpec>();
  private closed = false;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  /** A store on `uri`/`database`. The driver connects lazily on first use. */
  static fromUri(uri: string, database: string): MongoReadModelStore {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, ignoreUndefined: true });
    return new MongoReadModelStore(client, client.db(database));
  }

  async ensureCollections(specs: readonly CollectionSpec[]): Promise<void> {
    for (const spec of specs) await this.createCollection(spec.name, spec);
    await this.recover();
  }

  private async createCollection(name: string, spec: CollectionSpec): Promise<void> {
    assertCollectionName(name);
    const existing = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    if (!existing.has(name)) {
      try {
        await this.db.createCollection(name);
      } catch (err) {
        if (!(err instanceof MongoServerError && err.code === 48)) throw err; // NamespaceExists: created concurrently
      }
    }
    const coll = this.db.collection(name);
    for (const index of spec.indexes) {
      await coll.createIndex(Object.fromEntries(index.fields.map((f) => [path(f), 1])));
    }
    await this.db.collection<{ _id: string; spec: string }>(SPECS).replaceOne({ _id: name }, { spec: JSON.stringify({ ...spec, name }) }, { upsert: true });
    this.specs.set(name, { ...spec, name });
  }

  private async spec(collection: string): Promise<CollectionSpec> {
    let spec = this.specs.get(collection);
    if (!spec) {
      const row = await this.db.collection<{ _id: string; spec: string }>(SPECS).findOne({ _id: collection });
      if (!row) throw new InvalidQueryError(`Unknown collection: ${collection}`);
      spec = JSON.parse(row.spec) as CollectionSpec;
      this.specs.set(collection, spec);
    }
    return spec;
  }

  /** Completes batches whose commit document was written but whose writes may not all be, then interrupted shadow swaps. */
  private async recover(): Promise<void> {
    const redo = this.db.collection<RedoCommit | RedoChunk>(REDO);
    const commits = (await redo.find({ kind: 'commit' }).sort({ createdAt: 1 }).toArray()) as RedoCommit[];
    for (const c of commits) await this.completeCommit(c);
    // Chunks without a commit document belong to batches that never committed.
    const orphans = await redo.find({ kind: 'chunk' }).project<{ commitId: string }>({ commitId: 1 }).toArray();
    const live = new Set((await redo.find({ kind: 'commit' }).project<{ _id: string }>({ _id: 1 }).toArray()).map((c) => c._id));
    const stale = [...new Set(orphans.map((o) => o.commitId))].filter((id) => !live.has(id));
    if (stale.length > 0) await redo.deleteMany({ kind: 'chunk', commitId: { $in: stale } });
    for (const claim of await this.db.collection<ClaimDoc>(CLAIMS).find({}).toArray()) await this.takeOverStaleClaim(claim);
    await this.completeRecordedSwaps();
  }

  /**
   * Completes (or drops) the batch of a redo commit document, then removes the record. Where its
   * checkpoints are decides: all still where it found them under its claims — the writes may be
   * partial: replay them, then move the checkpoints; some already at its targets — the writes are
   * complete: move the rest; any elsewhere (a rebuild swapped in, or its claim was taken over) —
   * its writes are not replayed.
   */
  private async completeCommit(c: RedoCommit): Promise<void> {
    const redo = this.db.collection<RedoCommit | RedoChunk>(REDO);
    const cps = this.db.collection<CheckpointDoc>(CHECKPOINTS);
    const claims = this.db.collection<ClaimDoc>(CLAIMS);
    const chunks = (await redo.find({ kind: 'chunk', commitId: c._id }).toArray()) as RedoChunk[];
    if (chunks.length === c.chunks) {
      const replay = async () => {
        const ops = chunks.sort((a, b) => (a._id < b._id ? -1 : 1)).flatMap((ch) => JSON.parse(ch.ops) as WireOp[]);
        await this.applyWrites(ops.map(fromWire));
      };
      if (c.checkpoints.some((cp) => cp.expectedPosition === undefined)) {
        await replay();
        for (const cp of c.checkpoints) await this.moveLegacyCheckpoint(cp);
      } else {
        const states = await Promise.all(
          c.checkpoints.map(async (cp) => {
            const stored = await cps.findOne({ _id: cp.name });
            const position = stored?.position ?? encodePosition(0n);
            if ((stored?.generation ?? 0) !== cp.generation) return 'elsewhere' as const;
            const owned = (await claims.findOne({ _id: claimId(cp.name, cp.generation, cp.expectedPosition!) }))?.commitId === c._id;
            if (position === cp.expectedPosition && owned) return 'claimed' as const;
            return position === cp.position && cp.position !== cp.expectedPosition ? ('moved' as const) : ('elsewhere' as const);
          }),
        );
        if (!states.includes('elsewhere')) {
          if (states.every((s) => s === 'claimed')) await replay();
          for (const [i, cp] of c.checkpoints.entries()) if (states[i] === 'claimed') await this.moveCheckpoint(cp.name, cp.generation, cp.expectedPosition!, cp.position);
        }
      }
      await this.settleClaims(c._id, c.checkpoints);
    }
    await redo.deleteMany({ commitId: c._id });
    await redo.deleteOne({ _id: c._id });
  }

  /**
   * A claim older than {@link CLAIM_TIMEOUT_MS} whose checkpoint has not moved belongs to a writer
   * that stopped in the middle of a commit (a crash, a lost connection): its batch is completed from
   * its redo record when that was written, else the claim is dropped (nothing of the batch was written).
   */
  private async takeOverStaleClaim(claim: ClaimDoc): Promise<void> {
    if (Date.now() - claim.claimedAt.getTime() < CLAIM_TIMEOUT_MS) return;
    const record = (await this.db.collection<RedoCommit | RedoChunk>(REDO).findOne({ _id: claim.commitId, kind: 'commit' })) as RedoCommit | null;
    if (record) await this.completeCommit(record);
    else await this.db.collection<ClaimDoc>(CLAIMS).deleteOne({ _id: claim._id, commitId: claim.commitId });
  }

  /**
   * After a commit: drops its claims on checkpoints it left where they were (a later commit starts
   * from there again) and every claim on older positions of the checkpoints it moved. The claim on
   * the position it moved from stays, so a writer still starting from there is refused.
   */
  private async settleClaims(commitId: string, checkpoints: readonly RedoCheckpoint[]): Promise<void> {
    const claims = this.db.collection<ClaimDoc>(CLAIMS);
    for (const cp of checkpoints) {
      if (cp.expectedPosition === undefined) continue;
      if (cp.position === cp.expectedPosition) await claims.deleteOne({ _id: claimId(cp.name, cp.generation, cp.expectedPosition), commitId });
      else await claims.deleteMany({ checkpoint: cp.name, from: { $lt: cp.expectedPosition } });
    }
  }

  /**
   * Compare-and-set without transactions: each checkpoint's generation and position are compared,
   * then the move from that position is claimed by inserting a claim document whose `_id` is the
   * checkpoint, generation and position (a unique key: of two writers starting from one position
   * only one can insert it), and compared again; all of it before the redo record is written, so a
   * refused writer writes nothing. Then the redo record, the writes and the moves. A claim that
   * outlives a crashed writer is taken over after {@link CLAIM_TIMEOUT_MS} (or when the store is
   * opened again).
   */
  async commit(writes: readonly WriteOp[], checkpoints: readonly CheckpointMove[] = []): Promise<CommitResult> {
    this.assertOpen();
    await this.compareCheckpoints(checkpoints);
    if (checkpoints.length === 0) return this.applyWrites(writes);
    const commitId = `${Date.now().toString(36)}-${randomUUID()}`;
    const moves: RedoCheckpoint[] = checkpoints.map((c) => ({ name: c.name, position: encodePosition(c.position), generation: c.generation, expectedPosition: encodePosition(c.expectedPosition) }));
    const claims = this.db.collection<ClaimDoc>(CLAIMS);
    const mine: string[] = [];
    try {
      for (const [i, c] of checkpoints.entries()) {
        const claim: ClaimDoc = { _id: claimId(c.name, c.generation, moves[i]!.expectedPosition!), checkpoint: c.name, from: moves[i]!.expectedPosition!, to: moves[i]!.position, commitId, claimedAt: new Date() };
        try {
          await claims.insertOne(claim);
          mine.push(claim._id);
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          const held = await claims.findOne({ _id: claim._id });
          if (held) await this.takeOverStaleClaim(held);
          const stored = await this.db.collection<CheckpointDoc>(CHECKPOINTS).findOne({ _id: c.name });
          throw new CheckpointMovedError(c.name, c.expectedPosition, stored ? decodePosition(stored.position) : 0n);
        }
      }
      // Another writer may have moved a checkpoint between the comparison and the claim.
      await this.compareCheckpoints(checkpoints);
    } catch (err) {
      if (mine.length > 0) await claims.deleteMany({ _id: { $in: mine }, commitId });
      throw err;
    }
    const redo = this.db.collection<RedoCommit | RedoChunk>(REDO);
    const chunks = chunkOps(writes.map(toWire)).map((ops, i): RedoChunk => ({ _id: `${commitId}:${String(i).padStart(6, '0')}`, kind: 'chunk', commitId, ops }));
    if (chunks.length > 0) await redo.insertMany(chunks, { ordered: false });
    await redo.insertOne({ _id: commitId, kind: 'commit', chunks: chunks.length, checkpoints: moves, createdAt: new Date() });
    const result = await this.applyWrites(writes);
    try {
      for (const m of moves) await this.moveCheckpoint(m.name, m.generation, m.expectedPosition!, m.position);
    } catch (err) {
      // Only a rebuild swapping in (a new generation) gets here: this batch must not move the checkpoint, on a restart neither.
      if (err instanceof StaleGenerationError || err instanceof CheckpointMovedError) {
        await redo.deleteMany({ commitId });
        await redo.deleteOne({ _id: commitId });
        await claims.deleteMany({ commitId });
      }
      throw err;
    }
    await this.settleClaims(commitId, moves);
    await redo.deleteMany({ commitId });
    await redo.deleteOne({ _id: commitId });
    return result;
  }

  /**
   * @throws StaleGenerationError when a checkpoint's stored generation is not the one given;
   *   CheckpointMovedError when its stored position is not the expected one.
   */
  private async compareCheckpoints(checkpoints: readonly CheckpointMove[]): Promise<void> {
    const cps = this.db.collection<CheckpointDoc>(CHECKPOINTS);
    for (const c of checkpoints) {
      const stored = await cps.findOne({ _id: c.name });
      const generation = stored?.generation ?? 0;
      if (generation !== c.generation) throw new StaleGenerationError(c.name, c.generation, generation);
      const position = stored ? decodePosition(stored.position) : 0n;
      if (position !== c.expectedPosition) throw new CheckpointMovedError(c.name, c.expectedPosition, position);
    }
  }

  /**
   * Moves checkpoint `name` from `expected` to `position` (both encoded) under `generation`; the
   * caller holds the claim on `expected`, so no other writer moves it from there.
   * @throws StaleGenerationError / CheckpointMovedError when it is not there (a rebuild swapped in).
   */
  private async moveCheckpoint(name: string, generation: number, expected: string, position: string): Promise<void> {
    const cps = this.db.collection<CheckpointDoc>(CHECKPOINTS);
    const zero = encodePosition(0n);
    if (expected === position) {
      const stored = await cps.findOne({ _id: name });
      if ((stored?.generation ?? 0) === generation && (stored?.position ?? zero) === position) return;
    } else {
      const updated = await cps.updateOne({ _id: name, generation, position: expected }, { $set: { position } });
      if (updated.matchedCount === 1) return;
      if (generation === 0 && expected === zero) {
        try {
          await cps.insertOne({ _id: name, position, generation: 0 });
          return;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
    }
    const stored = await cps.findOne({ _id: name });
    if ((stored?.generation ?? 0) !== generation) throw new StaleGenerationError(name, generation, stored?.generation ?? 0);
    throw new CheckpointMovedError(name, decodePosition(expected), stored ? decodePosition(stored.position) : 0n);
  }

  /** Replays a redo record's checkpoint written before moves were compared: never moves it back. */
  private async moveLegacyCheckpoint(cp: RedoCheckpoint): Promise<void> {
    try {
      await this.db.collection<CheckpointDoc>(CHECKPOINTS).updateOne(
        { _id: cp.name, generation: cp.generation, position: { $lte: cp.position } },
        { $set: { position: cp.position } },
        { upsert: cp.generation === 0 },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // the checkpoint moved on or changed generation
    }
  }

  /**
   * Applies writes with the position guard, per collection, in unordered bulks of
   * {@link BULK_CHUNK}: ids not stored yet are inserted (E11000 from a racing insert is retried as a
   * guarded update), stored ones updated with the guard `{_id, _p ≤ position}`, deletes likewise.
   */
  private async applyWrites(writes: readonly WriteOp[]): Promise<CommitResult> {
    const byCollection = new Map<string, Map<string, WriteOp>>();
    for (const w of writes) {
      const ops = byCollection.get(w.collection) ?? new Map<string, WriteOp>();
      const prior = ops.get(w.id);
      if (!prior || prior.position <= w.position) ops.set(w.id, w);
      byCollection.set(w.collection, ops);
    }
    let applied = 0;
    for (const [name, ops] of byCollection) {
      const coll = this.db.collection<RawDoc>(name);
      const stored = new Map<string, string>();
      for (const ids of chunk([...ops.keys()], 500)) {
        for (const r of await coll.find({ _id: { $in: ids } }).project<{ _id: string; _p: string }>({ [POS]: 1 }).toArray()) stored.set(r._id, r._p);
      }
      const inserts: RawDoc[] = [];
      const guarded: AnyBulkWriteOperation<RawDoc>[] = [];
      for (const w of ops.values()) {
        const position = encodePosition(w.position);
        const current = stored.get(w.id);
        if (current !== undefined && current > position) continue;
        if (w.kind === 'delete') {
          if (current === undefined) applied++;
          else guarded.push({ deleteOne: { filter: { _id: w.id, [POS]: { $lte: position } } } });
        } else if (current === undefined) {
          inserts.push({ _id: w.id, [POS]: position, [BODY]: w.doc });
        } else {
          guarded.push(guardedUpdate(w.id, position, w.doc));
        }
      }
      for (const part of chunk(inserts, BULK_CHUNK)) {
        try {
          applied += (await coll.insertMany(part, { ordered: false })).insertedCount;
        } catch (err) {
          if (!(err instanceof MongoBulkWriteError)) throw err;
          const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
          if (errors.some((e) => e.code !== 11000)) throw err;
          applied += err.result.insertedCount;
          // Another writer inserted first: retry as a guarded update, which applies or is skipped.
          for (const e of errors) {
            const doc = part[e.index]!;
            guarded.push(guardedUpdate(doc._id, doc[POS] as string, doc[BODY] as JsonObject));
          }
        }
      }
      for (const part of chunk(guarded, BULK_CHUNK)) {
        const r = await coll.bulkWrite(part, { ordered: false });
        applied += r.matchedCount + r.deletedCount;
      }
    }
    return { applied, skipped: writes.length - applied };
  }

  async get<T extends JsonObject = JsonObject>(collection: string, id: string): Promise<StoredDocument<T> | undefined> {
    this.assertOpen();
    await this.spec(collection);
    const raw = await this.db.collection<RawDoc>(collection).findOne({ _id: id });
    return raw ? toDoc<T>(raw) : undefined;
  }

  async getMany<T extends JsonObject = JsonObject>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>> {
    this.assertOpen();
    await this.spec(collection);
    const out = new Map<string, StoredDocument<T>>();
    if (ids.length === 0) return out;
    for (const raw of await this.db.collection<RawDoc>(collection).find({ _id: { $in: [...ids] } }).toArray()) {
      const d = toDoc<T>(raw);
      out.set(d._id, d);
    }
    return out;
  }

  async find<T extends JsonObject = JsonObject>(collection: string, query: FindQuery): Promise<Page<T>> {
    this.assertOpen();
    const plan = planQuery(await this.spec(collection), query);
    const and: Document[] = plan.conditions.map(toMongo);
    if (plan.after) {
      const ors = plan.sort.map((s, i) => {
        const clause: Document = {};
        plan.sort.slice(0, i).forEach((p, j) => (clause[path(p.field)] = plan.after![j]));
        clause[path(s.field)] = { [s.direction === 'asc' ? '$gt' : '$lt']: plan.after![i] };
        return clause;
      });
      and.push({ $or: ors });
    }
    const filter = and.length === 0 ? {} : and.length === 1 ? and[0]! : { $and: and };
    const sort: Record<string, 1 | -1> = {};
    for (const s of plan.sort) sort[path(s.field)] = s.direction === 'asc' ? 1 : -1;
    const rows = await this.db.collection<RawDoc>(collection).find(filter).sort(sort).limit(plan.limit + 1).toArray();
    const items = rows.slice(0, plan.limit).map((r) => toDoc<T>(r));
    const page: Page<T> = { items };
    if (rows.length > plan.limit) {
      const last = items[items.length - 1]!;
      page.next = encodeCursor(plan.sort, last._id, last.doc);
    }
    return page;
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    this.assertOpen();
    const and = planFilter(await this.spec(collection), filter).map(toMongo);
    return this.db.collection<RawDoc>(collection).countDocuments(and.length === 0 ? {} : { $and: and });
  }

  async *scan<T extends JsonObject = JsonObject>(collection: string): AsyncIterable<StoredDocument<T>> {
    await this.spec(collection);
    let after: string | undefined;
    for (;;) {
      this.assertOpen();
      const rows = await this.db
        .collection<RawDoc>(collection)
        .find(after === undefined ? {} : { _id: { $gt: after } })
        .sort({ _id: 1 })
        .limit(500)
        .toArray();
      for (const r of rows) yield toDoc<T>(r);
      if (rows.length < 500) return;
      after = rows[rows.length - 1]!._id as string;
    }
  }

  async getCheckpoint(name: string): Promise<Checkpoint> {
    this.assertOpen();
    const row = await this.db.collection<CheckpointDoc>(CHECKPOINTS).findOne({ _id: name });
    return { name, position: row ? decodePosition(row.position) : 0n, generation: row?.generation ?? 0 };
  }

  async addDeadLetter(d: DeadLetter): Promise<void> {
    this.assertOpen();
    const position = encodePosition(d.position);
    try {
      await this.db.collection<RawDoc>(DEAD_LETTERS).insertOne({ ...d, _id: `${d.projection}:${position}`, position });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  async listDeadLetters(projection?: string): Promise<DeadLetter[]> {
    this.assertOpen();
    const rows = await this.db
      .collection<RawDoc>(DEAD_LETTERS)
      .find(projection === undefined ? {} : { projection })
      .toArray();
    return rows
      .map((r) => ({
        projection: r.projection as string,
        position: decodePosition(r.position as string),
        eventId: r.eventId as string,
        eventType: r.eventType as string,
        streamId: r.streamId as string,
        error: r.error as string,
        failedAt: r.failedAt as string,
      }))
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.projection < b.projection ? -1 : 1));
  }

  async prepareShadow(collections: readonly string[], checkpoint: string): Promise<void> {
    this.assertOpen();
    await this.completeRecordedSwaps(checkpoint); // an interrupted swap's shadows are complete: swap them in, do not drop them
    for (const name of collections) {
      const spec = await this.spec(name);
      await this.dropIfExists(shadowName(name));
      await this.createCollection(shadowName(name), { ...spec, name: shadowName(name) });
    }
    await this.db.collection<CheckpointDoc>(CHECKPOINTS).deleteOne({ _id: shadowName(checkpoint) });
  }

  private async dropIfExists(name: string): Promise<void> {
    const exists = (await this.db.listCollections({ name }, { nameOnly: true }).toArray()).length > 0;
    if (exists) await this.db.collection(name).drop();
    this.specs.delete(name);
  }

  /**
   * Replaces each live collection by its shadow and sets the live checkpoint to the shadow's
   * position with the next generation (see the port).
   *
   * - Crash-safe: the swap is recorded first ({@link SwapIntent}); {@link ensureCollections} and
   *   {@link prepareShadow} complete a recorded swap, so an interrupted one ends exactly as an
   *   uninterrupted one would.
   * - Each collection is replaced by one `renameCollection` with `dropTarget`, so a reader finds
   *   either the old or the new documents, never a missing collection. FerretDB v1 does not
   *   implement `dropTarget`; there the live collection is dropped and the shadow renamed, and a
   *   reader in between finds the collection empty.
   * - Collections are replaced one after the other: a reader of two of them in the middle of a swap
   *   may find one replaced and the other not yet.
   * @throws InvalidQueryError when a collection or its shadow is unknown (nothing is changed then).
   */
  async swapShadow(collections: readonly string[], checkpoint: string): Promise<Checkpoint> {
    this.assertOpen();
    for (const name of collections) {
      await this.spec(name);
      await this.spec(shadowName(name));
    }
    const cps = this.db.collection<CheckpointDoc>(CHECKPOINTS);
    const live = await cps.findOne({ _id: checkpoint });
    const rebuilt = await cps.findOne({ _id: shadowName(checkpoint) });
    const intent: SwapIntent = {
      _id: checkpoint,
      collections: [...collections],
      position: rebuilt?.position ?? encodePosition(0n),
      generation: (live?.generation ?? 0) + 1,
      createdAt: new Date(),
    };
    await this.db.collection<SwapIntent>(SWAPS).replaceOne({ _id: checkpoint }, intent, { upsert: true });
    return this.completeSwap(intent);
  }

  /** Carries out (or finishes) a recorded swap; every step can be repeated. */
  private async completeSwap(intent: SwapIntent): Promise<Checkpoint> {
    const existing = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const name of intent.collections) {
      const shadow = shadowName(name);
      const spec = await this.spec(name);
      if (existing.has(shadow)) await this.replaceCollection(shadow, name, existing.has(name));
      await this.db.collection<{ _id: string }>(SPECS).deleteOne({ _id: shadow });
      this.specs.delete(shadow);
      await this.createCollection(name, spec); // the shadow's indexes already match; this records the spec again
    }
    const cps = this.db.collection<CheckpointDoc>(CHECKPOINTS);
    await cps.replaceOne({ _id: intent._id }, { position: intent.position, generation: intent.generation }, { upsert: true });
    await cps.deleteOne({ _id: shadowName(intent._id) });
    await this.db.collection<SwapIntent>(SWAPS).deleteOne({ _id: intent._id });
    return { name: intent._id, position: decodePosition(intent.position), generation: intent.generation };
  }

  /** `renameCollection(from → to)` replacing `to`: in one step where the server can (see {@link swapShadow}). */
  private async replaceCollection(from: string, to: string, targetExists: boolean): Promise<void> {
    try {
      await this.db.renameCollection(from, to, { dropTarget: true });
    } catch (err) {
      if (!(err instanceof MongoServerError && err.code === NOT_IMPLEMENTED)) throw err;
      if (targetExists) await this.dropIfExists(to);
      await this.db.renameCollection(from, to);
    }
  }

  /** Completes the recorded swaps (of `checkpoint` only, when given). */
  private async completeRecordedSwaps(checkpoint?: string): Promise<void> {
    const swaps = await this.db.collection<SwapIntent>(SWAPS).find(checkpoint === undefined ? {} : { _id: checkpoint }).toArray();
    for (const intent of swaps) await this.completeSwap(intent);
  }

  async ping(): Promise<{ ok: boolean; detail?: string }> {
    if (this.closed) return { ok: false, detail: 'closed' };
    try {
      await this.db.command({ ping: 1 });
      return { ok: true, detail: this.db.databaseName };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  /** Drops the whole database (tests only). */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The read-model store is closed');
  }
}

/** Stored path of a document field. */
const path = (field: string) => (field === '_id' ? '_id' : `${BODY}.${field}`);

function toMongo(c: Condition): Document {
  if (c.op === 'eq') return { [path(c.field)]: c.value };
  if (c.op === 'in') return { [path(c.field)]: { $in: c.values } };
  return { [path(c.field)]: { ...c.range } };
}

function guardedUpdate(id: string, position: string, doc: JsonObject): AnyBulkWriteOperation<RawDoc> {
  return { updateOne: { filter: { _id: id, [POS]: { $lte: position } }, update: { $set: { [POS]: position, [BODY]: doc } } } };
}

function toDoc<T extends JsonObject>(raw: RawDoc): StoredDocument<T> {
  return { _id: raw._id, position: decodePosition(raw[POS] as string), doc: (raw[BODY] ?? {}) as T };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toWire(w: WriteOp): WireOp {
  return w.kind === 'upsert' ? ['u', w.collection, w.id, encodePosition(w.position), w.doc] : ['d', w.collection, w.id, encodePosition(w.position)];
}

function fromWire([kind, collection, id, position, doc]: WireOp): WriteOp {
  return kind === 'u'
    ? { kind: 'upsert', collection, id, position: decodePosition(position), doc: doc! }
    : { kind: 'delete', collection, id, position: decodePosition(position) };
}

/** Splits ops into JSON arrays of at most ~{@link CHUNK_BYTES}. */
function chunkOps(ops: WireOp[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const op of ops) {
    const s = JSON.stringify(op);
    if (size + s.length > CHUNK_BYTES && current.length > 0) {
      chunks.push(`[${current.join(',')}]`);
      current = [];
      size = 0;
    }
    current.push(s);
    size += s.length + 1;
  }
  if (current.length > 0) chunks.push(`[${current.join(',')}]`);
  return chunks;
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}
