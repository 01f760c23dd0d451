/**
 * Closes an accounting period (issue 7, DESIGN §7):
 * 1. read the period stream; wait (bounded) for every projection to reach the log head; ask the live
 *    queue for blocking exceptions — the decider refuses here with nothing appended (closed period,
 *    role, lagging projections, blocking exceptions without override);
 * 2. append `PeriodCloseStarted` (the soft lock); its log position is the cut;
 * 3. compute the snapshot from the log up to the cut with the replay engine (the same computation an
 *    audit replay runs later), chain it, hash it;
 * 4. append `PeriodCloseSnapshotRecorded` + `PeriodClosed`. If the snapshot shows blocking exceptions
 *    the live queue did not (or anything fails), append `PeriodCloseAborted` with the reason and
 *    rethrow: the attempt stays on record.
 */
import { randomUUID } from 'node:crypto';
import { RULES_VERSION } from '../../domain/order/rules/rules-version';
import { buildCloseSnapshot, type CloseSnapshot, type ReconciliationSettings } from '../../domain/period/close-snapshot';
import { decidePeriod, type PeriodCommand } from '../../domain/period/period.decide';
import type { PeriodEvent } from '../../domain/period/period.events';
import { periodStreamId } from '../../domain/shared/streams';
import type { Clock } from '../ports/clock.port';
import type { EventStore, ExpectedRevision } from '../ports/event-store.port';
import type { OpenExceptionsReader, ProjectionStatus } from '../ports/period-close.port';
import type { ReconciliationPolicySource } from '../reconciliation/policy.source';
import { commandEvents, commandMetadata, type CommandContext } from '../shared/command-context';
import type { LogReplayEngine, ReplayProgress } from './log-replay.engine';
import { previousHashAt, readPeriod } from './period-stream';
import { snapshotHash } from './snapshot-hash';

export interface ClosePeriodOptions {
  /** Finding codes whose open exceptions block a close. */
  blockingCodes: readonly string[];
  /** How long a close waits for lagging projections before refusing. */
  catchUpTimeoutMs: number;
}

/** Who asks, with the role of their key (the decider checks it). */
export interface PeriodCommandContext extends CommandContext {
  role: string;
}

export interface CloseResult {
  snapshot: CloseSnapshot;
  hash: string;
  /** Log position of `PeriodClosed`. */
  closedPosition: bigint;
  eventsReplayed: number;
}

/** Computes a period's snapshot body at a cut from the log (shared by close and replay). */
export async function computeSnapshot(
  deps: { events: EventStore; engine: LogReplayEngine; policies: ReconciliationPolicySource },
  input: { period: string; version: number; cut: bigint; cutAt: string; settings: ReconciliationSettings; startedBy: string; blockingCodes: readonly string[]; overrideReason?: string },
  onProgress?: (p: ReplayProgress) => void,
): Promise<{ snapshot: CloseSnapshot; eventsReplayed: number }> {
  const { policy, mappings } = await deps.policies.at(input.cut, input.settings);
  const replayed = await deps.engine.replay({ bound: { position: input.cut }, now: input.cutAt, policy, period: input.period, ...(onProgress ? { onProgress } : {}) });
  const snapshot = buildCloseSnapshot({
    period: input.period,
    version: input.version,
    timezone: input.settings.timezone,
    position: input.cut,
    cutAt: input.cutAt,
    rulesVersion: RULES_VERSION,
    policy: { settings: input.settings, mappings },
    previousHash: await previousHashAt(deps.events, input.period, input.cut),
    close: { startedBy: input.startedBy, blockingCodes: input.blockingCodes, ...(input.overrideReason !== undefined ? { overrideReason: input.overrideReason } : {}) },
    totals: replayed.totals,
    counts: replayed.counts,
    openExceptions: replayed.openExceptions,
  });
  return { snapshot, eventsReplayed: replayed.eventsReplayed };
}

