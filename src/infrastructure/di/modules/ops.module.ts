import { join } from 'node:path';
import { ensureDirectory } from '../../config/directories';
import { ContainerModule } from 'inversify';
import { FreshnessService, ProjectionLagReader } from '../../../application/freshness/freshness.service';
import { ProjectionCatchUp } from '../../../application/period/projection-catch-up';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OutboxDispatcher } from '../../../application/outbox/outbox-dispatcher';
import type { OutboxStore } from '../../../application/ports/outbox-store.port';
import type { ProjectionStatusSource } from '../../../application/ports/projection-status.port';
import type { Config } from '../../config/config';
import { FreshnessProjection } from '../../freshness/freshness.projection';
import { SqliteFreshnessStore } from '../../freshness/sqlite-freshness-store';
import { StaleSyncMonitor } from '../../freshness/stale-sync.monitor';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { ExceptionsFallbackRoutes, OpsController } from '../../http/ops/ops.controller';
import type { Logger } from '../../logging/logger';
import type { LedgerMetrics, MetricsSource } from '../../observability/metrics';
import { FreshnessMetrics, OutboxMetrics } from '../../observability/ops-metrics';
import { Lifecycle, TOKENS } from '../tokens';

/**
 * Operations (issue 9): the freshness projection (`<dataDir>/freshness.db`, phase 10), the
 * STALE_SYNC monitor (phase 20), `/v1/freshness`, `/metrics` and the gauges they read.
 */
export const opsModule = new ContainerModule(({ bind }) => {
  bind<FreshnessProjection>(TOKENS.FreshnessProjection).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    ensureDirectory(config.dataDir, 'LEDGER_DATA_DIR');
    const retentionMinutes = Math.ceil(Math.max(...config.ops.freshnessWindowsMs) / 60_000);
    return new FreshnessProjection(
      ctx.get<EventStore>(TOKENS.EventStore),
      new SqliteFreshnessStore(join(config.dataDir, 'freshness.db'), config.sqliteSynchronous),
      retentionMinutes,
      ctx.get<Logger>(TOKENS.Logger).child({ component: 'freshness' }),
    );
  });
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue((ctx) => ctx.get<FreshnessProjection>(TOKENS.FreshnessProjection));
  bind<ProjectionStatusSource>(TOKENS.ProjectionPositions).toDynamicValue((ctx) => ctx.get<FreshnessProjection>(TOKENS.FreshnessProjection));
  bind<ProjectionStatusSource>(TOKENS.ProjectionPositions).toDynamicValue((ctx) => {
    const outbox = ctx.get<OutboxStore>(TOKENS.OutboxStore);
    const dispatcher = ctx.get<OutboxDispatcher>(TOKENS.OutboxDispatcher);
    // What the dispatcher has read, not only what it has written down (see OutboxDispatcher.position).
    return {
      name: 'outbox',
      position: async () => {
        const stored = await outbox.checkpoint();
        return dispatcher.position > stored ? dispatcher.position : stored;
      },
    };
  });
  bind<FreshnessService>(TOKENS.Freshness).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    const store = ctx.get<EventStore>(TOKENS.EventStore);
    const clock = ctx.get<Clock>(TOKENS.Clock);
    const sources = ctx.getAll<ProjectionStatusSource>(TOKENS.ProjectionPositions);
    const lags = new ProjectionLagReader(store, sources, clock);
    return new FreshnessService(store, ctx.get<FreshnessProjection>(TOKENS.FreshnessProjection), lags, clock, {
      windowsMs: config.ops.freshnessWindowsMs,
      thresholds: { erpLagMs: config.ops.staleErpLagMs, webhookSilenceMs: config.ops.staleWebhookSilenceMs, projectionLagMs: config.ops.staleProjectionLagMs },
      tradingHours: config.ops.tradingHours,
      timezone: config.timezone,
    }, new ProjectionCatchUp(() => sources));
  });
  bind<StaleSyncMonitor>(TOKENS.StaleSyncMonitor).toDynamicValue(
    (ctx) => new StaleSyncMonitor(ctx.get<FreshnessService>(TOKENS.Freshness), ctx.get<Config>(TOKENS.Config).ops.freshnessCheckIntervalMs, ctx.get<Logger>(TOKENS.Logger).child({ component: 'stale-sync' })),
  );
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue((ctx) => ctx.get<StaleSyncMonitor>(TOKENS.StaleSyncMonitor));
  bind<MetricsSource>(TOKENS.MetricsSource).toDynamicValue((ctx) => new FreshnessMetrics(ctx.get<FreshnessService>(TOKENS.Freshness)));
  bind<MetricsSource>(TOKENS.MetricsSource).toDynamicValue((ctx) => new OutboxMetrics(ctx.get<OutboxStore>(TOKENS.OutboxStore)));
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) => new OpsController(ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), ctx.get<FreshnessService>(TOKENS.Freshness), ctx.get<LedgerMetrics>(TOKENS.Metrics), ctx.get<EventStore>(TOKENS.EventStore)),
  );
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue((ctx) => new ExceptionsFallbackRoutes(ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys)));
});
