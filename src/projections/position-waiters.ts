/**
 * Bounded waits for a position (read-your-writes, the period close): each waiter re-checks when
 * told that progress may have changed. Shared by the projection runner and the main thread's view
 * of a runner in the projection thread.
 */
export class PositionWaiters {
  private readonly waiters = new Set<() => void>();

  /**
   * @param reached the position every projection has reached now.
   * @param stopping true once waits should end at once (the runner or thread stops).
   */
  constructor(
    private readonly reached: () => bigint,
    private readonly stopping: () => boolean,
  ) {}

  /** Resolves true once {@link reached} is at or past `position`; false after `timeoutMs` or when stopping. */
  wait(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.reached() >= position) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const check = () => {
        if (this.reached() >= position || this.stopping()) {
          cleanup();
          resolve(this.reached() >= position);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve(this.reached() >= position);
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Progress may have changed (or a stop began): every waiter checks again. */
  notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
