import { Container, ContainerModule } from 'inversify';
import { Clock, systemClock } from '../../application/ports/clock.port';
import type { Config } from '../config/config';
import { ApiKeyRegistry, loadOrCreateLocalKeys } from '../http/auth/api-keys';
import { createLogger, Logger } from '../logging/logger';
import { erpExportModule } from './modules/erp-export.module';
import { eventStoreModule } from './modules/event-store.module';
import { exceptionsModule } from './modules/exceptions.module';
import { ingestModule } from './modules/ingest.module';
import { mappingsModule } from './modules/mappings.module';
import { orderCommandsModule } from './modules/order-commands.module';
import { LedgerMetrics } from '../observability/metrics';
import { opsModule } from './modules/ops.module';
import { outboxModule } from './modules/outbox.module';
import { periodsModule } from './modules/periods.module';
import { projectionsModule } from './modules/projections.module';
import { TOKENS } from './tokens';
import { ListCursors } from '../http/pagination';

/**
 * Concept modules, in load order. Each binds its ports, handlers, lifecycles and HTTP routes;
 * adapters are chosen from `Config` only here.
 */
export const CONCEPT_MODULES: readonly ContainerModule[] = [eventStoreModule, ingestModule, mappingsModule, orderCommandsModule, outboxModule, periodsModule, opsModule, erpExportModule, projectionsModule, exceptionsModule];

export interface ContainerOverrides {
  logger?: Logger;
  clock?: Clock;
}

/**
 * The single composition root (HOUSE-STYLE "Dependency injection"). No I/O happens here: see bootstrap.
 * A clock or logger passed in `overrides` (tests) cannot cross into a worker thread, so with either
 * the projections work in the main thread whatever `LEDGER_PROJECTION_THREAD` says.
 */
export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  if ((overrides.clock || overrides.logger) && config.projections.thread === 'worker') config = { ...config, projections: { ...config.projections, thread: 'main' } };
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<Config>(TOKENS.Config).toConstantValue(config);
  container.bind<Logger>(TOKENS.Logger).toConstantValue(overrides.logger ?? createLogger(config.logLevel));
  container.bind<LedgerMetrics>(TOKENS.Metrics).toConstantValue(new LedgerMetrics());
  container.bind<Clock>(TOKENS.Clock).toConstantValue(overrides.clock ?? systemClock);
  container.bind<ListCursors>(TOKENS.ListCursors).toConstantValue(ListCursors.withSecret(config.cursorSecret));
  container
    .bind<ApiKeyRegistry>(TOKENS.ApiKeys)
    .toDynamicValue(() => new ApiKeyRegistry(config.apiKeys ?? loadOrCreateLocalKeys(config.dataDir).keys));
  container.loadSync(...CONCEPT_MODULES);
  return container;
}
