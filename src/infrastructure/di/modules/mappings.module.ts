import { ContainerModule } from 'inversify';
import { MappingsService } from '../../../application/mapping/mappings.service';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { MappingsController } from '../../http/mappings/mappings.controller';
import { TOKENS } from '../tokens';

/** Tax-code and item mappings: the service (also read by the reconciliation policy) and its routes. */
export const mappingsModule = new ContainerModule(({ bind }) => {
  bind<MappingsService>(TOKENS.Mappings).toDynamicValue((ctx) => new MappingsService(ctx.get<EventStore>(TOKENS.EventStore), ctx.get<Clock>(TOKENS.Clock)));
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue((ctx) => new MappingsController(ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), ctx.get<MappingsService>(TOKENS.Mappings)));
});
