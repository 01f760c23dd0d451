import { join } from 'node:path';
import { ensureDirectory } from '../../config/directories';
import { ContainerModule } from 'inversify';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OpenExceptionsReader } from '../../../application/ports/period-close.port';
import type { ProjectionMonitor } from '../../../application/ports/projection-monitor.port';
import type { ProjectionStatusSource } from '../../../application/ports/projection-status.port';
import type { ReadModelStore } from '../../../application/ports/read-model-store.port';
import type { ReconciliationPolicyProvider } from '../../../application/ports/reconciliation-policy.port';
import { ReadModelQueries } from '../../../application/read-models/read-model.queries';
import { CarriedAdjustmentsQuery } from '../../../application/period/carried-adjustments.query';
import { QueueMetricsQuery } from '../../../application/read-models/queue-metrics.query';
import { ExceptionMetrics } from '../../observability/exception-metrics';
import type { MetricsSource } from '../../observability/metrics';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { ReadModelController } from '../../http/queries/read-model.controller';
import { LiveExceptionsReader } from '../../../application/read-models/live-exceptions.reader';
import type { FindingOwner, FindingSeverity } from '../../../domain/shared/findings';
import { deadLetterException, type SlaPolicy } from '../../../projections/exception-queue';
import { OrderHistoryProjection } from '../../../projections/order-history.projection';
import type { Projection } from '../../../projections/projection';
import { ReconciliationProjection } from '../../../projections/reconciliation.projection';
import { ProjectionRunner, type RunnerOptions } from '../../../projections/runner';
import { GraceWindowScheduler } from '../../../projections/grace-window.scheduler';
import { ProjectionThread } from '../../projections-thread/projection-thread';
import type { Config } from '../../config/config';
import type { Logger } from '../../logging/logger';
import { SqliteReadModelStore } from '../../read-models/sqlite/sqlite-read-model-store';
import { HealthCheck, Lifecycle, TOKENS } from '../tokens';
import type { ListCursors } from '../../http/pagination';

/** Picks the read-model adapter: MongoDB when `MONGODB_URI` is set, else `LEDGER_DATA_DIR/read-models.db`. */
export function createReadModelStore(config: Config): ReadModelStore {
  if (config.mongodbUri) {
    // Loaded only when configured: the MongoDB driver adds about 20 MiB to a process.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MongoReadModelStore } = require('../../read-models/mongo/mongo-read-model-store') as typeof import('../../read-models/mongo/mongo-read-model-store');
    return MongoReadModelStore.fromUri(config.mongodbUri, config.mongodbDatabase);
  }
  ensureDirectory(config.dataDir, 'LEDGER_DATA_DIR');
  return new SqliteReadModelStore({ filename: join(config.dataDir, 'read-models.db') });
}

/** SLA per owner (and optionally severity) from `LEDGER_EXCEPTION_SLA`. */
export function slaFromConfig(config: Config): SlaPolicy {
  const sla = config.projections.exceptionSlaMs;
  return (owner: FindingOwner, severity: FindingSeverity) => sla[`${owner}:${severity}`] ?? sla[owner] ?? 86_400_000;
}

/** Every projection of the service (the rebuild CLI names them). */
export function createProjections(config: Config, events: EventStore, policies: ReconciliationPolicyProvider): Projection[] {
  return [
    new ReconciliationProjection(events, policies, {
      timezone: config.timezone,
      cacheSize: config.projections.stateCacheSize,
      sla: slaFromConfig(config),
      reviewAfterMs: config.projections.pendingReviewAfterMs,
    }),
    new OrderHistoryProjection(),
  ];
}

/** A runner over `projections` with the configured batching. */
export function createRunner(config: Config, events: EventStore, store: ReadModelStore, projections: Projection[], clock: Clock, extra: RunnerOptions = {}): ProjectionRunner {
  const sla = slaFromConfig(config);
  return new ProjectionRunner(events, store, projections, clock, {
    batchSize: config.projections.batchSize,
    maxLatencyMs: config.projections.maxLatencyMs,
    deadLetterWrites: (d) => [deadLetterException(d, sla)],
    ...extra,
  });
}

/** The projections' names, in the runner's order (those of {@link createProjections}). */
export const PROJECTION_NAMES: readonly string[] = ['reconciliation', 'order-history'];

/**
 * The projection work of a process, in start order: the runner, then the grace-window scheduler.
 * Started by the service's main thread (`LEDGER_PROJECTION_THREAD=main`) or by the projection
 * thread; stopped in reverse order.
 */
export function projectionWork(ctx: { get<T>(id: symbol): T }): Lifecycle[] {
  const config = ctx.get<Config>(TOKENS.Config);
  const runner = ctx.get<ProjectionRunner>(TOKENS.ProjectionRunner);
  const logger = ctx.get<Logger>(TOKENS.Logger);
  const reconciliation = runner.projections.find((p): p is ReconciliationProjection => p instanceof ReconciliationProjection)!;
  const scheduler = new GraceWindowScheduler(ctx.get<ReadModelStore>(TOKENS.ReadModelStore), runner, reconciliation, ctx.get<Clock>(TOKENS.Clock), config.projections.reevaluateIntervalMs, (err) =>
    logger.error({ err }, 'grace-window re-evaluation failed'),
  );
  return [{ name: 'projection runner', phase: 10, start: () => runner.start(), stop: () => runner.stop() }, scheduler];
}

