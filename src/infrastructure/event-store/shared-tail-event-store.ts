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
} from '../../application/ports/event-store.port';

/**
 * Receives the events of one commit of the store underneath, in log order: exactly the log's events
 * in `(after, last event's position]`.
 */
export type CommittedListener = (after: bigint, events: readonly RecordedEvent[]) => void;

/**
 * A store that tells in-process listeners what it has just committed (the embedded SQLite store),
 * synchronously after each commit and before the appends it holds are answered.
 */
export interface CommitFeed {
  /** @returns a function that removes the listener. */
  onCommitted(listener: CommittedListener): () => void;
}

const isCommitFeed = (store: EventStore): store is EventStore & CommitFeed => typeof (store as Partial<CommitFeed>).onCommitted === 'function';

export interface SharedTailOptions {
  /** Events per read of `$all`, and the page size that decides `caughtUp` (default 1000). */
  pageSize?: number;
  /**
   * Most events kept in the shared window behind the head (default 2 × pageSize). The window holds
   * only events some subscription inside it has yet to take, up to this many.
   */
  windowSize?: number;
  /** How often a caught-up subscription looks for appends made by other processes, ms (default 100). */
  pollIntervalMs?: number;
}

/**
 * One log tail, many consumers: an {@link EventStore} decorator whose catch-up subscriptions share
 * their reads of `$all`. The service runs several subscribers in one process (order directory,
 * projection runner, outbox dispatcher, freshness, ERP export index); each used to read and parse
 * every event itself. Here they read through one **window**: the latest events of the log as read
 * so far, contiguous (exactly the log's events in `(start, end]`) — those some subscriber inside the
 * window has yet to take, at most `windowSize` (taken ones are dropped at the next commit). A subscriber inside
 * the window takes its next page from memory, and the same event objects — so a payload is parsed
 * at most once however many subscribers look at it (events are immutable: subscribers must not
 * mutate them). A subscriber that reaches the window's end extends it with one read of the store
 * (one at a time); one that fell behind the window (a slow or a catching-up consumer) reads the
 * store directly for itself, as before, until it is back inside.
 *
 * The {@link AllSubscription} contract is the adapter's: each subscription has its own position and
 * pulls at its own pace (no subscriber waits for another, memory stays bounded by the window), it
 * yields `caughtUp` when a read of the store comes back short — never from the window alone — and
 * again after it fell a full page behind. Live delivery: appends through this decorator wake the
 * subscriptions at once; appends by other processes are found by polling every `pollIntervalMs`.
 * When the store underneath is a {@link CommitFeed}, what this process commits goes into the window
 * as it commits (when it continues the window without a gap), so the subscribers at the head do not
 * read back and copy the events just written; the read that decides `caughtUp` still goes to the
 * store. A subscription that has had its `caughtUp` and is woken by an append made through this
 * decorator does not read the store at all when the window already holds that append (it came with
 * the commit feed): the store is read when the window lacks it, on every poll, and after a wake from
 * outside ({@link wakeSubscriptions}). Everything else is passed through. Chosen by the composition
 * root for the embedded store.
 */
export class SharedTailEventStore implements EventStore {
  readonly findInStream?: (streamId: string, eventIds: readonly string[]) => Promise<StreamLookup>;
  readonly appendIfAbsent?: (streamId: string, event: EventData) => Promise<AppendIfAbsentResult>;
  private readonly window: TailWindow;
  private readonly subscriptions = new Set<SharedTailSubscription>();
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private readonly stopFeed: (() => void) | undefined;
  /** The highest position an append through this decorator answered (the log holds at least this much). */
  private appendedTo = 0n;

  constructor(
    readonly inner: EventStore,
    options: SharedTailOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.window = new TailWindow(inner, this.pageSize, Math.max(this.pageSize, options.windowSize ?? 2 * this.pageSize), (start) => this.takenThrough(start));
    if (isCommitFeed(inner)) this.stopFeed = inner.onCommitted((after, events) => this.window.offer(after, events));
    if (inner.findInStream) this.findInStream = (streamId, eventIds) => inner.findInStream!(streamId, eventIds);
    if (inner.appendIfAbsent) this.appendIfAbsent = async (streamId, event) => this.appended(await inner.appendIfAbsent!(streamId, event));
  }

  get kind(): string {
    return this.inner.kind;
  }

