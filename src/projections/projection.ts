/**
 * What a projection is to the runner: a name (its checkpoint), the collections it owns, and a batch
 * handler that turns log events into document writes through a {@link BatchContext}.
 */
import type { RecordedEvent } from '../application/ports/event-store.port';
import type { CollectionSpec, FindQuery, JsonObject, Page } from '../application/ports/read-model-store.port';

/** A document reference. */
export interface DocKey {
  collection: string;
  id: string;
}

/**
 * The documents of one batch: prefetched current versions overlaid with the batch's own writes.
 * `get` answers synchronously, so handlers stay plain deterministic functions.
 */
export interface BatchContext {
  /** Position of the unit being applied: the position the documents it writes reflect. */
  readonly position: bigint;
  /** The document as the batch sees it (prefetched via {@link Projection.keys}), or undefined. */
  get<T extends JsonObject = JsonObject>(collection: string, id: string): T | undefined;
  put(collection: string, id: string, doc: JsonObject): void;
  delete(collection: string, id: string): void;
  /** Dead-letters one event of the unit (the unit goes on without it). */
  fail(event: RecordedEvent, error: unknown): void;
}

/**
 * A unit of work of a batch: the events it covers (log order) and the writes it makes. A unit that
 * throws has its writes undone and every event it covers dead-lettered; the batch goes on.
 */
export interface ProjectionUnit {
  events: readonly RecordedEvent[];
  run(ctx: BatchContext): void;
}

export interface Projection {
  /** Name of the projection and of its checkpoint (`reconciliation`, `order-history`). */
  readonly name: string;
  readonly collections: readonly CollectionSpec[];
  /** Documents the events of a batch touch (prefetched before the units run). */
  keys(events: readonly RecordedEvent[]): DocKey[];
  /**
   * Asynchronous preparation of a batch (read streams, load the policy, evaluate); writes nothing but
   * may prefetch more documents with `load` once it knows which it needs. A long preparation awaits
   * `pause()` between pieces of work (it lets requests run when the batch has held the event loop
   * for a while; nothing else of the runner runs meanwhile).
   */
  prepare?(events: readonly RecordedEvent[], load: (keys: DocKey[]) => Promise<void>, ctx: BatchContext, pause?: () => Promise<void>): Promise<void>;
  /** The batch's units, in the order they apply (each unit's position is its last event's). */
  units(events: readonly RecordedEvent[]): ProjectionUnit[];
  /** Forgets in-memory state (after a failed commit or a rebuild swap). */
  reset?(): void;
  /**
   * Whether the batch must end with `event`: it changes what the projection's later evaluations
   * depend on (a mapping change), so the projection owes {@link continueWork} before any later event.
   */
  endsBatch?(event: RecordedEvent): boolean;
  /**
   * One bounded step of work the projection owes at its checkpoint (a re-evaluation a batch started;
   * its progress is a document the projection keeps in its own collections, written in the same
   * commit as the step's other writes). The runner runs steps, each committed at the unchanged
   * checkpoint, until this answers false, after every batch and at start-up, before it applies any
   * later event; meanwhile the projection's position reads as just before its checkpoint.
   */
  continueWork?(step: WorkStep): Promise<boolean>;
}

/** What a {@link Projection.continueWork} step works with. */
export interface WorkStep {
  /** Positioned at the checkpoint: the position the step's writes reflect. */
  ctx: BatchContext;
  /** Prefetches documents into `ctx`. */
  load(keys: DocKey[]): Promise<void>;
  /** A page of one of the projection's collections (as stored before this step). */
  find<T extends JsonObject = JsonObject>(collection: string, query: FindQuery): Promise<Page<T>>;
  /** Lets timers and I/O run when the step has held the event loop for a while. */
  pause(): Promise<void>;
}
