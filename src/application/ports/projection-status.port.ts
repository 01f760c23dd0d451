/**
 * Where a component that follows the log has got to (projection runner, freshness projection, order
 * directory, outbox dispatcher). Multi-bound under `TOKENS.ProjectionStatus`; `/v1/freshness` and
 * `/metrics` turn it into lag behind the log head.
 */
export interface ProjectionStatusSource {
  /** Stable name shown to operators (`freshness`, `outbox`, `reconciliation`…). */
  readonly name: string;
  /** Position of the last log event the component has processed (`0n` before the first). */
  position(): Promise<bigint> | bigint;
  /**
   * Someone waits for the component to reach `position`: one that gathers events before it writes
   * them (the projection runner's batch linger) writes as soon as it holds the position.
   */
  hurry?(position: bigint): void;
}
