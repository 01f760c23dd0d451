/**
 * A sleep that another part of the same worker can cut short: background loops (ERP export
 * scheduler, outbox dispatcher) wait for their next interval here and are woken early by new work or
 * by `stop()`. At most one sleeper at a time.
 */
export class WakeableSleep {
  private wakeCurrent: (() => void) | undefined;

  /** Resolves after `ms` milliseconds, or earlier at {@link wake}. Never rejects. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeCurrent === done) this.wakeCurrent = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeCurrent = done;
    });
  }

  /** Ends the current sleep now; does nothing when nobody sleeps. */
  wake(): void {
    this.wakeCurrent?.();
  }
}
