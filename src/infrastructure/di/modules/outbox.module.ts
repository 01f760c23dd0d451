import { join } from 'node:path';
import { ensureDirectory } from '../../config/directories';
import { ContainerModule } from 'inversify';
import { OutboxDispatcher } from '../../../application/outbox/outbox-dispatcher';
import { RetryDispatchHandler } from '../../../application/outbox/retry-dispatch.handler';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OutboxStore } from '../../../application/ports/outbox-store.port';
import type { ScayleGateway } from '../../../application/ports/scayle-gateway.port';
import type { Config } from '../../config/config';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { OutboxController } from '../../http/outbox/outbox.controller';
import type { Logger } from '../../logging/logger';
import { SqliteOutboxStore } from '../../outbox/sqlite-outbox-store';
import { ScayleAdminClient, UnconfiguredScayleGateway } from '../../scayle/scayle-admin-api.client';
import { Lifecycle, TOKENS } from '../tokens';
import type { ListCursors } from '../../http/pagination';

/** The Scayle gateway from configuration: the HTTP client when a base URL is set, else a refusing stub. */
export function createScayleGateway(config: Config): ScayleGateway {
  const api = config.ingest.adminApi;
  return api ? new ScayleAdminClient({ baseUrl: api.baseUrl, token: api.token, timeoutMs: config.scayleDispatch.timeoutMs }) : new UnconfiguredScayleGateway();
}

/**
 * The outbox to Scayle: gateway, outbox store (`<dataDir>/outbox.db`, holding the dispatcher's
 * checkpoint), the dispatcher as a phase-20 lifecycle, and `GET /v1/outbox`.
 */
export const outboxModule = new ContainerModule(({ bind }) => {
  bind<ScayleGateway>(TOKENS.ScayleGateway).toDynamicValue((ctx) => createScayleGateway(ctx.get<Config>(TOKENS.Config)));
  bind<OutboxStore>(TOKENS.OutboxStore).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    ensureDirectory(config.dataDir, 'LEDGER_DATA_DIR');
    return new SqliteOutboxStore(join(config.dataDir, 'outbox.db'));
  });
  bind<OutboxDispatcher>(TOKENS.OutboxDispatcher).toDynamicValue((ctx) => {
    const config = ctx.get<Config>(TOKENS.Config);
    return new OutboxDispatcher(
      ctx.get<EventStore>(TOKENS.EventStore),
      ctx.get<OutboxStore>(TOKENS.OutboxStore),
      ctx.get<ScayleGateway>(TOKENS.ScayleGateway),
      ctx.get<Clock>(TOKENS.Clock),
      ctx.get<Logger>(TOKENS.Logger).child({ component: 'outbox' }),
      config.scayleDispatch,
    );
  });
  bind<Lifecycle>(TOKENS.Lifecycle).toDynamicValue((ctx) => {
    const dispatcher = ctx.get<OutboxDispatcher>(TOKENS.OutboxDispatcher);
    const store = ctx.get<OutboxStore>(TOKENS.OutboxStore);
    return {
      name: 'outbox dispatcher to Scayle',
      phase: 20,
      start: () => dispatcher.start(),
      async stop() {
        await dispatcher.stop();
        await store.close();
      },
    };
  });
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) =>
      new OutboxController(
        ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys),
        ctx.get<OutboxStore>(TOKENS.OutboxStore),
        ctx.get<OutboxDispatcher>(TOKENS.OutboxDispatcher),
        new RetryDispatchHandler(ctx.get<EventStore>(TOKENS.EventStore), ctx.get<OutboxStore>(TOKENS.OutboxStore), ctx.get<Clock>(TOKENS.Clock)),
        ctx.get<ListCursors>(TOKENS.ListCursors),
      ),
  );
});
