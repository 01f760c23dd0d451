import type { FreshnessService } from '../../application/freshness/freshness.service';
import type { Lifecycle } from '../di/tokens';
import type { Logger } from '../logging/logger';

/**
 * Runs the STALE_SYNC checks every `LEDGER_FRESHNESS_CHECK_INTERVAL` (first run right after start)
 * and logs each finding it opens or clears. Phase 20 (schedulers).
 */
export class StaleSyncMonitor implements Lifecycle {
  readonly name = 'stale-sync monitor';
  readonly phase = 20;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly freshness: FreshnessService,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One run (also what tests call). */
  async runOnce(): Promise<void> {
    const events = await this.freshness.check();
    for (const e of events) {
      if (e.type === 'StaleSyncDetected') this.logger.warn({ code: 'STALE_SYNC', checkId: e.data.checkId, kind: e.data.kind }, e.data.message);
      else this.logger.info({ code: 'STALE_SYNC', checkId: e.data.checkId, kind: e.data.kind }, e.data.message);
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => this.logger.error({ err }, 'stale-sync check failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.intervalMs);
        });
    }, delay);
    this.timer.unref();
  }
}
