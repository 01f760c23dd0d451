import { ConcurrencyConflictError, EventData, EventStore, RecordedEvent, StreamNotFoundError } from '../ports/event-store.port';
import { KeyedMutex } from './keyed-mutex';

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
}

const MAX_CONFLICT_RETRIES = 5;

/**
 * Appends source facts exactly once per stream (DESIGN §4): reads the stream, skips facts whose id
 * (or alias) is stored, appends the rest at the revision read, and on a concurrency conflict reads
 * again and retries (bounded). The store's idempotent append covers a retry whose first attempt
 * succeeded without an answer.
 */
export class FactWriter {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly store: EventStore) {}

  /** @throws ConcurrencyConflictError after {@link MAX_CONFLICT_RETRIES} conflicting attempts. */
  async appendOnce(streamId: string, facts: readonly PendingFact[]): Promise<AppendOnceResult> {
    return this.mutex.run(streamId, async () => {
      for (let attempt = 0; ; attempt++) {
        const stored = await this.readOrEmpty(streamId);
        const byId = new Map(stored.map((e) => [e.id, e] as const));
        const fresh: EventData[] = [];
        const eventIds: string[] = [];
        let lastStored = 0n;
        for (const fact of facts) {
          const hit = [fact.event.id, ...(fact.aliases ?? [])].map((id) => byId.get(id)).find((e) => e !== undefined);
          if (hit) {
            eventIds.push(hit.id);
            if (hit.position > lastStored) lastStored = hit.position;
          } else {
            eventIds.push(fact.event.id);
            fresh.push(fact.event);
          }
        }
        if (fresh.length === 0) return { eventIds, appended: 0, position: lastStored };
        const expectedRevision = stored.length === 0 ? 'no_stream' : stored[stored.length - 1]!.revision;
        try {
          const result = await this.store.appendToStream(streamId, fresh, { expectedRevision });
          return { eventIds, appended: fresh.length, position: result.position };
        } catch (err) {
          if (!(err instanceof ConcurrencyConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw err;
        }
      }
    });
  }

  /** The stream's events, or none. */
  async readOrEmpty(streamId: string): Promise<RecordedEvent[]> {
    try {
      return await this.store.readStream(streamId);
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
  }
}
