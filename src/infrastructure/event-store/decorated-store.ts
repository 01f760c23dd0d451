/**
 * Finding a capability of the adapter behind the decorators of an {@link EventStore}
 * (`UpcastingEventStore` → `SharedTailEventStore` → adapter; each exposes `inner`).
 */
import type { EventStore } from '../../application/ports/event-store.port';
import type { CommitFeed } from './shared-tail-event-store';

/** A store whose catch-up subscriptions can be told that another thread or process appended. */
export interface AppendWakeable {
  wakeSubscriptions(): void;
}

function find<T>(store: EventStore, has: (s: object) => boolean): T | undefined {
  for (let s: EventStore | undefined = store; s !== undefined; s = (s as { inner?: EventStore }).inner) if (has(s)) return s as unknown as T;
  return undefined;
}

/** The outermost store in the chain that can be woken (the shared tail, or the SQLite adapter); undefined for EventStoreDB, which pushes. */
export const appendWakeable = (store: EventStore): AppendWakeable | undefined => find<AppendWakeable>(store, (s) => typeof (s as Partial<AppendWakeable>).wakeSubscriptions === 'function');

/** The adapter that announces this process's commits (SQLite); undefined for EventStoreDB. */
export const commitFeedOf = (store: EventStore): CommitFeed | undefined => find<CommitFeed>(store, (s) => typeof (s as Partial<CommitFeed>).onCommitted === 'function');

/** A store whose write-ahead log another connection can checkpoint (the SQLite adapter). */
export interface WalCheckpointer {
  checkpointWal(): { walFrames: number; checkpointed: number };
}

/** The SQLite adapter behind the decorators, as a {@link WalCheckpointer}; undefined for EventStoreDB. */
export const walCheckpointer = (store: EventStore): WalCheckpointer | undefined => find<WalCheckpointer>(store, (s) => typeof (s as Partial<WalCheckpointer>).checkpointWal === 'function');
