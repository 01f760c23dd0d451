import { StreamNotFoundError, type EventStore, type RecordedEvent } from '../ports/event-store.port';

/**
 * A stream's events oldest first, or none when the stream does not exist (EventStoreDB answers
 * `StreamNotFoundError` for a stream never written; most readers treat that as "nothing known yet").
 *
 * @throws whatever the store throws other than {@link StreamNotFoundError}.
 */
export async function readStreamOrEmpty(events: EventStore, streamId: string): Promise<RecordedEvent[]> {
  try {
    return await events.readStream(streamId);
  } catch (err) {
    if (err instanceof StreamNotFoundError) return [];
    throw err;
  }
}
