/**
 * The projection runner (DESIGN §3, issue 5): one catch-up subscription to `$all` feeds every
 * projection in batches.
 *
 * - Starts from the lowest stored checkpoint; an event at or below a projection's checkpoint is not
 *   applied to it again.
 * - A batch closes at `batchSize` events, after `maxLatencyMs` since its first event, when the
 *   subscription reports it caught up, or as soon as it holds a position a reader waits for
 *   ({@link ProjectionRunner.hurry}: read-your-writes does not wait out the linger). Its writes and every projection's new checkpoint go to the
 *   store in one {@link ReadModelStore.commit}, so a checkpoint never passes a write that is not
 *   durable. A failed commit (store down, a rebuild swapped the collections in) restarts the
 *   subscription from the stored checkpoints.
 * - Every checkpoint of a commit moves from the position this runner last read or committed
 *   (compare-and-set): a second runner on the same store (the old process of a restart still
 *   serving) that committed first makes the store refuse this batch (`CheckpointMovedError`); the
 *   runner logs it at warn and restarts from the stored checkpoints at once, so each batch is applied
 *   exactly once to the aggregates (period summaries) that batches add to.
 * - A unit of work that throws is undone and its events are dead-lettered (stored before the commit
 *   that moves the checkpoint past them, and turned into `SYNC_FAILURE` exceptions by
 *   `deadLetterWrites`); the batch goes on. An event whose schema version this release cannot read
 *   (refused by the upcasting event store) reaches no projection: it is dead-lettered for each.
 * - A batch that has held the event loop for `sliceMs` lets timers and I/O run between its units
 *   (and between the orders a projection prepares), so HTTP requests are not stalled behind a long
 *   batch; its writes and checkpoints still go to the store in the one commit at its end.
 * - A batch ends at an event a projection says changes what its later evaluations depend on
 *   ({@link Projection.endsBatch}: a mapping change); the work the projection then owes
 *   ({@link Projection.continueWork}: re-evaluating its orders) runs in bounded steps, each one
 *   commit at the unchanged checkpoint, before any later event is applied — also at start-up, so a
 *   crash in the middle resumes where the last committed step left off. Until it is done the
 *   projection's position reads as just before that event (read-your-writes and the period close
 *   wait for it).
 * - `caughtUp`, lag and a bounded `waitForPosition` are exposed through {@link ProjectionMonitor}.
 */
import type { Clock } from '../application/ports/clock.port';
import type { EventStore, RecordedEvent } from '../application/ports/event-store.port';
import { schemaRefusalOf } from '../domain/event-schema/upcaster-registry';
import { isDataError } from '../domain/shared/errors';
import { LAG_COUNT_CAP, type ProjectionLag, type ProjectionMonitor } from '../application/ports/projection-monitor.port';
import { CheckpointMovedError, shadowName, StaleGenerationError, type Checkpoint, type CheckpointMove, type DeadLetter, type FindQuery, type JsonObject, type Page, type ReadModelStore, type WriteOp } from '../application/ports/read-model-store.port';
import { OverlayContext } from './batch-context';
import { PositionWaiters } from './position-waiters';
import type { BatchContext, DocKey, Projection } from './projection';

export interface RunnerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RunnerOptions {
  /** Events per batch (default 500). */
  batchSize?: number;
  /** Longest a batch waits for more events, ms (default 50). */
  maxLatencyMs?: number;
  /** Rebuild mode: write into the shadow collections under the shadow checkpoint. */
  shadow?: boolean;
  /** Writes that record a dead letter in a read model (the `SYNC_FAILURE` exception queue). */
  deadLetterWrites?: (deadLetter: DeadLetter) => { collection: string; id: string; doc: JsonObject }[];
  logger?: RunnerLogger;
  /**
   * Longest stretch a batch holds the event loop before it lets other work run (HTTP requests of the
   * service), ms (default 10). The batch stays one unit of work: its writes are committed together;
   * only the evaluation is cut into slices (the commit itself is one transaction).
   */
  sliceMs?: number;
  /** Called after every committed batch (progress bars). */
  onBatch?: (info: { position: bigint; events: number }) => void;
}

/**
 * What a runner has done so far, as plain data (bigint positions): enough to answer
 * {@link ProjectionMonitor} elsewhere — the main thread, when the runner works in a worker thread.
 */
