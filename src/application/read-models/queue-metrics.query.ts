/**
 * Figures of the exception queue and the findings for `/metrics` (issue 9 "findings by code,
 * exceptions by queue and age bucket"), read at scrape time with index-backed count queries only —
 * never a scan — so a scrape costs the same with ten or ten million documents:
 * - active exceptions (`open`, `acknowledged`, `assigned`) per owner queue and age bucket (age =
 *   now − `openedAt`), and those past `dueAt` (overdue), from the `exceptions` collection
 *   (indexes `owner, status, openedAt` and `owner, status, dueAt`);
 * - reconciliations carrying a current finding of each code, from the multi-valued `findingCodes`
 *   index of `reconciliations` (auto-accepted rounding differences included).
 */
import { ACTIVE_STATUSES } from '../../domain/exception/exception.decide';
import { FINDING_CODE_LIST, type FindingOwner } from '../../domain/shared/findings';
import type { Clock } from '../ports/clock.port';
import type { ReadModelStore } from '../ports/read-model-store.port';

export const OWNERS: readonly FindingOwner[] = ['finance', 'operations', 'cx'];

/** Age buckets of active exceptions: upper bounds in days (the last bucket is open-ended). */
export const AGE_BUCKETS: readonly { label: string; upToDays?: number }[] = [{ label: '<1d', upToDays: 1 }, { label: '1-3d', upToDays: 3 }, { label: '3-7d', upToDays: 7 }, { label: '>7d' }];

export interface ExceptionQueueFigures {
  /** Active exceptions per owner and age bucket (every combination present, zeros included). */
  open: { owner: FindingOwner; age: string; count: number }[];
  /** Active exceptions past their `dueAt`, per owner. */
  overdue: { owner: FindingOwner; count: number }[];
}

const DAY_MS = 86_400_000;

export class QueueMetricsQuery {
  constructor(
    private readonly store: ReadModelStore,
    private readonly clock: Clock,
  ) {}

  async exceptions(): Promise<ExceptionQueueFigures> {
    const now = this.clock.now().getTime();
    const nowIso = new Date(now).toISOString();
    const bounds = AGE_BUCKETS.flatMap((b) => (b.upToDays === undefined ? [] : [new Date(now - b.upToDays * DAY_MS).toISOString()]));
    const perOwner = await Promise.all(
      OWNERS.map(async (owner) => {
        // Per status, so every count is one range of a compound index.
        const perStatus = await Promise.all(
          ACTIVE_STATUSES.map((status) =>
            Promise.all([
              this.store.count('exceptions', { owner, status }),
              ...bounds.map((since) => this.store.count('exceptions', { owner, status, openedAt: { $gt: since } })),
              this.store.count('exceptions', { owner, status, dueAt: { $lt: nowIso } }),
            ]),
          ),
        );
        const sum = (i: number) => perStatus.reduce((n, counts) => n + counts[i]!, 0);
        const total = sum(0);
        // newer[i]: opened within bucket i's upper bound; cumulative, so buckets are differences.
        const newer = bounds.map((_, i) => sum(i + 1));
        const open = AGE_BUCKETS.map((b, i) => {
          const upTo = i < newer.length ? newer[i]! : total;
          const from = i === 0 ? 0 : newer[i - 1]!;
          return { owner, age: b.label, count: Math.max(0, upTo - from) };
        });
        return { open, overdue: { owner, count: sum(bounds.length + 1) } };
      }),
    );
    return { open: perOwner.flatMap((o) => o.open), overdue: perOwner.map((o) => o.overdue) };
  }

  /** Reconciliations with at least one current finding of each code (every code present, zeros included). */
  async findingsByCode(): Promise<{ code: string; count: number }[]> {
    return Promise.all(FINDING_CODE_LIST.map(async (code) => ({ code, count: await this.store.count('reconciliations', { findingCodes: code }) })));
  }
}
