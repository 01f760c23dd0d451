import { join } from 'node:path';
import { ensureDirectory } from '../../config/directories';
import { ContainerModule } from 'inversify';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { IngestMetrics } from '../../../application/ports/ingest-metrics.port';
import { LedgerMetrics, PrometheusIngestMetrics } from '../../observability/metrics';
import type { OrderDirectory } from '../../../application/ports/order-directory.port';
import { FactWriter } from '../../../application/ingest/fact-writer';
import { IngestionFailureRecorder } from '../../../application/ingest/ingestion-failures';
import { IngestScayleWebhookHandler } from '../../../application/ingest/ingest-scayle-webhook.handler';
import { OrderLinker } from '../../../application/ingest/order-linker';
import { IngestErpDocumentHandler } from '../../../application/ingest/ingest-erp-document.handler';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { ErpDocumentsController } from '../../http/ingest/erp-documents.controller';
import { IngestPspSettlementHandler } from '../../../application/ingest/ingest-psp-settlement.handler';
import { PspSettlementsController } from '../../http/ingest/psp-settlements.controller';
import { RetryIngestionFailureHandler } from '../../../application/ingest/retry-ingestion-failure.handler';
import { DismissIngestionFailureHandler } from '../../../application/ingest/dismiss-ingestion-failure.handler';
import { IngestFailuresController } from '../../http/ingest/ingest-failures.controller';
import { ingestReruns } from '../../ingest/ingest-reruns';
import { SyncScayleOrdersUseCase } from '../../../application/ingest/sync-scayle-orders.use-case';
import type { ScayleGateway } from '../../../application/ports/scayle-gateway.port';
import { ScayleSyncLifecycle } from '../../ingest/scayle-sync.lifecycle';
import type { Config } from '../../config/config';
import type { HttpRoutes } from '../../http/app';
import { ScayleWebhookController } from '../../http/ingest/scayle-webhook.controller';
import { OrderDirectoryLifecycle } from '../../ingest/order-directory.lifecycle';
import { firstPositionIn, SqliteOrderDirectory } from '../../ingest/sqlite-order-directory';
import type { Logger } from '../../logging/logger';
import { Lifecycle, TOKENS } from '../tokens';

/** Every ingestion use-case, wired once (controllers and the import CLI share them). */
export interface IngestUseCases {
  writer: FactWriter;
  linker: OrderLinker;
  failures: IngestionFailureRecorder;
  webhook: IngestScayleWebhookHandler;
  erp: IngestErpDocumentHandler;
  psp: IngestPspSettlementHandler;
  retry: RetryIngestionFailureHandler;
  sync: SyncScayleOrdersUseCase;
}

export const ingestModule = new ContainerModule(({ bind }) => {
  bind<IngestMetrics>(TOKENS.IngestMetrics).toDynamicValue((ctx) => new PrometheusIngestMetrics(ctx.get<LedgerMetrics>(TOKENS.Metrics)));
  bind<OrderDirectory>(TOKENS.OrderDirectory)
    .toDynamicValue((ctx) => {
      const config = ctx.get<Config>(TOKENS.Config);
      ensureDirectory(config.dataDir, 'LEDGER_DATA_DIR');
      const store = ctx.get<EventStore>(TOKENS.EventStore);
      return new SqliteOrderDirectory(join(config.dataDir, 'order-directory.db'), firstPositionIn(store));
    })
    .inSingletonScope();
  bind<IngestUseCases>(TOKENS.IngestUseCases)
    .toDynamicValue((ctx) => {
      const store = ctx.get<EventStore>(TOKENS.EventStore);
      const clock = ctx.get<Clock>(TOKENS.Clock);
      const metrics = ctx.get<IngestMetrics>(TOKENS.IngestMetrics);
      const directory = ctx.get<OrderDirectory>(TOKENS.OrderDirectory);
      const writer = new FactWriter(store);
      const linker = new OrderLinker(directory, writer, clock);
      const failures = new IngestionFailureRecorder(writer, clock, metrics);
      const config = ctx.get<Config>(TOKENS.Config);
      const webhook = new IngestScayleWebhookHandler(writer, directory, linker, failures, metrics, clock);
      const erp = new IngestErpDocumentHandler(writer, directory, linker, failures, metrics, clock);
      const psp = new IngestPspSettlementHandler(writer, directory, linker, metrics, clock);
      const sync = new SyncScayleOrdersUseCase(ctx.get<ScayleGateway>(TOKENS.ScayleGateway), writer, directory, linker, failures, metrics, clock);
      const retry = new RetryIngestionFailureHandler(writer, clock, ingestReruns({ webhook, erp, psp, sync }, config.ingest.companyCurrency));
      return { writer, linker, failures, webhook, erp, psp, retry, sync };
    })
    .inSingletonScope();
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue(
    (ctx) =>
      new OrderDirectoryLifecycle(
        ctx.get<EventStore>(TOKENS.EventStore),
        ctx.get<SqliteOrderDirectory>(TOKENS.OrderDirectory),
        ctx.get<IngestUseCases>(TOKENS.IngestUseCases).linker,
        ctx.get<Logger>(TOKENS.Logger),
      ),
  );
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    return new ScayleWebhookController(ctx.get<IngestUseCases>(TOKENS.IngestUseCases).webhook, config.ingest.webhookCredentials);
  });
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    return new ErpDocumentsController(ctx.get<IngestUseCases>(TOKENS.IngestUseCases).erp, ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), config.ingest.companyCurrency);
  });
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    return new PspSettlementsController(ctx.get<IngestUseCases>(TOKENS.IngestUseCases).psp, ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), config.bodyLimit);
  });
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) =>
      new IngestFailuresController(
        ctx.get<IngestUseCases>(TOKENS.IngestUseCases).retry,
        ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys),
        new DismissIngestionFailureHandler(ctx.get<EventStore>(TOKENS.EventStore), ctx.get<Clock>(TOKENS.Clock)),
      ),
  );
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    return new ScayleSyncLifecycle(ctx.get<IngestUseCases>(TOKENS.IngestUseCases).sync, config.ingest.syncShops, config.ingest.syncIntervalMs, ctx.get<Logger>(TOKENS.Logger));
  });
});
