import { ContainerModule } from 'inversify';
import { AsOfQuery } from '../../../application/period/as-of.query';
import { ClosePeriodHandler } from '../../../application/period/close-period.handler';
import { GetPeriodAdjustmentsQuery } from '../../../application/period/get-period-adjustments.query';
import { GetPeriodSnapshotsQuery } from '../../../application/period/get-period-snapshots.query';
import { LogReplayEngine } from '../../../application/period/log-replay.engine';
import { ReopenPeriodHandler } from '../../../application/period/reopen-period.handler';
import { ReplayPeriodHandler } from '../../../application/period/replay-period.handler';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OrderDirectory } from '../../../application/ports/order-directory.port';
import type { OpenExceptionsReader, ProjectionStatus } from '../../../application/ports/period-close.port';
import type { ProjectionStatusSource } from '../../../application/ports/projection-status.port';
import { ProjectionCatchUp } from '../../../application/period/projection-catch-up';
import { ReconciliationPolicySource } from '../../../application/reconciliation/policy.source';
import type { Config } from '../../config/config';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { AsOfController } from '../../http/periods/as-of.controller';
import { PeriodsController, type PeriodsServices } from '../../http/periods/periods.controller';
import { TOKENS } from '../tokens';

/**
 * Periods (issue 7): close/reopen, snapshots, adjustments, audit replay, as-of queries.
 *
 * The close waits for every `ProjectionStatusSource` (multi-bound under `TOKENS.ProjectionPositions`
 * by the components that follow the log) to reach the head. `OpenExceptionsReader` (the live
 * exception queue) is bound by the projections module.
 */
/**
 * Log followers that feed no view finance reads: the outbox dispatcher only sends commands to Scayle
 * (and its checkpoint stands still while nothing is owed), and the ERP export index only schedules
 * exports (the reconciliation reads export facts from the order streams), so a close does not wait
 * for them.
 */
const NOT_VIEWS: ReadonlySet<string> = new Set(['outbox', 'erp-export']);

export const periodsModule = new ContainerModule(({ bind }) => {
  bind<ReconciliationPolicySource>(TOKENS.ReconciliationPolicies).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    return new ReconciliationPolicySource(ctx.get<EventStore>(TOKENS.EventStore), {
      timezone: config.timezone,
      erpProfile: config.reconciliation.erpProfile,
      graceWindows: config.reconciliation.graceWindows,
      ...(config.reconciliation.materialityCap !== undefined ? { materialityCap: config.reconciliation.materialityCap } : {}),
    });
  });
  bind<ProjectionStatus>(TOKENS.ProjectionStatus).toDynamicValue(
    (ctx) =>
      new ProjectionCatchUp(() =>
        ctx.getAll<ProjectionStatusSource>(TOKENS.ProjectionPositions, { optional: true }).filter((s) => !NOT_VIEWS.has(s.name)),
      ),
  );
  bind<LogReplayEngine>(TOKENS.LogReplayEngine).toDynamicValue((ctx) => new LogReplayEngine(ctx.get<EventStore>(TOKENS.EventStore)));
  bind<PeriodsServices>(TOKENS.Periods).toDynamicValue((ctx) => {
    const events = ctx.get<EventStore>(TOKENS.EventStore);
    const clock = ctx.get<Clock>(TOKENS.Clock);
    const config = ctx.get<Config>(TOKENS.Config);
    const engine = ctx.get<LogReplayEngine>(TOKENS.LogReplayEngine);
    const policies = ctx.get<ReconciliationPolicySource>(TOKENS.ReconciliationPolicies);
    return {
      close: new ClosePeriodHandler(events, clock, engine, policies, ctx.get<ProjectionStatus>(TOKENS.ProjectionStatus), ctx.get<OpenExceptionsReader>(TOKENS.OpenExceptionsReader), {
        blockingCodes: config.periodClose.blockingCodes,
        catchUpTimeoutMs: config.periodClose.catchUpTimeoutMs,
      }),
      reopen: new ReopenPeriodHandler(events, clock),
      replay: new ReplayPeriodHandler(events, engine, policies),
      snapshots: new GetPeriodSnapshotsQuery(events),
      adjustments: new GetPeriodAdjustmentsQuery(events, policies),
    };
  });
  bind<AsOfQuery>(TOKENS.AsOfQuery).toDynamicValue(
    (ctx) =>
      new AsOfQuery(ctx.get<EventStore>(TOKENS.EventStore), ctx.get<OrderDirectory>(TOKENS.OrderDirectory), ctx.get<ReconciliationPolicySource>(TOKENS.ReconciliationPolicies), ctx.get<LogReplayEngine>(TOKENS.LogReplayEngine), ctx.get<Clock>(TOKENS.Clock)),
  );
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue((ctx) => new PeriodsController(ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), ctx.get<PeriodsServices>(TOKENS.Periods), ctx.get<EventStore>(TOKENS.EventStore)));
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue((ctx) => new AsOfController(ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), ctx.get<AsOfQuery>(TOKENS.AsOfQuery), ctx.get<EventStore>(TOKENS.EventStore)));
});