export interface RunnerProgress {
  projections: {
    name: string;
    /** The stored checkpoint's position. */
    checkpoint: bigint;
    /**
     * The position read-your-writes may rely on: the checkpoint, or just before it while work is
     * owed there, or a swapped-in rebuild's position until the runner restarts from it.
     */
    position: bigint;
    /** The checkpoint's generation as this runner loaded it (a rebuild's swap bumps the stored one). */
    generation: number;
    owing: boolean;
    deadLetters: number;
  }[];
  /** The runner has reached the head at least once. */
  reachedHead: boolean;
  /** Events read but not committed yet. */
  pendingEvents: number;
}

/** A commit's checkpoint that stays where it is (a re-evaluation step, an out-of-band write) — and must still be there. */
const atCheckpoint = (name: string, cp: Checkpoint): CheckpointMove => ({ name, position: cp.position, expectedPosition: cp.position, generation: cp.generation });

const ledgerTime = (e: Pick<RecordedEvent, 'metadata' | 'created'>): string => (typeof e.metadata.recordedAt === 'string' ? e.metadata.recordedAt : e.created);

export class ProjectionRunner implements ProjectionMonitor {
  private readonly checkpointsByName = new Map<string, Checkpoint>();
  /** Projections with work owed at their checkpoint ({@link Projection.continueWork}). */
  private readonly owing = new Set<string>();
  private readonly deadLetterCounts = new Map<string, number>();
  private readonly waiters = new PositionWaiters(() => this.lowest(), () => this.stopping);
  private readonly progressListeners = new Set<() => void>();
  /**
   * Stored positions of checkpoints whose generation moved under this runner (a live rebuild swapped
   * its collections in): reported instead of the runner's own until the restart loads them.
   */
  private swappedIn: Map<string, bigint> | undefined;
  /** The subscription was closed to restart from the stored checkpoints (not a stop). */
  private restartRequested = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private closeSubscription: (() => Promise<void>) | undefined;
  private reachedHead = false;
  private pendingEvents = 0;
  /** The highest position a reader waits for that no batch has reached yet (0n: none). */
  private awaited = 0n;
  /** Closes the batch being gathered now when it holds {@link awaited} (set while consuming). */
  private closeBatchIfAwaited: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly maxLatencyMs: number;
  private readonly physical: (name: string) => string;
  private readonly sliceMs: number;
  private sliceStarted = 0;
  /** Commits refused in a row because another runner moved a checkpoint (backs off the restarts). */
  private refusals = 0;

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadModelStore,
    readonly projections: readonly Projection[],
    private readonly clock: Clock,
    private readonly options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxLatencyMs = options.maxLatencyMs ?? 50;
    this.sliceMs = options.sliceMs ?? 10;
    this.physical = options.shadow ? shadowName : (n) => n;
  }

  private checkpointName(p: Projection): string {
    return this.physical(p.name);
  }

  /** Declares the collections (indexes at bootstrap) and starts the loop in the background. */
  async start(): Promise<void> {
    await this.store.ensureCollections(this.projections.flatMap((p) => p.collections));
    await this.loadCheckpoints();
    this.stopping = false;
    this.loop = this.run(false).catch((err: unknown) => this.options.logger?.error({ err }, 'projection runner stopped on an error'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.closeSubscription?.();
    await this.loop;
    this.loop = undefined;
    this.waiters.notify();
  }

  /** Applies everything up to the head as it is now, then returns (tests, rebuild). */
  async catchUp(): Promise<void> {
    await this.store.ensureCollections(this.projections.flatMap((p) => p.collections));
    this.stopping = false;
    await this.run(true);
  }

  /**
   * Loads the stored checkpoints. A projection that can owe work at its checkpoint (a re-evaluation a
   * crash or stop left half done) reads as owing until {@link continueWork} finds nothing left, so
   * no read-your-writes wait, freshness report or close check takes the checkpoint for done in the
   * meantime.
   */
  private async loadCheckpoints(): Promise<void> {
    this.swappedIn = undefined;
    this.restartRequested = false;
    for (const p of this.projections) {
      this.checkpointsByName.set(p.name, await this.store.getCheckpoint(this.checkpointName(p)));
      if (p.continueWork) this.owing.add(p.name);
    }
  }

  private async run(untilCaughtUp: boolean): Promise<void> {
    while (!this.stopping) {
      try {
        await this.loadCheckpoints();
        await this.serialize(() => this.continueWork());
        await this.consume(untilCaughtUp);
        if (this.restartRequested && !this.stopping) continue;
        return;
      } catch (err) {
        for (const p of this.projections) p.reset?.();
        if (err instanceof StaleGenerationError && !this.stopping) {
          // A rebuild swapped its collections in: go on from its checkpoints, at once.
          this.options.logger?.info({ checkpoint: err.checkpoint, generation: err.actual }, 'a rebuild swapped in new read models; restarting from its checkpoints');
          continue;
        }
        if (err instanceof CheckpointMovedError && !this.stopping) {
          // Not a failure: another runner on the same store committed first (or is committing). Its
          // commit is the true state; go on from it (catch-up included), at once the first time,
          // then backing off while the other keeps winning.
          this.options.logger?.warn(
            { checkpoint: err.checkpoint, expected: String(err.expected), stored: String(err.actual) },
            'another runner moved the checkpoint; restarting from the stored checkpoints',
          );
          if (this.refusals > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** this.refusals)));
          this.refusals++;
          continue;
        }
        if (untilCaughtUp || this.stopping) throw err;
        this.options.logger?.warn({ err }, 'projection batch failed; restarting from the stored checkpoints');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async consume(untilCaughtUp: boolean): Promise<void> {
    const from = [...this.checkpointsByName.values()].reduce((min, c) => (c.position < min ? c.position : min), this.checkpointsByName.values().next().value?.position ?? 0n);
    const subscription = this.events.subscribeToAll({ fromPosition: from === 0n ? 'start' : from });
    this.closeSubscription = () => subscription.close();
    const iterator = subscription[Symbol.asyncIterator]();
    let batch: RecordedEvent[] = [];
    let next: Promise<IteratorResult<unknown>> | undefined;
    // One timer per batch (armed at its first event, `maxLatencyMs`), not one per event: a catch-up
    // of a million events armed and cleared a million timers.
    let deadline: { timer: NodeJS.Timeout; expired: Promise<typeof TIMEOUT>; now(): void } | undefined;
    const TIMEOUT = Symbol('timeout');
    const disarm = () => {
      if (deadline) clearTimeout(deadline.timer);
      deadline = undefined;
    };
    const holdsAwaited = (b: readonly RecordedEvent[]) => this.awaited !== 0n && b.length > 0 && b[b.length - 1]!.position >= this.awaited;
    this.closeBatchIfAwaited = () => {
      if (holdsAwaited(batch)) deadline?.now();
    };
    try {
      for (;;) {
        if (this.stopping) return;
        next ??= iterator.next();
        const message = deadline === undefined ? await next : await Promise.race([next, deadline.expired]);
        if (message === TIMEOUT) {
          disarm();
          await this.flushBatch(batch);
          batch = [];
          continue;
        }
        next = undefined;
        const result = message as IteratorResult<{ kind: 'event'; event: RecordedEvent } | { kind: 'caughtUp'; position: bigint }>;
        if (result.done) {
          disarm();
          await this.flushBatch(batch);
          return;
        }
        if (result.value.kind === 'event') {
          batch.push(result.value.event);
          this.pendingEvents = batch.length;
          if (batch.length === 1) {
            let timer!: NodeJS.Timeout;
            let now!: () => void;
            const expired = new Promise<typeof TIMEOUT>((resolve) => {
              timer = setTimeout(() => resolve(TIMEOUT), this.maxLatencyMs);
              now = () => resolve(TIMEOUT);
            });
            deadline = { timer, expired, now };
          }
          if (batch.length >= this.batchSize || this.endsBatch(result.value.event) || holdsAwaited(batch)) {
            disarm();
            await this.flushBatch(batch);
            batch = [];
          }
        } else {
          disarm();
          await this.flushBatch(batch);
          batch = [];
          this.reachedHead = true;
          this.notify();
          if (untilCaughtUp) return;
        }
      }
    } finally {
      disarm();
      this.closeBatchIfAwaited = undefined;
      this.closeSubscription = undefined;
      await subscription.close();
    }
  }

  /** {@link flush} of a batch of the log's flow; a reader's wait it reaches is settled. */
  private async flushBatch(batch: RecordedEvent[]): Promise<void> {
    const last = batch.length > 0 ? batch[batch.length - 1]!.position : undefined;
    await this.flush(batch);
    if (last !== undefined && this.awaited <= last) this.awaited = 0n;
  }

  private lock: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier batch or out-of-band write (one writer at a time). */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes outside the log's flow (the grace-window scheduler's re-evaluations): `fn` gets a batch
   * context positioned at the projection's checkpoint and a prefetch `load`; its writes are committed
   * under the unchanged checkpoint (generation and position compared: refused with
   * `CheckpointMovedError` when another runner moved it), serialised with the batches.
   * @returns the number of documents written.
   */
  async runOutOfBand(projectionName: string, fn: (ctx: BatchContext, load: (keys: DocKey[]) => Promise<void>) => Promise<void>): Promise<number> {
    return this.serialize(async () => {
      const p = this.projections.find((x) => x.name === projectionName);
      const cp = this.checkpointsByName.get(projectionName);
      if (!p || !cp) throw new Error(`Unknown projection ${projectionName}`);
      const ctx = new OverlayContext(this.physical);
      ctx.begin(cp.position);
      await fn(ctx, (keys) => this.prefetch(ctx, keys));
      const writes = ctx.writes();
      if (writes.length > 0) await this.store.commit(writes, [atCheckpoint(this.checkpointName(p), cp)]);
      return writes.length;
    });
  }

  private async prefetch(ctx: OverlayContext, keys: DocKey[]): Promise<void> {
    const byCollection = new Map<string, Set<string>>();
    for (const k of keys) {
      if (ctx.has(k.collection, k.id)) continue;
      const ids = byCollection.get(k.collection) ?? new Set<string>();
      ids.add(k.id);
      byCollection.set(k.collection, ids);
    }
    for (const [collection, ids] of byCollection) ctx.load(collection, await this.store.getMany(this.physical(collection), [...ids]), [...ids]);
  }

  private flush(batch: RecordedEvent[]): Promise<void> {
    return this.serialize(() => this.flushNow(batch));
  }

  /**
   * Lets timers and I/O run when the current batch has held the event loop for `sliceMs` (live
   * batches of a few hundred orders took 80-100 ms in one piece: every request arriving meanwhile
   * waited). Batches are serialised, so nothing of the runner interleaves.
   */
  private readonly pause = async (): Promise<void> => {
    if (performance.now() - this.sliceStarted < this.sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.sliceStarted = performance.now();
  };

  private async flushNow(batch: RecordedEvent[]): Promise<void> {
    this.pendingEvents = 0;
    if (batch.length === 0) return;
    this.sliceStarted = performance.now();
    const last = batch[batch.length - 1]!.position;
    const writes: WriteOp[] = [];
    const deadLetters: DeadLetter[] = [];
    const refused = batch.filter((e) => schemaRefusalOf(e) !== undefined);
    const readable = refused.length === 0 ? batch : batch.filter((e) => schemaRefusalOf(e) === undefined);
    for (const p of this.projections) {
      const cp = this.checkpointsByName.get(p.name)!;
      for (const e of refused) if (e.position > cp.position) deadLetters.push(this.deadLetter(p.name, e, schemaRefusalOf(e)));
      const events = readable.filter((e) => e.position > cp.position);
      if (events.length === 0) continue;
      let ctx = new OverlayContext(this.physical);
      try {
        await this.apply(p, events, ctx, deadLetters);
      } catch (error) {
        if (!isDataError(error)) throw error;
        // The batch's preparation failed on some event's data: apply the events one at a time so only
        // those whose own preparation fails are dead-lettered, and the projection goes on.
        this.options.logger?.warn({ projection: p.name, err: error }, 'projection batch failed on its data; applying its events one at a time');
        p.reset?.();
        ctx = new OverlayContext(this.physical);
        for (const event of events) {
          const before = deadLetters.length;
          try {
            await this.apply(p, [event], ctx, deadLetters);
          } catch (err) {
            if (!isDataError(err)) throw err;
            p.reset?.();
            deadLetters.length = before;
            deadLetters.push(this.deadLetter(p.name, event, err));
          }
        }
      }
      writes.push(...ctx.writes());
    }
    for (const d of deadLetters) {
      await this.store.addDeadLetter(d);
      this.deadLetterCounts.set(d.projection, (this.deadLetterCounts.get(d.projection) ?? 0) + 1);
      this.options.logger?.error({ projection: d.projection, position: String(d.position), eventId: d.eventId, eventType: d.eventType, error: d.error }, 'event dead-lettered');
      for (const w of this.options.deadLetterWrites?.(d) ?? []) writes.push({ kind: 'upsert', collection: this.physical(w.collection), id: w.id, position: d.position, doc: w.doc });
    }
    // Each checkpoint moves from where this runner last read or committed it: if another runner (an
    // old process still serving during a restart) moved it meanwhile, the store refuses the batch,
    // whose additions to aggregates (period summaries) were computed on documents that already hold them.
    const checkpoints: CheckpointMove[] = this.projections.map((p) => {
      const cp = this.checkpointsByName.get(p.name)!;
      return { name: this.checkpointName(p), position: cp.position > last ? cp.position : last, expectedPosition: cp.position, generation: cp.generation };
    });
    await this.pause();
    await this.store.commit(writes, checkpoints);
    this.refusals = 0;
    const ending = batch[batch.length - 1]!;
    for (const p of this.projections) if (p.continueWork && p.endsBatch?.(ending)) this.owing.add(p.name);
    this.projections.forEach((p, i) => {
      const { name, position, generation } = checkpoints[i]!;
      this.checkpointsByName.set(p.name, { name, position, generation });
    });
    await this.continueWork();
    this.options.onBatch?.({ position: last, events: batch.length });
    this.notify();
  }

  private endsBatch(event: RecordedEvent): boolean {
    return this.projections.some((p) => p.endsBatch?.(event) === true);
  }

  /**
   * Runs the work each projection owes at its checkpoint ({@link Projection.continueWork}) to the
   * end, one step per commit at the unchanged checkpoint (generation and position compared). Called serialised.
   * A stop ends it between steps (SIGTERM does not wait for a long re-evaluation): the next start
   * resumes it from the last committed step.
   */
  private async continueWork(): Promise<void> {
    for (const p of this.projections) {
      if (!p.continueWork) continue;
      for (;;) {
        const cp = this.checkpointsByName.get(p.name)!;
        const ctx = new OverlayContext(this.physical);
        ctx.begin(cp.position);
        this.sliceStarted = performance.now();
        const more = await p.continueWork({
          ctx,
          load: (keys) => this.prefetch(ctx, keys),
          find: <T extends JsonObject = JsonObject>(collection: string, query: FindQuery): Promise<Page<T>> => this.store.find<T>(this.physical(collection), query),
          pause: this.pause,
        });
        if (more && !this.owing.has(p.name)) {
          this.owing.add(p.name);
          this.notify();
        }
        const writes = ctx.writes();
        if (writes.length > 0) await this.store.commit(writes, [atCheckpoint(this.checkpointName(p), cp)]);
        if (!more) break;
        if (this.stopping) return;
        await this.pause();
      }
      if (this.owing.delete(p.name)) this.notify();
    }
  }

  /** Prepares `events` for `p` and runs its units into `ctx`; a unit that throws is rolled back and dead-lettered. */
  private async apply(p: Projection, events: RecordedEvent[], ctx: OverlayContext, deadLetters: DeadLetter[]): Promise<void> {
    const load = (keys: DocKey[]) => this.prefetch(ctx, keys);
    await load(p.keys(events));
    await p.prepare?.(events, load, ctx, this.pause);
    for (const unit of p.units(events)) {
      if (unit.events.length === 0) continue;
      await this.pause();
      ctx.begin(unit.events[unit.events.length - 1]!.position);
      let failures: { event: RecordedEvent; error: unknown }[];
      try {
        unit.run(ctx);
        failures = ctx.takeFailures();
      } catch (error) {
        ctx.rollback();
        failures = unit.events.map((event) => ({ event, error }));
      }
      for (const f of failures) deadLetters.push(this.deadLetter(p.name, f.event, f.error));
    }
  }

  private deadLetter(projection: string, event: RecordedEvent, error: unknown): DeadLetter {
    return {
      projection,
      position: event.position,
      eventId: event.id,
      eventType: event.type,
      streamId: event.streamId,
      error: error instanceof Error ? error.message : String(error),
      failedAt: this.clock.now().toISOString(),
    };
  }

  private notify(): void {
    this.waiters.notify();
    for (const l of this.progressListeners) l();
  }

  /**
   * Calls `listener` whenever {@link progress} may have changed (a commit, the head reached, owed
   * work done): the projection thread forwards the snapshot to the main thread.
   * @returns a function that removes the listener.
   */
  onProgress(listener: () => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** A snapshot of every projection's checkpoint, owed work and dead letters. */
  progress(): RunnerProgress {
    return {
      projections: this.projections.map((p) => {
        const stored = this.checkpointsByName.get(p.name);
        const checkpoint = stored?.position ?? 0n;
        const owing = this.owing.has(p.name);
        const own = owing && checkpoint > 0n ? checkpoint - 1n : checkpoint;
        const swapped = this.swappedIn?.get(p.name);
        return {
          name: p.name,
          checkpoint,
          position: swapped !== undefined && swapped < own ? swapped : own,
          generation: stored?.generation ?? 0,
          owing,
          deadLetters: this.deadLetterCounts.get(p.name) ?? 0,
        };
      }),
      reachedHead: this.reachedHead,
      pendingEvents: this.pendingEvents,
    };
  }

  /** Each projection's position: its checkpoint, or just before it while it owes work there. */
  checkpoints(): { name: string; position: bigint }[] {
    return this.progress().projections.map(({ name, position }) => ({ name, position }));
  }

  private lowest(): bigint {
    const all = this.checkpoints().map((c) => c.position);
    return all.reduce((a, b) => (b < a ? b : a), all[0] ?? 0n);
  }

  headPosition(): Promise<bigint> {
    return this.events.headPosition();
  }

  /**
   * A wait that would be answered at once first makes sure no rebuild swapped collections in under
   * this runner ({@link recheckGenerations}: one checkpoint read per projection).
   */
  async waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.lowest() >= position) await this.recheckGenerations();
    else this.hurry(position);
    return this.waiters.wait(position, timeoutMs);
  }

  /**
   * A reader waits for `position` (a `minPosition` read, the period close): the batch that holds it
   * is committed as soon as it does — at once when the batch being gathered holds it already —
   * instead of lingering up to `maxLatencyMs` for more events. Batches before it are not hurried.
   */
  hurry(position: bigint): void {
    if (position <= this.awaited) return;
    this.awaited = position;
    this.closeBatchIfAwaited?.();
  }

  /**
   * Compares the stored checkpoints' generations with the ones this runner loaded. A live
   * `projections rebuild` swaps in collections caught up to its own position and bumps the
   * generation; the runner would notice only at its next commit (refused) — on a quiet service much
   * later — and meanwhile report its own, later position for collections that no longer hold it.
   * When a generation moved, the stored positions are reported at once and the runner restarts from
   * them. A store that cannot be read changes nothing (the next commit finds the swap).
   * @returns true when a generation moved.
   */
  async recheckGenerations(): Promise<boolean> {
    if (this.options.shadow || this.checkpointsByName.size === 0) return false;
    let moved: Map<string, bigint> | undefined;
    try {
      for (const p of this.projections) {
        const mine = this.checkpointsByName.get(p.name);
        const stored = await this.store.getCheckpoint(this.checkpointName(p));
        if (mine && stored.generation !== mine.generation) (moved ??= new Map()).set(p.name, stored.position);
      }
    } catch (err) {
      this.options.logger?.warn({ err }, 'could not read the checkpoints to look for a rebuild swap');
      return false;
    }
    if (!moved) return false;
    this.swappedIn = moved;
    this.notify();
    if (!this.restartRequested && this.closeSubscription) {
      this.restartRequested = true;
      await this.closeSubscription();
    }
    return true;
  }


  status(): Promise<ProjectionLag[]> {
    return projectionLag(this.events, this.progress());
  }
}

/**
 * Each projection's lag behind the log head as of `progress` (reads the head and counts up to
 * {@link LAG_COUNT_CAP} pending events per projection). Shared by the runner and the main thread's
 * view of a runner working in a worker thread.
 */
export async function projectionLag(events: EventStore, progress: RunnerProgress): Promise<ProjectionLag[]> {
  const head = await events.headPosition();
  let headTime: string | undefined;
  for await (const e of events.readAll({ direction: 'backwards', maxCount: 1 })) headTime = ledgerTime(e);
  const out: ProjectionLag[] = [];
  for (const p of progress.projections) {
    const checkpoint = p.checkpoint;
    let lagEvents = 0;
    let firstPending: string | undefined;
    if (checkpoint < head) {
      for await (const e of events.readAll({ fromPosition: checkpoint === 0n ? 'start' : checkpoint, maxCount: LAG_COUNT_CAP })) {
        if (e.position > head) break;
        firstPending ??= ledgerTime(e);
        lagEvents++;
      }
    }
    const lagMs = firstPending && headTime ? Math.max(0, Date.parse(headTime) - Date.parse(firstPending)) : 0;
    out.push({
      name: p.name,
      checkpoint,
      head,
      lagEvents,
      lagEventsCapped: lagEvents >= LAG_COUNT_CAP,
      lagSeconds: lagMs / 1000,
      caughtUp: progress.reachedHead && progress.pendingEvents === 0 && checkpoint >= head && !p.owing,
      deadLetters: p.deadLetters,
    });
  }
  return out;
}
