import { ContainerModule } from 'inversify';
import { DecideExceptionHandler } from '../../../application/exception/decide-exception.handler';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { ProjectionMonitor } from '../../../application/ports/projection-monitor.port';
import type { ReadModelQueries } from '../../../application/read-models/read-model.queries';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { ExceptionsController } from '../../http/exceptions/exceptions.controller';
import { TOKENS } from '../tokens';

/**
 * The exception workflow (issue 6): `GET /v1/exceptions/{exceptionId}` and the decisions
 * (acknowledge, assign, resolve, reopen), on the exception read model and the projection monitor.
 */
export const exceptionsModule = new ContainerModule(({ bind }) => {
  bind<DecideExceptionHandler>(TOKENS.DecideExceptionHandler).toDynamicValue(
    (ctx) => new DecideExceptionHandler(ctx.get<EventStore>(TOKENS.EventStore), ctx.get<ReadModelQueries>(TOKENS.ReadModelQueries), ctx.get<ProjectionMonitor>(TOKENS.ProjectionMonitor), ctx.get<Clock>(TOKENS.Clock)),
  );
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) =>
      new ExceptionsController(
        ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys),
        ctx.get<DecideExceptionHandler>(TOKENS.DecideExceptionHandler),
        ctx.get<ReadModelQueries>(TOKENS.ReadModelQueries),
        ctx.get<ProjectionMonitor>(TOKENS.ProjectionMonitor),
      ),
  );
});
