import {
  ANY,
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  Position,
  ResolvedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
} from '@eventstore/db-client';
import {
  ActualRevision,
  AllSubscription,
  AppendOptions,
  AppendOutcomeUnknownError,
  AppendResult,
  ConcurrencyConflictError,
  EventData,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamNotFoundError,
  SubscribeToAllOptions,
  SubscriptionMessage,
} from '../../../application/ports/event-store.port';
import { decodePosition, encodePosition } from './esdb-position';

/** Messages a subscription buffers for a slow consumer before it pauses the server stream. */
export const SUBSCRIPTION_HIGH_WATER = 2048;
/** Buffered messages below which a paused subscription resumes. */
export const SUBSCRIPTION_LOW_WATER = 512;

/** gRPC failures after which an append may or may not have been written. */
const UNKNOWN_OUTCOME_TYPES = new Set(['deadline-exceeded', 'unavailable', 'timeout', 'cancelled', 'unknown']);

/**
 * EventStoreDB / KurrentDB adapter (`@eventstore/db-client` 6.x).
 *
 * Revisions stay bigint as the client gives them. Log positions pack the `$all` commit and prepare
 * positions into one bigint (see `esdb-position.ts`), so the port's single ordered position keeps
 * enough to resume a subscription exactly.
 */
export class EsdbEventStore implements EventStore {
  readonly kind = 'eventstoredb';
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly client: EventStoreDBClient) {}

  static fromConnectionString(connectionString: string): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async appendToStream(streamId: string, events: readonly EventData[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const attempt = this.appendOnce(streamId, events, options.expectedRevision);
    this.inFlight.add(attempt);
    try {
      return await attempt;
    } finally {
      this.inFlight.delete(attempt);
    }
  }

  private async appendOnce(
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) =>
          jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: e.metadata as never }),
        ),
        { expectedRevision: toEsdbExpected(expected) },
      );
      const position = result.position ? encodePosition(result.position) : await this.positionOfLast(streamId);
      return { nextExpectedRevision: result.nextExpectedRevision, position };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) {
        throw new ConcurrencyConflictError(streamId, expected, fromEsdbActual(err.actualVersion));
      }
      if (isUnknownOutcome(err)) return this.resolveUnknownOutcome(streamId, events, err);
      throw err;
    }
  }

  /**
   * DESIGN §4: on a deadline or unavailability the append may have landed. Read the stream back:
   * if the events are there, it succeeded; if not, report the outcome as unknown rather than guess.
   */
  private async resolveUnknownOutcome(streamId: string, events: readonly EventData[], cause: unknown): Promise<AppendResult> {
    try {
      const tail = await this.readStream(streamId, { direction: 'backwards', maxCount: events.length + 100 });
      const last = tail.find((e) => e.id === events[events.length - 1]!.id);
      if (last && tail.some((e) => e.id === events[0]!.id)) {
        return { nextExpectedRevision: tail[0]!.revision, position: await this.positionOfLast(streamId) };
      }
    } catch (readErr) {
      if (!(readErr instanceof StreamNotFoundError)) throw new AppendOutcomeUnknownError(streamId, cause);
    }
    throw new AppendOutcomeUnknownError(streamId, cause);
  }

  /** Stream reads carry no commit position; find the last event's position through `$all`. */
  private async positionOfLast(streamId: string): Promise<bigint> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    if (!last) return 0n;
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 10_000 })) {
      if (resolved.event?.id === last.id && resolved.event.streamId === streamId) {
        return resolved.event.position ? encodePosition(resolved.event.position) : 0n;
      }
    }
    return 0n;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const out: RecordedEvent[] = [];
    try {
      const reader = this.client.readStream(streamId, {
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision: from === 'start' ? START : from === 'end' ? END : from,
        ...(options.maxCount !== undefined ? { maxCount: BigInt(options.maxCount) } : {}),
      });
      for await (const resolved of reader) {
        const recorded = toRecorded(resolved);
        if (recorded) out.push(recorded);
      }
    } catch (err) {
      if (err instanceof EsdbStreamNotFoundError) throw new StreamNotFoundError(streamId);
      throw err;
    }
    return out;
  }

  async streamRevision(streamId: string): Promise<ActualRevision> {
    try {
      const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      return last ? last.revision : 'no_stream';
    } catch (err) {
      if (err instanceof StreamNotFoundError) return 'no_stream';
      throw err;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const direction = options.direction ?? 'forwards';
    const from = options.fromPosition ?? (direction === 'forwards' ? 'start' : 'end');
    const exclusive = typeof from === 'bigint' ? from : undefined;
    const reader = this.client.readAll({
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      fromPosition: from === 'start' ? START : from === 'end' ? END : decodePosition(from),
      ...(options.maxCount !== undefined ? { maxCount: BigInt(options.maxCount + (exclusive !== undefined ? 1 : 0)) } : {}),
    });
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    for await (const resolved of reader) {
      if (remaining <= 0) break;
      const recorded = toRecordedAll(resolved);
      if (!recorded) continue;
      // ESDB reads from a position inclusively; the port's start position is exclusive.
      if (exclusive !== undefined && recorded.position === exclusive) continue;
      remaining -= 1;
      yield recorded;
    }
  }

  async headPosition(): Promise<bigint> {
    for await (const resolved of this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1000n,
    })) {
      const recorded = toRecordedAll(resolved);
      if (recorded) return recorded.position;
    }
    return 0n;
  }

  /**
   * Catch-up subscription to `$all` (system events excluded) after an exclusive position.
   *
   * The client's subscription is a Node readable; it is paused while more than
   * {@link SUBSCRIPTION_HIGH_WATER} messages wait for the consumer and resumed below
   * {@link SUBSCRIPTION_LOW_WATER}, so a catch-up over millions of events holds a bounded window in
   * memory (gRPC flow control holds the rest on the server). "Caught up" comes from the server's
   * caught-up message (EventStoreDB 23.10+ / KurrentDB); events the client had already decoded but
   * not yet delivered are drained first, so `caughtUp` never overtakes an event before it.
   */
  subscribeToAll(options: SubscribeToAllOptions): AllSubscription {
    const exclusive = options.fromPosition === 'start' ? undefined : options.fromPosition;
    const subscription = this.client.subscribeToAll({
      fromPosition: exclusive === undefined ? START : decodePosition(exclusive),
      filter: excludeSystemEvents(),
    });
    const queue: SubscriptionMessage[] = [];
    let lastPosition = exclusive ?? 0n;
    let wake: (() => void) | undefined;
    let failure: unknown;
    let ended = false;
    let paused = false;
    const push = (m: SubscriptionMessage) => {
      queue.push(m);
      if (!paused && queue.length >= SUBSCRIPTION_HIGH_WATER) {
        paused = true;
        subscription.pause();
      }
      wake?.();
    };
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      const recorded = toRecordedAll(resolved);
      if (!recorded || (exclusive !== undefined && recorded.position <= exclusive)) return;
      lastPosition = recorded.position;
      push({ kind: 'event', event: recorded });
    });
    subscription.on('caughtUp', () => {
      // read() hands each buffered event to the 'data' listener above, paused or not.
      while (subscription.readableLength > 0 && subscription.read() !== null);
      push({ kind: 'caughtUp', position: lastPosition });
    });
    subscription.on('error', (err: Error) => {
      failure = err;
      wake?.();
    });
    subscription.on('end', () => {
      ended = true;
      wake?.();
    });
    let closed = false;
    return {
      async close() {
        closed = true;
        await subscription.unsubscribe();
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        while (!closed) {
          const next = queue.shift();
          if (next) {
            if (paused && queue.length <= SUBSCRIPTION_LOW_WATER) {
              paused = false;
              subscription.resume();
            }
            yield next;
            continue;
          }
          if (failure) throw failure;
          if (ended) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
    };
  }

  async ping(): Promise<{ ok: boolean; detail?: string }> {
    try {
      await this.headPosition();
      return { ok: true };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.client.dispose();
  }
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

function fromEsdbActual(actual: unknown): ActualRevision {
  return typeof actual === 'bigint' ? actual : 'no_stream';
}

function isUnknownOutcome(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && UNKNOWN_OUTCOME_TYPES.has(type);
}

function toRecorded(resolved: ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson) return undefined;
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position ? encodePosition(event.position) : 0n,
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata,
    created: event.created.toISOString(),
  };
}

function toRecordedAll(resolved: AllStreamResolvedEvent): RecordedEvent | undefined {
  const recorded = toRecorded(resolved as ResolvedEvent);
  if (!recorded || recorded.streamId.startsWith('$')) return undefined;
  return recorded;
}

export type { Position };
