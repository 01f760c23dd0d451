import { ConcurrencyConflictError, EventData, EventIdInOtherStreamError, EventStore, ExpectedRevision, RecordedEvent } from '../ports/event-store.port';
import { KeyedMutex } from './keyed-mutex';
import { readStreamOrEmpty } from '../shared/read-stream';

/** A fact to append once, and other ids under which the same fact may already be stored. */
export interface PendingFact {
  event: EventData;
  /**
   * Ids of the same fact written another way (an ERP document appended directly vs. linked later
   * from `erp-unlinked-…`): when any is in the stream, the fact is not appended again.
   */
  aliases?: readonly string[];
}

/** Result of {@link FactWriter.appendOnce}. */
export interface AppendOnceResult {
  /** Ids of the facts now in the log (the stored id for facts found under an alias). */
  eventIds: string[];
  /** How many were appended by this call. */
  appended: number;
  /** Position of the last fact of the call (new or stored). */
  position: bigint;
  /**
   * Facts not appended because their id is stored in **another** stream (stores that keep ids unique
   * across the log say so; see `EventIdInOtherStreamError`): the fact is in the log, elsewhere.
   * Present only when there are such facts; what it means is the caller's to say (a webhook delivery
   * key used for another order, an ERP document recorded under another order).
   */
  elsewhere?: StoredElsewhere[];
}

/** Where a fact's id is stored, when not in the stream it was appended to. */
export interface StoredElsewhere {
  id: string;
  streamId: string;
  revision: bigint;
  position: bigint;
}

const MAX_CONFLICT_RETRIES = 5;

/**
 * Appends source facts exactly once per stream (DESIGN §4): looks up which fact ids (or aliases) the
 * stream holds (index lookups where the store offers them, else a read of the stream), skips those,
 * appends the rest at the revision read, and on a concurrency conflict reads again and retries
 * (bounded). A single fact without aliases goes straight to the store's `appendIfAbsent` where it
 * has one (no lookup first). The store's idempotent append covers a retry whose first attempt
 * succeeded without an answer.
 */
export class FactWriter {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly store: EventStore) {}

  /**
   * A fact whose id the store reports in another stream is not appended (see
   * {@link AppendOnceResult.elsewhere}); the others are.
   * @throws ConcurrencyConflictError after {@link MAX_CONFLICT_RETRIES} conflicting attempts.
   */
  async appendOnce(streamId: string, facts: readonly PendingFact[]): Promise<AppendOnceResult> {
    const only = facts.length === 1 ? facts[0]! : undefined;
    if (only && !only.aliases?.length && this.store.appendIfAbsent) return this.appendIfAbsent(streamId, only.event);
    return this.mutex.run(streamId, async () => {
      const elsewhere = new Map<string, StoredElsewhere>();
      for (let attempt = 0; ; ) {
        const { byId, expectedRevision } = await this.storedIds(streamId, facts);
        const fresh: EventData[] = [];
        const eventIds: string[] = [];
        let lastStored = 0n;
        for (const fact of facts) {
          const hit = [fact.event.id, ...(fact.aliases ?? [])].map((id) => byId.get(id) ?? elsewhere.get(id)).find((e) => e !== undefined);
          if (hit) {
            eventIds.push(hit.id);
            if (hit.position > lastStored) lastStored = hit.position;
          } else {
            eventIds.push(fact.event.id);
            fresh.push(fact.event);
          }
        }
        const found = elsewhere.size > 0 ? { elsewhere: [...elsewhere.values()] } : {};
        if (fresh.length === 0) return { eventIds, appended: 0, position: lastStored, ...found };
        try {
          const result = await this.store.appendToStream(streamId, fresh, { expectedRevision });
          return { eventIds, appended: fresh.length, position: result.position, ...found };
        } catch (err) {
          // Stored in another stream: that fact is in the log; append the others (retrying never moves it).
          if (err instanceof EventIdInOtherStreamError && fresh.some((e) => e.id === err.eventId) && !elsewhere.has(err.eventId)) {
            elsewhere.set(err.eventId, { id: err.eventId, ...err.stored });
            continue;
          }
          if (!(err instanceof ConcurrencyConflictError) || err instanceof EventIdInOtherStreamError || attempt++ >= MAX_CONFLICT_RETRIES) throw err;
        }
      }
    });
  }

  /**
   * One fact without aliases on a store that offers {@link EventStore.appendIfAbsent} (the webhook's
   * case): the store decides stored-or-new inside its write, so no lookup goes before it and no
   * expected revision can conflict.
   */
  private async appendIfAbsent(streamId: string, event: EventData): Promise<AppendOnceResult> {
    try {
      const result = await this.store.appendIfAbsent!(streamId, event);
      return { eventIds: [event.id], appended: result.written ? 1 : 0, position: result.position };
    } catch (err) {
      if (!(err instanceof EventIdInOtherStreamError) || err.eventId !== event.id) throw err;
      return { eventIds: [event.id], appended: 0, position: err.stored.position, elsewhere: [{ id: event.id, ...err.stored }] };
    }
  }

  /**
   * Which of the facts' ids (and aliases) the stream holds, and the revision to append at: by index
   * lookups where the store offers {@link EventStore.findInStream}, else by reading the stream.
   */
  private async storedIds(streamId: string, facts: readonly PendingFact[]): Promise<{ byId: Map<string, { id: string; position: bigint }>; expectedRevision: ExpectedRevision }> {
    if (this.store.findInStream) {
      const lookup = await this.store.findInStream(streamId, facts.flatMap((f) => [f.event.id, ...(f.aliases ?? [])]));
      return { byId: new Map(lookup.found.map((e) => [e.id, e] as const)), expectedRevision: lookup.revision };
    }
    const stored = await this.readOrEmpty(streamId);
    return { byId: new Map(stored.map((e) => [e.id, e] as const)), expectedRevision: stored.length === 0 ? 'no_stream' : stored[stored.length - 1]!.revision };
  }

  /**
   * The events of `streamId` with one of `ids`, in stream order: by index lookups and single-event
   * reads where the store offers {@link EventStore.findInStream}, else by reading the stream.
   */
  async findStored(streamId: string, ids: readonly string[]): Promise<RecordedEvent[]> {
    if (!this.store.findInStream) return (await this.readOrEmpty(streamId)).filter((e) => ids.includes(e.id));
    const { found } = await this.store.findInStream(streamId, ids);
    const events = await Promise.all(found.map(async (f) => (await this.store.readStream(streamId, { fromRevision: f.revision, maxCount: 1 }))[0]!));
    return events.sort((a, b) => (a.revision < b.revision ? -1 : 1));
  }

  /** The event stored at `revision` of `streamId`. */
  async readOne(streamId: string, revision: bigint): Promise<RecordedEvent | undefined> {
    return (await this.store.readStream(streamId, { fromRevision: revision, maxCount: 1 }))[0];
  }

  /** The stream's events, or none. */
  async readOrEmpty(streamId: string): Promise<RecordedEvent[]> {
    return readStreamOrEmpty(this.store, streamId);
  }
}
