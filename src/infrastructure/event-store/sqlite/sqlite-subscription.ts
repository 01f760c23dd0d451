import { EventEmitter } from 'node:events';
import { AllSubscription, RecordedEvent, SubscriptionMessage } from '../../../application/ports/event-store.port';

export interface SqliteAllSubscriptionOptions {
  /** Exclusive start position. */
  from: bigint;
  readPage(after: bigint, limit: number): RecordedEvent[];
  pageSize: number;
  /** Fallback poll for appends made by other processes on the same file. */
  pollIntervalMs: number;
  /** Emits `appended` after every local commit, so live delivery needs no polling in-process. */
  appended: EventEmitter;
  onClose(subscription: SqliteAllSubscription): void;
}

/**
 * Catch-up subscription over the SQLite log: pages through stored events, yields `caughtUp` when a
 * page comes back short, then waits for a local append (or the poll interval) and goes on. Falling
 * a full page behind again re-arms the `caughtUp` signal.
 */
export class SqliteAllSubscription implements AllSubscription {
  private closed = false;
  private wake: (() => void) | undefined;
  private iterating = false;

  constructor(private readonly options: SqliteAllSubscriptionOptions) {}

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    if (this.iterating) throw new Error('A subscription can be iterated only once');
    this.iterating = true;
    const { readPage, pageSize, appended, pollIntervalMs } = this.options;
    const onAppended = () => this.wake?.();
    appended.on('appended', onAppended);
    let position = this.options.from;
    let caughtUp = false;
    try {
      while (!this.closed) {
        const page = readPage(position, pageSize);
        for (const event of page) {
          if (this.closed) return;
          position = event.position;
          yield { kind: 'event', event };
        }
        if (page.length === pageSize) {
          caughtUp = false;
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          yield { kind: 'caughtUp', position };
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    } finally {
      appended.off('appended', onAppended);
      this.options.onClose(this);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
  }
}
