import type { AllSubscription, EventStore } from '../../application/ports/event-store.port';
import type { ProjectionStatusSource } from '../../application/ports/projection-status.port';
import type { FreshnessStateSource } from '../../application/freshness/freshness.service';
import { emptyFreshnessState, foldFreshness, FreshnessState } from '../../application/freshness/freshness.tracker';
import type { Lifecycle } from '../di/tokens';
import type { Logger } from '../logging/logger';
import type { SqliteFreshnessStore } from './sqlite-freshness-store';

/** Save after this many events, and at most this long after the last unsaved one. */
const SAVE_EVERY_EVENTS = 1000;
const SAVE_AFTER_MS = 1000;

/**
 * The freshness projection: a catch-up subscription from its checkpoint that folds every event
 * into the per-source figures ({@link foldFreshness}). `start()` returns once caught up, so
 * `/v1/freshness` is right from the first request after a restart. Phase 10 (projections).
 */
export class FreshnessProjection implements Lifecycle, FreshnessStateSource, ProjectionStatusSource {
  readonly name = 'freshness';
  readonly phase = 10;
  private current: FreshnessState = emptyFreshnessState();
  private subscription: AllSubscription | undefined;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsaved = 0;
  private waiters: { position: bigint; resolve: () => void }[] = [];

  constructor(
    private readonly log: EventStore,
    private readonly store: SqliteFreshnessStore,
    private readonly retentionMinutes: number,
    private readonly logger: Logger,
  ) {}

  state(): FreshnessState {
    return this.current;
  }

  position(): bigint {
    return BigInt(this.current.position);
  }

  /**
   * Resolves once the projection has folded the event at `position` (read-your-writes for
   * `GET /v1/freshness?minPosition=`), or after `timeoutMs`; answers whether it got there.
   */
  async waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.position() >= position) return true;
    return new Promise<boolean>((resolve) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async start(): Promise<void> {
    this.current = this.store.load() ?? emptyFreshnessState();
    const from = BigInt(this.current.position);
    const subscription = this.log.subscribeToAll({ fromPosition: from === 0n ? 'start' : from });
    this.subscription = subscription;
    let caughtUp!: () => void;
    let failed!: (err: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      caughtUp = resolve;
      failed = reject;
    });
    this.loop = (async () => {
      try {
        for await (const message of subscription) {
          if (message.kind === 'caughtUp') {
            this.save();
            caughtUp();
            continue;
          }
          const { event } = message;
          foldFreshness(this.current, event, this.retentionMinutes);
          if (this.waiters.length > 0) this.release(event.position);
          if (event.metadata.correlationId) this.logger.trace({ correlationId: event.metadata.correlationId, eventId: event.id, type: event.type, position: String(event.position) }, 'freshness: event folded');
          if (++this.unsaved >= SAVE_EVERY_EVENTS) this.save();
          else this.timer ??= setTimeout(() => this.save(), SAVE_AFTER_MS);
        }
      } catch (err) {
        this.logger.error({ err }, 'freshness projection failed');
        failed(err);
      }
    })();
    await ready;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.loop;
    this.save();
    this.store.close();
  }

  private release(position: bigint): void {
    const done = this.waiters.filter((w) => w.position <= position);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const w of done) w.resolve();
  }

  private save(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.unsaved = 0;
    this.store.save(this.current);
  }
}
