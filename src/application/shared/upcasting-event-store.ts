/**
 * The one place old event versions are upcast (DESIGN §4): a decorator around any {@link EventStore}
 * adapter, bound in the composition root, so every reader — command handlers, queries, projections,
 * replay, as-of, the export indexer, the order directory, the outbox — sees only the latest shape
 * of each event type.
 *
 * - Reads (`readStream`, `readAll`, `subscribeToAll`) pass each event through {@link upcastEvent}:
 *   the same object at the latest version, an upcast copy for an older one (`metadata.schemaVersion`
 *   the latest, `metadata.upcastFrom` the stored version), and for a version this release does not
 *   know a refused event whose `data` throws `UnsupportedSchemaVersionError` — the projection runner
 *   dead-letters it (`schemaRefusalOf`); a handler or query that reads it fails instead of guessing.
 * - Appends must carry the latest version of each type in `metadata.schemaVersion` (writers build
 *   the latest shape — the domain types only that one — and say so with `schemaVersionOf(type)`);
 *   any other version is refused with {@link SchemaVersionMismatchError} before anything is written,
 *   so an old shape cannot be stored under a new label, nor a new one under an old label.
 * - Everything else is the adapter's (`findInStream` too, where the adapter has it).
 */
import { upcastEvent, type UpcasterRegistry } from '../../domain/event-schema/upcaster-registry';
import type {
  ActualRevision,
  AllSubscription,
  AppendOptions,
  AppendIfAbsentResult,
  AppendResult,
  EventData,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamLookup,
  SubscribeToAllOptions,
  SubscriptionMessage,
} from '../ports/event-store.port';

/** An append carried another schema version than the one this release writes for the type. */
export class SchemaVersionMismatchError extends Error {
  override readonly name = 'SchemaVersionMismatchError';
  constructor(
    readonly eventType: string,
    readonly schemaVersion: unknown,
    readonly latestVersion: number,
  ) {
    super(`${eventType} is written at schema version ${latestVersion} (its latest shape), not ${String(schemaVersion)}: build the data in the latest shape and set metadata.schemaVersion with schemaVersionOf(type)`);
  }
}

export class UpcastingEventStore implements EventStore {
  /** The adapter's, when it has one: ids and revisions are never upcast. */
  readonly findInStream?: (streamId: string, eventIds: readonly string[]) => Promise<StreamLookup>;
  /** The adapter's, when it has one, after the same schema-version check as {@link appendToStream}. */
  readonly appendIfAbsent?: (streamId: string, event: EventData) => Promise<AppendIfAbsentResult>;

  constructor(
    /** The adapter that stores events as written. */
    readonly inner: EventStore,
    private readonly registry: UpcasterRegistry,
  ) {
    if (inner.findInStream) this.findInStream = (streamId, eventIds) => inner.findInStream!(streamId, eventIds);
    if (inner.appendIfAbsent) this.appendIfAbsent = (streamId, event) => this.checkVersions([event]) ?? inner.appendIfAbsent!(streamId, event);
  }

  get kind(): string {
    return this.inner.kind;
  }

  /** @throws SchemaVersionMismatchError (nothing written) when an event is not at its type's latest version. */
  appendToStream(streamId: string, events: readonly EventData[], options: AppendOptions): Promise<AppendResult> {
    return this.checkVersions(events) ?? this.inner.appendToStream(streamId, events, options);
  }

  /** A rejection with SchemaVersionMismatchError when an event is not at its type's latest version; else undefined. */
  private checkVersions(events: readonly EventData[]): Promise<never> | undefined {
    for (const e of events) {
      const latest = this.registry.latestVersion(e.type);
      if (e.metadata.schemaVersion !== latest) return Promise.reject(new SchemaVersionMismatchError(e.type, e.metadata.schemaVersion, latest));
    }
    return undefined;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamId, options)).map((e) => upcastEvent(this.registry, e));
  }

  streamRevision(streamId: string): Promise<ActualRevision> {
    return this.inner.streamRevision(streamId);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return mapAsync(this.inner.readAll(options), (e) => upcastEvent(this.registry, e));
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  subscribeToAll(options: SubscribeToAllOptions): AllSubscription {
    const inner = this.inner.subscribeToAll(options);
    const mapped = mapAsync<SubscriptionMessage, SubscriptionMessage>(inner, (m) => (m.kind === 'event' ? { kind: 'event', event: upcastEvent(this.registry, m.event) } : m));
    return { close: () => inner.close(), [Symbol.asyncIterator]: () => mapped[Symbol.asyncIterator]() };
  }

  ping(): Promise<{ ok: boolean; detail?: string }> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * `source` with `fn` applied to each value, lazily. A plain iterator rather than an async generator:
 * one promise per value instead of several (this sits on every `$all` read and subscription).
 */
function mapAsync<T, U>(source: AsyncIterable<T>, fn: (value: T) => U): AsyncIterable<U> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<U> {
      const it = source[Symbol.asyncIterator]();
      return {
        next: () => it.next().then((r) => (r.done ? { done: true, value: undefined } : { done: false, value: fn(r.value) })),
        return: (value?: unknown) => (it.return ? it.return(value).then(() => ({ done: true as const, value: undefined })) : Promise.resolve({ done: true as const, value: undefined })),
      };
    },
  };
}