/**
 * Read models (issue 5): the store, the projection runner (phase 10, inside `npm start`), its
 * monitor (lag, caught-up, waitForPosition), its positions for /v1/freshness and the period close,
 * and the live exception queue the close checks.
 */
export const projectionsModule = new ContainerModule(({ bind }) => {
  bind<ReadModelStore>(TOKENS.ReadModelStore)
    .toDynamicValue((ctx) => createReadModelStore(ctx.get<Config>(TOKENS.Config)))
    .inSingletonScope();
  bind<HealthCheck>(TOKENS.HealthCheck).toDynamicValue((ctx) => {
    const store = ctx.get<ReadModelStore>(TOKENS.ReadModelStore);
    return { name: 'read-models', kind: store.kind, check: () => store.ping() };
  });
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue((ctx) => {
    const store = ctx.get<ReadModelStore>(TOKENS.ReadModelStore);
    return {
      name: `read-models (${store.kind})`,
      phase: 0,
      async start() {
        const answer = await store.ping();
        if (!answer.ok) throw new Error(`The read-model store (${store.kind}) does not answer: ${answer.detail ?? 'no detail'}`);
      },
      stop: () => store.close(),
    };
  });
  bind<ProjectionRunner>(TOKENS.ProjectionRunner)
    .toDynamicValue((ctx) => {
      const config = ctx.get<Config>(TOKENS.Config);
      if (config.projections.thread === 'worker') throw new Error('The projection runner works in the projection thread (LEDGER_PROJECTION_THREAD=worker): ask for TOKENS.ProjectionMonitor');
      const events = ctx.get<EventStore>(TOKENS.EventStore);
      const projections = createProjections(config, events, ctx.get<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy));
      return createRunner(config, events, ctx.get<ReadModelStore>(TOKENS.ReadModelStore), projections, ctx.get<Clock>(TOKENS.Clock), {
        logger: ctx.get<Logger>(TOKENS.Logger),
      });
    })
    .inSingletonScope();
  bind<ProjectionThread>(TOKENS.ProjectionThread)
    .toDynamicValue((ctx) => {
      const config = ctx.get<Config>(TOKENS.Config);
      return new ProjectionThread(config, ctx.get<EventStore>(TOKENS.EventStore), ctx.get<ReadModelStore>(TOKENS.ReadModelStore), ctx.get<Logger>(TOKENS.Logger), PROJECTION_NAMES);
    })
    .inSingletonScope();
  bind<ProjectionMonitor>(TOKENS.ProjectionMonitor).toDynamicValue((ctx) =>
    ctx.get<Config>(TOKENS.Config).projections.thread === 'worker' ? ctx.get<ProjectionThread>(TOKENS.ProjectionThread) : ctx.get<ProjectionRunner>(TOKENS.ProjectionRunner),
  );
  // The runner and the grace-window scheduler: in this thread, or the projection thread that runs them.
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue((ctx) => {
    if (ctx.get<Config>(TOKENS.Config).projections.thread === 'worker') return ctx.get<ProjectionThread>(TOKENS.ProjectionThread);
    const parts = projectionWork(ctx);
    return {
      name: 'projection runner',
      phase: 10,
      async start() {
        for (const part of parts) await part.start();
      },
      async stop() {
        for (const part of [...parts].reverse()) await part.stop();
      },
    };
  });
  // /v1/freshness and /metrics: one position source per projection.
  for (const name of PROJECTION_NAMES) {
    bind<ProjectionStatusSource>(TOKENS.ProjectionPositions).toDynamicValue((ctx) => {
      const monitor = ctx.get<ProjectionMonitor>(TOKENS.ProjectionMonitor);
      return { name, position: () => monitor.checkpoints().find((c) => c.name === name)?.position ?? 0n, hurry: (position: bigint) => monitor.hurry?.(position) };
    });
  }
  bind<ReadModelQueries>(TOKENS.ReadModelQueries).toDynamicValue((ctx) => new ReadModelQueries(ctx.get<ReadModelStore>(TOKENS.ReadModelStore), ctx.get<Clock>(TOKENS.Clock)));
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) => {
      const monitor = ctx.get<ProjectionMonitor>(TOKENS.ProjectionMonitor);
      const queries = ctx.get<ReadModelQueries>(TOKENS.ReadModelQueries);
      return new ReadModelController(ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), queries, ctx.get<ListCursors>(TOKENS.ListCursors), monitor, new CarriedAdjustmentsQuery(ctx.get<EventStore>(TOKENS.EventStore), queries, monitor));
    },
  );
  bind<MetricsSource>(TOKENS.MetricsSource).toDynamicValue((ctx) => new ExceptionMetrics(new QueueMetricsQuery(ctx.get<ReadModelStore>(TOKENS.ReadModelStore), ctx.get<Clock>(TOKENS.Clock))));
  bind<OpenExceptionsReader>(TOKENS.OpenExceptionsReader).toDynamicValue((ctx) => new LiveExceptionsReader(ctx.get<ReadModelStore>(TOKENS.ReadModelStore)));
});
