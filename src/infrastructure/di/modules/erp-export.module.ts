import { join } from 'node:path';
import { ensureDirectory } from '../../config/directories';
import { ContainerModule } from 'inversify';
import { ErpExportIndexer } from '../../../application/erp-export/erp-export.indexer';
import { ErpExportPlanner } from '../../../application/erp-export/erp-export.planner';
import { ErpExportScheduler } from '../../../application/erp-export/erp-export.scheduler';
import { ErpExportSender } from '../../../application/erp-export/erp-export.sender';
import { AuditedExportMappings } from '../../../application/erp-export/export-mappings';
import { KeyedMutex } from '../../../application/ingest/keyed-mutex';
import type { MappingsService } from '../../../application/mapping/mappings.service';
import type { Clock } from '../../../application/ports/clock.port';
import type { ErpExportStore } from '../../../application/ports/erp-export-store.port';
import type { ErpGateway } from '../../../application/ports/erp-gateway.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { ProjectionStatusSource } from '../../../application/ports/projection-status.port';
import type { Config } from '../../config/config';
import { BcTokenProvider } from '../../erp/business-central/bc-token.provider';
import { BusinessCentralGateway } from '../../erp/business-central/business-central.gateway';
import { NdjsonFileGateway } from '../../erp/ndjson/ndjson-file.gateway';
import { NdjsonHttpGateway } from '../../erp/ndjson/ndjson-http.gateway';
import { UnconfiguredErpGateway } from '../../erp/unconfigured-erp.gateway';
import { SqliteErpExportStore } from '../../erp-export/sqlite-erp-export-store';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { ErpExportsController } from '../../http/erp-exports/erp-exports.controller';
import type { Logger } from '../../logging/logger';
import { ErpExportMetrics } from '../../observability/erp-export-metrics';
import type { MetricsSource } from '../../observability/metrics';
import { Lifecycle, TOKENS } from '../tokens';
import type { ListCursors } from '../../http/pagination';

/** The ERP gateway of `LEDGER_ERP_EXPORT_TARGET`. */
export function createErpGateway(config: Config): ErpGateway {
  const e = config.erpExport;
  switch (e.target.kind) {
    case 'business-central': {
      const bc = e.businessCentral!;
      const tokens = new BcTokenProvider({ tokenUrl: bc.tokenUrl, clientId: bc.clientId, clientSecret: bc.clientSecret, scope: bc.scope, timeoutMs: e.timeoutMs });
      return new BusinessCentralGateway({ apiBaseUrl: bc.apiBaseUrl, companyId: bc.companyId, customerNumber: bc.customerNumber, companyCurrency: config.ingest.companyCurrency, timeoutMs: e.timeoutMs, tokens });
    }
    case 'file':
      return new NdjsonFileGateway(e.target.directory, { fsync: config.sqliteSynchronous === 'FULL' });
    case 'http':
      return new NdjsonHttpGateway({ url: e.target.url, timeoutMs: e.timeoutMs, ...(e.httpToken ? { token: e.httpToken } : {}) });
    case 'none':
      return new UnconfiguredErpGateway();
  }
}

/**
 * Order flow to the ERP (issue 10): the gateway from configuration, the export index
 * (`<dataDir>/erp-export.db`, holding the indexer's checkpoint and the attempt counts), the
 * scheduler as a phase-20 lifecycle, the index's position for `/v1/freshness` and `/metrics`, the
 * `ledger_erp_exports{status}` gauge, and `GET /v1/erp/exports` + `POST /v1/erp/exports/run`.
 */
export const erpExportModule = new ContainerModule(({ bind }) => {
  bind<ErpGateway>(TOKENS.ErpGateway).toDynamicValue((ctx) => createErpGateway(ctx.get<Config>(TOKENS.Config)));
  bind<ErpExportStore>(TOKENS.ErpExportStore).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    ensureDirectory(config.dataDir, 'LEDGER_DATA_DIR');
    return new SqliteErpExportStore(join(config.dataDir, 'erp-export.db'), config.sqliteSynchronous);
  });
  bind<ErpExportScheduler>(TOKENS.ErpExportScheduler).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    const e = config.erpExport;
    const events = ctx.get<EventStore>(TOKENS.EventStore);
    const store = ctx.get<ErpExportStore>(TOKENS.ErpExportStore);
    const gateway = ctx.get<ErpGateway>(TOKENS.ErpGateway);
    const clock = ctx.get<Clock>(TOKENS.Clock);
    const logger = ctx.get<Logger>(TOKENS.Logger).child({ component: 'erp-export' });
    const mappings = new AuditedExportMappings(ctx.get<MappingsService>(TOKENS.Mappings), { feeAccounts: e.feeAccounts, ...(e.discountAccount ? { discountAccount: e.discountAccount } : {}) });
    const indexer = new ErpExportIndexer(events, store, clock, logger);
    const planner = new ErpExportPlanner(events, store, clock, { trigger: e.trigger, saleDocumentKind: e.saleDocumentKind, timezone: config.timezone }, new KeyedMutex());
    const sender = new ErpExportSender(events, store, gateway, mappings, clock, logger, { maxAttempts: e.maxAttempts, retryBaseMs: e.retryBaseMs, retryMaxMs: e.retryMaxMs, timeoutMs: e.timeoutMs, profile: config.reconciliation.erpProfile });
    return new ErpExportScheduler(events, store, indexer, planner, sender, gateway, clock, logger, { intervalMs: e.intervalMs, batchSize: e.batchSize, indexWaitMs: 30_000 });
  });
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue((ctx) => {
    const scheduler = ctx.get<ErpExportScheduler>(TOKENS.ErpExportScheduler);
    const store = ctx.get<ErpExportStore>(TOKENS.ErpExportStore);
    return {
      name: 'ERP export scheduler',
      phase: 20,
      start: () => scheduler.start(),
      async stop() {
        await scheduler.stop();
        await store.close();
      },
    };
  });
  bind<MetricsSource>(TOKENS.MetricsSource).toDynamicValue((ctx) => new ErpExportMetrics(ctx.get<ErpExportStore>(TOKENS.ErpExportStore)));
  bind<ProjectionStatusSource>(TOKENS.ProjectionPositions).toDynamicValue((ctx) => {
    const scheduler = ctx.get<ErpExportScheduler>(TOKENS.ErpExportScheduler);
    return { name: 'erp-export', position: () => scheduler.indexedTo };
  });
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) =>
      new ErpExportsController(
        ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys),
        ctx.get<ErpExportStore>(TOKENS.ErpExportStore),
        ctx.get<ErpExportScheduler>(TOKENS.ErpExportScheduler),
        ctx.get<ListCursors>(TOKENS.ListCursors),
      ),
  );
});