  async appendToStream(streamId: string, events: readonly EventData[], options: AppendOptions): Promise<AppendResult> {
    return this.appended(await this.inner.appendToStream(streamId, events, options));
  }

  /** Notes an answered append's position and wakes the subscriptions at the head. */
  private appended<R extends AppendResult>(result: R): R {
    if (result.position > this.appendedTo) this.appendedTo = result.position;
    for (const s of this.subscriptions) s.wake(false);
    return result;
  }

  /**
   * The position every subscription inside the window (at or after `start`) has taken events
   * through — the window needs no event at or before it; `undefined` when no subscription is inside.
   * Subscriptions behind the window read the store for themselves and do not hold it.
   */
  private takenThrough(start: bigint): bigint | undefined {
    let through: bigint | undefined;
    for (const s of this.subscriptions) {
      const p = s.position;
      if (p >= start && (through === undefined || p < through)) through = p;
    }
    return through;
  }

  /**
   * Another thread or process of the service appended: subscriptions at the head look now, not at
   * their next poll, and read the store (the window cannot know what others appended).
   */
  wakeSubscriptions(): void {
    for (const s of this.subscriptions) s.wake(true);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  streamRevision(streamId: string): Promise<ActualRevision> {
    return this.inner.streamRevision(streamId);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.inner.readAll(options);
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  subscribeToAll(options: SubscribeToAllOptions): AllSubscription {
    const subscription = new SharedTailSubscription(
      options.fromPosition === 'start' ? 0n : options.fromPosition,
      this.window,
      { pageSize: this.pageSize, pollIntervalMs: this.pollIntervalMs, appendedTo: () => this.appendedTo },
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  ping(): Promise<{ ok: boolean; detail?: string }> {
    return this.inner.ping();
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.inner.close();
    this.stopFeed?.();
  }

  /**
   * Reads served from the window vs. from the store, events put into the window as they were
   * committed, and short reads answered from the window alone because it held the appends a
   * subscription was woken for (tests, diagnostics).
   */
  stats(): { fromWindow: number; extensions: number; direct: number; offered: number; coveredByWindow: number; held: number } {
    return { ...this.window.stats, held: this.window.held };
  }
}

/** The shared window over the log's tail (see {@link SharedTailEventStore}). */
class TailWindow {
  /** Exactly the log's events with `start < position <= end`, in order. */
  private events: RecordedEvent[] = [];
  private start = 0n;
  private end = 0n;
  private valid = false;
  private extending: Promise<unknown> | undefined;
  readonly stats = { fromWindow: 0, extensions: 0, direct: 0, offered: 0, coveredByWindow: 0 };

  /**
   * @param size most events held.
   * @param takenThrough the position every subscription inside the window has taken events through
   *   (given the window's start), or undefined when none is inside: events up to it are dropped.
   */
  constructor(
    private readonly store: EventStore,
    private readonly pageSize: number,
    private readonly size: number,
    private readonly takenThrough: (start: bigint) => bigint | undefined,
  ) {}

  /** Events held now (diagnostics). */
  get held(): number {
    return this.events.length;
  }

  /**
   * Up to `limit` events after `after`. Short only when a read of the store, begun after this call
   * started, found no more (the caller is at the head) — or, when `covered` is given, when the
   * window already reaches `covered` (the caller needs no more than that, and no store read).
   */
  async read(after: bigint, limit: number, covered?: bigint): Promise<RecordedEvent[]> {
    for (;;) {
      while (this.extending) await this.extending; // an extension begun before this call may miss what it must see
      if (!this.valid || after > this.end) this.reset(after);
      if (after < this.start) {
        this.stats.direct++;
        return collect(this.store.readAll({ fromPosition: after === 0n ? 'start' : after, maxCount: limit }));
      }
      const page = this.slice(after, limit);
      if (page.length === limit) {
        this.stats.fromWindow++;
        return page;
      }
      if (covered !== undefined && this.end >= covered) {
        this.stats.coveredByWindow++;
        return page;
      }
      const extension = this.extend();
      this.extending = extension;
      let short: boolean;
      try {
        short = await extension;
      } finally {
        if (this.extending === extension) this.extending = undefined;
      }
      if (short) return this.slice(after, limit);
    }
  }

  /** Reads the page after the window's end into it; answers whether it came back short (head reached). */
  private async extend(): Promise<boolean> {
    this.stats.extensions++;
    const from = this.end;
    const page = await collect(this.store.readAll({ fromPosition: from === 0n ? 'start' : from, maxCount: this.pageSize }));
    if (this.end === from && page.length > 0) this.append(page);
    return page.length < this.pageSize;
  }

  /**
   * Takes the events of a commit (exactly the log's events after `after`) when they continue the
   * window; otherwise they are left to be read from the store. An extension running meanwhile read
   * the store before this commit (the store reads synchronously): it finds `end` moved and drops its
   * page, or its page was empty — either way the window stays exactly a stretch of the log.
   */
  offer(after: bigint, events: readonly RecordedEvent[]): void {
    if (!this.valid || after !== this.end || events.length === 0) return;
    this.stats.offered += events.length;
    this.append(events);
  }

  /**
   * Adds events that follow `end` directly, then drops those every subscription inside the window
   * has taken and the oldest beyond the window's size. Held no longer than needed, the events of a
   * busy log die young: a window of the last `size` events kept each one (data and raw payload)
   * long enough to be promoted to V8's old generation (ingest benchmark, issue 4: ~4 KB per webhook).
   */
  private append(events: readonly RecordedEvent[]): void {
    this.events.push(...events);
    this.end = events[events.length - 1]!.position;
    const through = this.takenThrough(this.start);
    let drop = Math.max(0, this.events.length - this.size);
    if (through !== undefined) while (drop < this.events.length && this.events[drop]!.position <= through) drop++;
    else drop = this.events.length;
    if (drop > 0) {
      this.start = this.events[drop - 1]!.position;
      this.events = this.events.slice(drop);
    }
  }

  private reset(after: bigint): void {
    this.events = [];
    this.start = after;
    this.end = after;
    this.valid = true;
  }

  /** Events of the window after `after` (which lies in `[start, end]`), at most `limit`. */
  private slice(after: bigint, limit: number): RecordedEvent[] {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.position <= after) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo, lo + limit);
  }
}

interface SubscriptionSettings {
  pageSize: number;
  pollIntervalMs: number;
  /** The highest position appended through the decorator so far. */
  appendedTo: () => bigint;
}

/** One consumer's catch-up subscription over the shared window: its own position and pace. */
class SharedTailSubscription implements AllSubscription {
  private closed = false;
  private iterating = false;
  private wakeUp: (() => void) | undefined;
  /**
   * The next read must go to the store even at the head: a poll came due, or someone outside this
   * decorator appended. Otherwise a caught-up subscription woken by this process's own appends takes
   * them from the window when it holds them.
   */
  private storeReadDue = true;
  /** Woken while not waiting (busy with its consumer): it reads again before it waits. */
  private wokenWhileBusy = false;
  /** The position of the last event taken (yielded), or where the subscription starts. */
  position: bigint;

  constructor(
    from: bigint,
    private readonly window: TailWindow,
    private readonly settings: SubscriptionSettings,
    private readonly onClose: (s: SharedTailSubscription) => void,
  ) {
    this.position = from;
  }

  /**
   * An append was made: a subscription waiting at the head reads again now.
   * @param byOthers made outside this decorator (its next read goes to the store).
   */
  wake(byOthers: boolean): void {
    if (byOthers) this.storeReadDue = true;
    if (this.wakeUp) this.wakeUp();
    else this.wokenWhileBusy = true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    if (this.iterating) throw new Error('A subscription can be iterated only once');
    this.iterating = true;
    let caughtUp = false;
    try {
      const { pageSize, pollIntervalMs } = this.settings;
      while (!this.closed) {
        // caughtUp is only ever decided by a store read; once had, own appends may come from the window
        const covered = caughtUp && !this.storeReadDue ? this.settings.appendedTo() : undefined;
        this.storeReadDue = false; // a wake from outside during the read sets it again
        const page = await this.window.read(this.position, pageSize, covered);
        for (const event of page) {
          if (this.closed) return;
          this.position = event.position;
          yield { kind: 'event', event };
        }
        if (page.length === pageSize) {
          caughtUp = false;
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          if (this.closed) return;
          yield { kind: 'caughtUp', position: this.position };
          continue;
        }
        if (this.closed) return;
        if (this.wokenWhileBusy) {
          this.wokenWhileBusy = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.storeReadDue = true;
            resolve();
          }, pollIntervalMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
    } finally {
      this.closed = true;
      this.onClose(this);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp?.();
    this.onClose(this); // at once, not when a suspended iteration next resumes: it no longer holds the window
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
