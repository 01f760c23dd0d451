import { ContainerModule } from 'inversify';
import { MappedReconciliationPolicy } from '../../../application/mapping/mapped-reconciliation-policy';
import { MappingsService } from '../../../application/mapping/mappings.service';
import type { ReconciliationPolicyProvider } from '../../../application/ports/reconciliation-policy.port';
import type { Config } from '../../config/config';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { MappingsController } from '../../http/mappings/mappings.controller';
import { TOKENS } from '../tokens';

/** Tax-code and item mappings (service and routes) and the reconciliation policy they feed. */
export const mappingsModule = new ContainerModule(({ bind }) => {
  bind<MappingsService>(TOKENS.Mappings).toDynamicValue((ctx) => new MappingsService(ctx.get<EventStore>(TOKENS.EventStore), ctx.get<Clock>(TOKENS.Clock)));
  bind<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    const { erpProfile, materialityCap, graceWindows } = config.reconciliation;
    return new MappedReconciliationPolicy(
      { erpProfile, timezone: config.timezone, exportTrigger: config.erpExport.trigger, graceWindows, ...(materialityCap ? { materialityCap } : {}) },
      ctx.get<MappingsService>(TOKENS.Mappings),
    );
  });
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue((ctx) => new MappingsController(ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), ctx.get<MappingsService>(TOKENS.Mappings)));
});
