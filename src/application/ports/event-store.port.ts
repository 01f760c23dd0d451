/**
 * The event log port (DESIGN §3, §4). Adapters: SQLite (embedded default) and EventStoreDB.
 *
 * Revisions and positions are `bigint` end to end: never converted to `number`, never passed to
 * `JSON.stringify` as bigint (serialise with `String(x)`).
 *
 * - A stream **revision** is the 0-based index of an event within its stream.
 * - A **log position** is an opaque, unique, totally ordered bigint naming one event in `$all`:
 *   reading `$all` forwards from position `p` (exclusive) yields exactly the events after `p`.
 *   SQLite uses its gap-free global sequence (1, 2, 3 …); EventStoreDB packs its commit and prepare
 *   positions into one bigint (`commit << 64 | prepare`), which preserves `$all` order.
 *   `0n` is "before the first event".
 */

/** Who produced a fact (DESIGN §4). */
export type EventSource = 'scayle' | 'erp' | 'psp' | 'ledger';

/**
 * Metadata carried by every event (DESIGN §4). Times are ISO-8601 UTC strings.
 * Adapters store it verbatim; unknown keys round-trip.
 */
export interface EventMetadata {
  /** The system the fact came from. */
  source: EventSource;
  /** The source's own id of the fact (Scayle webhook `key`, ERP `documentNumber:revision`, …). */
  sourceEventId?: string;
  /** When it happened at the source (source time, ISO-8601). */
  occurredAt: string;
  /** When the ledger recorded it (ledger time, ISO-8601). */
  recordedAt: string;
  correlationId?: string;
  causationId?: string;
  /** Who caused it: `scayle-webhook`, `erp-ingest`, an API key's role and id, `system`. */
  actor?: string;
  /**
   * Version of the event's `data` shape (1 unless the type changed). The service's store upcasts
   * old versions on read and takes appends only at the latest (`schemaVersionOf(type)`;
   * CONTRIBUTING "Changing an event shape"). Adapters store it verbatim.
   */
  schemaVersion: number;
  [key: string]: unknown;
}

/** An event to append. `id` is a UUID, deterministic for source facts (DESIGN §4). */
export interface EventData<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  data: TData;
  metadata: EventMetadata;
}

/** An event as stored in the log. */
export interface RecordedEvent<TType extends string = string, TData = unknown> extends EventData<TType, TData> {
  streamId: string;
  /** 0-based revision within `streamId`. */
  revision: bigint;
  /** Position in `$all` (see module docs). */
  position: bigint;
  /** When the store committed it (ISO-8601 UTC). */
  created: string;
}

/**
 * Expected revision for an append (EventStoreDB semantics):
 * - `'no_stream'`: the stream must not exist yet;
 * - `'stream_exists'`: the stream must have at least one event;
 * - `'any'`: no check;
 * - a bigint: the revision of the stream's last event must be exactly this.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

/** Actual state of a stream reported by a conflict: its last revision, or `'no_stream'`. */
export type ActualRevision = 'no_stream' | bigint;

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream (pass it as the next expected revision). */
  nextExpectedRevision: bigint;
  /** Log position of the last event of this append. */
  position: bigint;
}

/** What {@link EventStore.appendIfAbsent} answers: where the event now is, and whether this call wrote it. */
export interface AppendIfAbsentResult extends AppendResult {
  /** `true`: this call appended the event; `false`: its id was already stored in the stream (nothing written). */
  written: boolean;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: ReadDirection;
  /** Inclusive start revision; default `'start'` forwards and `'end'` backwards. */
  fromRevision?: bigint | 'start' | 'end';
  /** Upper bound on events returned; default unbounded. */
  maxCount?: number;
}

export interface ReadAllOptions {
  direction?: ReadDirection;
  /**
   * Exclusive start position: forwards returns events with position > `fromPosition`, backwards
   * events with position < `fromPosition`. Default `'start'` forwards, `'end'` backwards.
   */
  fromPosition?: bigint | 'start' | 'end';
  /** Upper bound on events returned; default unbounded. */
  maxCount?: number;
}

/** What a catch-up subscription yields: events, and a marker each time it reaches the head. */
export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  | { kind: 'caughtUp'; position: bigint };

export interface SubscribeToAllOptions {
  /** Exclusive start position (a stored checkpoint), or `'start'`. */
  fromPosition: bigint | 'start';
}

/**
 * A catch-up subscription to `$all`: first the stored events after the start position, then one
 * `caughtUp` message, then live events as they are appended (and another `caughtUp` whenever it
 * reaches the head again after falling behind). Iterate it with `for await`; `close()` ends the
 * iteration.
 */
export interface AllSubscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

/** Thrown when the expected revision does not match the stream's actual revision. */
export class ConcurrencyConflictError extends Error {
  override readonly name: string = 'ConcurrencyConflictError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: ActualRevision,
  ) {
    super(`Concurrency conflict on stream ${streamId}: expected ${String(expected)}, actual ${String(actual)}`);
  }
}