export class ClosePeriodHandler {
  constructor(
    private readonly events: EventStore,
    private readonly clock: Clock,
    private readonly engine: LogReplayEngine,
    private readonly policies: ReconciliationPolicySource,
    private readonly projections: ProjectionStatus,
    private readonly liveExceptions: OpenExceptionsReader,
    private readonly options: ClosePeriodOptions,
  ) {}

  /**
   * Closes `period`, optionally overriding blocking exceptions with a reason.
   * @throws DomainError (`period_closed`, `role_not_allowed`, `projections_lagging`,
   *   `blocking_exceptions`, `override_reason_required`), ConcurrencyConflictError when another
   *   close or reopen raced this one.
   */
  async close(period: string, ctx: PeriodCommandContext, override?: { reason: string }): Promise<CloseResult> {
    const stream = periodStreamId(period);
    const history = await readPeriod(this.events, period);
    const head = await this.events.headPosition();
    const projections = await this.projections.waitForPosition(head, this.options.catchUpTimeoutMs);
    const blocking = await this.liveExceptions.openOfCodes(period, this.options.blockingCodes);
    const closeId = randomUUID();
    const at = this.clock.now().toISOString();
    const settings = this.policies.settings;
    const start = decidePeriod(
      {
        type: 'StartPeriodClose',
        data: { period, closeId, at, actor: ctx.actor, role: ctx.role, head, projections, blockingCodes: this.options.blockingCodes, settings, blocking, ...(override ? { overrideReason: override.reason } : {}) },
      },
      history.state,
    );
    const started = await this.append(stream, start, closeId, ctx, at, history.revision);
    const cut = started.position;
    let revision = started.nextExpectedRevision;
    try {
      const startedData = (start[0] as Extract<PeriodEvent, { type: 'PeriodCloseStarted' }>).data;
      const version = history.state.closes.length + 1;
      const { snapshot, eventsReplayed } = await computeSnapshot(
        { events: this.events, engine: this.engine, policies: this.policies },
        { period, version, cut, cutAt: at, settings, startedBy: ctx.actor, blockingCodes: startedData.blockingCodes, ...(startedData.override ? { overrideReason: startedData.override.reason } : {}) },
      );
      const hash = snapshotHash(snapshot);
      const state = (await readPeriod(this.events, period)).state;
      const closedAt = this.clock.now().toISOString();
      const done = decidePeriod({ type: 'CompletePeriodClose', data: { period, closeId, at: closedAt, actor: ctx.actor, hash, snapshot } }, state);
      const closed = await this.append(stream, done, `${closeId}:complete`, ctx, closedAt, revision);
      revision = closed.nextExpectedRevision;
      return { snapshot, hash, closedPosition: closed.position, eventsReplayed };
    } catch (err) {
      await this.abort(period, closeId, ctx, revision, err);
      throw err;
    }
  }

  private async abort(period: string, closeId: string, ctx: PeriodCommandContext, revision: bigint, cause: unknown): Promise<void> {
    const reason = cause instanceof Error ? `${(cause as { code?: string }).code ?? cause.name}: ${cause.message}` : String(cause);
    const at = this.clock.now().toISOString();
    try {
      const state = (await readPeriod(this.events, period)).state;
      const events = decidePeriod({ type: 'AbortPeriodClose', data: { period, closeId, at, reason } } satisfies PeriodCommand, state);
      if (events.length > 0) await this.append(periodStreamId(period), events, `${closeId}:abort`, ctx, at, revision);
    } catch {
      // The close stays in `closing`; the next close restarts it (see the decider).
    }
  }

  private append(stream: string, decided: PeriodEvent[], commandId: string, ctx: CommandContext, at: string, expected: ExpectedRevision) {
    return this.events.appendToStream(stream, commandEvents(decided, commandId, commandMetadata(ctx, commandId, at)), { expectedRevision: expected });
  }
}

