/**
 * What closing a period asks of the read side (issue 7). The projection runner implements
 * {@link ProjectionStatus}; the exception-queue read model implements {@link OpenExceptionsReader}.
 * Until they are bound, the close uses the null objects below: no projection to wait for, and the
 * blocking check runs on the snapshot itself (authoritative either way).
 */
import type { OverriddenException } from '../../domain/period/period.events';
import type { ProjectionProgress } from '../../domain/period/period.decide';

export interface ProjectionStatus {
  /**
   * Waits up to `timeoutMs` for every projection to apply the log up to `position`, then answers
   * each projection's applied position (those still behind make the close refuse).
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<ProjectionProgress[]>;
}

export interface OpenExceptionsReader {
  /** Open exceptions of `period` whose code is one of `codes`, as the live queue shows them. */
  openOfCodes(period: string, codes: readonly string[]): Promise<OverriddenException[]>;
}

/** No projections registered: nothing to wait for. */
export const NO_PROJECTIONS: ProjectionStatus = { waitForPosition: () => Promise.resolve([]) };

/** No live exception queue: the close's blocking check runs on the snapshot only. */
export const NO_LIVE_EXCEPTIONS: OpenExceptionsReader = { openOfCodes: () => Promise.resolve([]) };