/**
 * Thrown by an adapter that keeps event ids unique across the whole log (SQLite) when an appended
 * event's id is already stored in **another** stream: the fact is in the log already, elsewhere.
 * Nothing of the append is written. Retrying never helps, so callers that retry on
 * {@link ConcurrencyConflictError} (which this extends) should not retry on this one. EventStoreDB
 * keeps ids unique per stream only and does not throw it.
 */
export class EventIdInOtherStreamError extends ConcurrencyConflictError {
  override readonly name = 'EventIdInOtherStreamError';
  constructor(
    streamId: string,
    expected: ExpectedRevision,
    actual: ActualRevision,
    /** The event id already stored. */
    readonly eventId: string,
    /** Where it is stored. */
    readonly stored: { streamId: string; revision: bigint; position: bigint },
  ) {
    super(streamId, expected, actual);
    this.message = `Event ${eventId} appended to ${streamId} is already stored in ${stored.streamId} (revision ${stored.revision})`;
  }
}

/** Thrown by `readStream` when the stream has no events. */
export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';
  constructor(readonly streamId: string) {
    super(`Stream not found: ${streamId}`);
  }
}

/**
 * Thrown when an append ended without a definite answer (deadline exceeded, store unavailable) and
 * reading the stream back could not tell whether it was written. Callers must not assume either way.
 */
export class AppendOutcomeUnknownError extends Error {
  override readonly name = 'AppendOutcomeUnknownError';
  constructor(
    readonly streamId: string,
    cause: unknown,
  ) {
    super(`Outcome of append to ${streamId} is unknown: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** What {@link EventStore.findInStream} answers. */
export interface StreamLookup {
  /** Revision of the stream's last event, or `'no_stream'`. */
  revision: ActualRevision;
  /** The asked-for ids stored in this stream (ids stored in other streams are not listed). */
  found: { id: string; revision: bigint; position: bigint }[];
}

/** The event log. */
export interface EventStore {
  /** Which adapter this is, for `/v1/health`: `sqlite` or `eventstoredb`. */
  readonly kind: string;

  /**
   * Appends events atomically (all or none) after checking the expected revision.
   * Idempotent: re-appending the same event ids at the same expected revision succeeds and writes
   * nothing new (the result names the events already stored). The events are facts once passed:
   * callers must not mutate them (or what their `data` and `metadata` reference) afterwards — an
   * in-process store may hand those very objects to its subscribers.
   * @throws ConcurrencyConflictError when the expected revision does not hold.
   * @throws EventIdInOtherStreamError when an event's id is stored in another stream (adapters that
   *   keep ids unique across the log).
   * @throws AppendOutcomeUnknownError when the store gave no definite answer (EventStoreDB).
   */
  appendToStream(streamId: string, events: readonly EventData[], options: AppendOptions): Promise<AppendResult>;

  /**
   * Reads one stream in revision order.
   * @throws StreamNotFoundError when the stream has no events.
   */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** Revision of the stream's last event, or `'no_stream'`. */
  streamRevision(streamId: string): Promise<ActualRevision>;

  /**
   * Optional fast path for exactly-once appends: the stream's last revision and which of `eventIds`
   * it holds, from one consistent read, without reading (or parsing) any payload — an index lookup
   * per id instead of reading the whole stream. Callers fall back to {@link readStream} when an
   * adapter (or a decorator) does not offer it; a decorator that offers it must answer what the
   * store it wraps holds (ids and revisions are never rewritten, so upcasting does not touch it).
   */
  findInStream?(streamId: string, eventIds: readonly string[]): Promise<StreamLookup>;

  /**
   * Optional fast path for exactly-once appends of one fact with a deterministic id, offered by
   * adapters that keep event ids unique across the whole log for ever (SQLite's `UNIQUE(event_id)`;
   * EventStoreDB's idempotency check is best-effort beyond its recent-id cache, so it does not offer
   * it). Appends `event` at the stream's end (no expected-revision check: a fact does not depend on
   * what the stream holds) unless its id is already stored in the stream, deciding both in the write
   * itself — no read before the append. A decorator that offers it must check what it checks on
   * {@link appendToStream}.
   * @returns the event's revision and position (new or stored) and whether this call wrote it.
   * @throws EventIdInOtherStreamError when the id is stored in another stream (nothing written).
   */
  appendIfAbsent?(streamId: string, event: EventData): Promise<AppendIfAbsentResult>;

  /** Reads `$all` in position order, lazily (suitable for millions of events). */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;

  /** Position of the last event in the log (`0n` when empty). */
  headPosition(): Promise<bigint>;

  /** Catch-up subscription to `$all` (see {@link AllSubscription}). */
  subscribeToAll(options: SubscribeToAllOptions): AllSubscription;

  /** Answers whether the store is reachable (for readiness checks). Never throws. */
  ping(): Promise<{ ok: boolean; detail?: string }>;

  /** Finishes in-flight appends and releases the store. */
  close(): Promise<void>;
}
