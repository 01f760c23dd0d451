import type { ProjectionProgress } from '../../domain/period/period.decide';
import type { ProjectionStatus } from '../ports/period-close.port';
import type { ProjectionStatusSource } from '../ports/projection-status.port';

/**
 * {@link ProjectionStatus} over every component that follows the log (`ProjectionStatusSource`s:
 * projection runner, freshness projection, outbox…): asks each to hurry to the position (the runner
 * then writes the batch holding it without its linger), polls their positions until all have reached
 * it or the timeout runs out, then answers where each one is.
 */
export class ProjectionCatchUp implements ProjectionStatus {
  constructor(
    private readonly sources: () => readonly ProjectionStatusSource[],
    private readonly pollMs = 25,
  ) {}

  async waitForPosition(position: bigint, timeoutMs: number): Promise<ProjectionProgress[]> {
    const deadline = Date.now() + timeoutMs;
    for (const s of this.sources()) s.hurry?.(position);
    for (;;) {
      const progress = await Promise.all(this.sources().map(async (s) => ({ name: s.name, position: await s.position() })));
      if (progress.every((p) => p.position >= position) || Date.now() >= deadline) return progress;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, Math.max(1, deadline - Date.now()))));
    }
  }
}
