import type { SyncScayleOrdersUseCase, SyncSummary } from '../../application/ingest/sync-scayle-orders.use-case';
import type { Lifecycle } from '../di/tokens';
import type { Logger } from '../logging/logger';

/**
 * The Admin API poller (phase 20, a scheduler): every `SCAYLE_SYNC_INTERVAL` it syncs each shop
 * country of `SCAYLE_SYNC_SHOPS`, one after another; off when no shops are configured. The first
 * run starts after min(interval, 10 s), so start-up is not held up by Scayle. Runs never overlap.
 * `stop()` aborts the run in flight — the Admin API request and any back-off wait end at once, so
 * SIGTERM is not held up by an unreachable Scayle — and logs that at info level: an interrupted
 * poll loses nothing, the next run starts again from the first page.
 */
export class ScayleSyncLifecycle implements Lifecycle {
  readonly name = 'scayle-sync';
  readonly phase = 20;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SyncSummary[]> | undefined;
  private stopped = false;
  private abort = new AbortController();

  constructor(
    private readonly sync: SyncScayleOrdersUseCase,
    private readonly shops: readonly { shopKey: string; countryCode: string }[],
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.shops.length === 0) return;
    this.stopped = false;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    this.schedule(Math.min(this.intervalMs, 10_000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  /**
   * One pass over every configured shop country (also what the timer runs): the summary of each shop
   * country synced to the end. Errors per shop are logged; a pass cut short by {@link stop} ends
   * with the shops synced so far.
   */
  async runOnce(): Promise<SyncSummary[]> {
    if (this.running) return this.running;
    const { signal } = this.abort;
    this.running = (async () => {
      const summaries: SyncSummary[] = [];
      for (const { shopKey, countryCode } of this.shops) {
        if (signal.aborted) break;
        try {
          const summary = await this.sync.syncShop(shopKey, countryCode, undefined, { signal });
          summaries.push(summary);
          this.logger.info({ component: this.name, ...summary }, 'Scayle orders synced');
        } catch (err) {
          if (signal.aborted) {
            this.logger.info({ component: this.name, shopKey, countryCode }, 'Scayle order sync stopped mid-poll');
            break;
          }
          this.logger.error({ component: this.name, shopKey, countryCode, err }, 'Scayle order sync failed');
        }
      }
      return summaries;
    })();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule(this.intervalMs));
    }, delay);
    this.timer.unref();
  }
}
