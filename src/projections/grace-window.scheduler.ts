/**
 * Time-based findings (issue 5): a pending order (a counterpart still inside its grace window) turns
 * into `MISSING_IN_ERP`, `ORPHAN_REFUND`, … when the window expires, with no new event to trigger it.
 * This scheduler (a `Lifecycle`, phase 20) asks the read model for pending orders whose `reviewAt`
 * has passed by the Clock port's time and has the runner re-evaluate them at that time, serialised
 * with its batches. Tests drive {@link GraceWindowScheduler.tick} with a fake clock.
 */
import type { Clock } from '../application/ports/clock.port';
import type { ReadModelStore } from '../application/ports/read-model-store.port';
import { RECONCILIATIONS, type ReconciliationProjection } from './reconciliation.projection';
import type { ProjectionRunner } from './runner';

export class GraceWindowScheduler {
  readonly name = 'grace-window scheduler';
  readonly phase = 20;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly store: ReadModelStore,
    private readonly runner: ProjectionRunner,
    private readonly projection: ReconciliationProjection,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .catch(this.onError)
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Re-evaluates every pending order due by now (pages of 200). Returns the stream ids re-evaluated. */
  async tick(): Promise<string[]> {
    const now = this.clock.now().toISOString();
    const done: string[] = [];
    for (;;) {
      const page = await this.store.find(RECONCILIATIONS, { filter: { status: 'pending', reviewAt: { $lte: now } }, sort: [{ field: 'reviewAt', direction: 'asc', type: 'string' }], limit: 200 });
      if (page.items.length === 0) return done;
      let changed: string[] = [];
      await this.runner.runOutOfBand(this.projection.name, async (ctx, load) => {
        changed = await this.projection.reevaluate(
          page.items.map((d) => d._id),
          now,
          ctx,
          load,
        );
      });
      done.push(...changed);
      if (changed.length === 0 || page.items.length < 200) return done;
    }
  }
}
