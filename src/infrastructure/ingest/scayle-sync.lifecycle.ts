import type { SyncScayleOrdersUseCase, SyncSummary } from '../../application/ingest/sync-scayle-orders.use-case';
import type { Lifecycle } from '../di/tokens';
import type { Logger } from '../logging/logger';

/**
 * The Admin API poller (phase 20, a scheduler): every `SCAYLE_SYNC_INTERVAL` it syncs each shop
 * country of `SCAYLE_SYNC_SHOPS`, one after another; off when no shops are configured. The first
 * run starts after min(interval, 10 s), so start-up is not held up by Scayle. Runs never overlap;
 * `stop()` waits for the run in flight.
 */
export class ScayleSyncLifecycle implements Lifecycle {
  readonly name = 'scayle-sync';
  readonly phase = 20;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SyncSummary[]> | undefined;
  private stopped = false;

  constructor(
    private readonly sync: SyncScayleOrdersUseCase,
    private readonly shops: readonly { shopKey: string; countryCode: string }[],
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.shops.length === 0) return;
    this.stopped = false;
    this.schedule(Math.min(this.intervalMs, 10_000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over every configured shop country (also what the timer runs). Errors per shop are logged. */
  async runOnce(): Promise<SyncSummary[]> {
    if (this.running) return this.running;
    this.running = (async () => {
      const summaries: SyncSummary[] = [];
      for (const { shopKey, countryCode } of this.shops) {
        if (this.stopped) break;
        try {
          const summary = await this.sync.syncShop(shopKey, countryCode);
          summaries.push(summary);
          this.logger.info({ component: this.name, ...summary }, 'Scayle orders synced');
        } catch (err) {
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
