/**
 * Serialises async work per key inside this process. Ingestion reads a stream, decides which facts
 * are new and appends at the revision it read; running that per stream one at a time lets the second
 * of two concurrent identical deliveries see the first one's facts (and answer `duplicate`) instead
 * of racing it. Across processes the store's expected-revision check and idempotent appends decide.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
