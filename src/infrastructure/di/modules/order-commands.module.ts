import { ContainerModule } from 'inversify';
import { CorrectLineItemsHandler } from '../../../application/order/correct-line-items.handler';
import type { Clock } from '../../../application/ports/clock.port';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OrderDirectory } from '../../../application/ports/order-directory.port';
import { RequestRefundHandler } from '../../../application/refund/request-refund.handler';
import type { HttpRoutes } from '../../http/app';
import type { ApiKeyRegistry } from '../../http/auth/api-keys';
import { OrderCommandsController } from '../../http/orders/order-commands.controller';
import { OrderEventsController } from '../../http/orders/order-events.controller';
import { OrderReconciliationController } from '../../http/orders/order-reconciliation.controller';
import type { ReconciliationPolicyProvider } from '../../../application/ports/reconciliation-policy.port';
import type { AsOfQuery } from '../../../application/period/as-of.query';
import { TOKENS } from '../tokens';
import type { ListCursors } from '../../http/pagination';

/** Refunds and line-item corrections (handlers and routes), and the order's audit history. */
export const orderCommandsModule = new ContainerModule(({ bind }) => {
  bind<RequestRefundHandler>(TOKENS.RequestRefundHandler).toDynamicValue(
    (ctx) => new RequestRefundHandler(ctx.get<EventStore>(TOKENS.EventStore), ctx.get<OrderDirectory>(TOKENS.OrderDirectory), ctx.get<Clock>(TOKENS.Clock)),
  );
  bind<CorrectLineItemsHandler>(TOKENS.CorrectLineItemsHandler).toDynamicValue(
    (ctx) => new CorrectLineItemsHandler(ctx.get<EventStore>(TOKENS.EventStore), ctx.get<OrderDirectory>(TOKENS.OrderDirectory), ctx.get<Clock>(TOKENS.Clock)),
  );
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) =>
      new OrderCommandsController(
        ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys),
        ctx.get<RequestRefundHandler>(TOKENS.RequestRefundHandler),
        ctx.get<CorrectLineItemsHandler>(TOKENS.CorrectLineItemsHandler),
        ctx.get<EventStore>(TOKENS.EventStore),
        ctx.get<OrderDirectory>(TOKENS.OrderDirectory),
      ),
  );
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) =>
      new OrderEventsController(ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys), ctx.get<EventStore>(TOKENS.EventStore), ctx.get<OrderDirectory>(TOKENS.OrderDirectory), ctx.get<ListCursors>(TOKENS.ListCursors)),
  );
  bind<HttpRoutes>(TOKENS.HttpRoutes).toDynamicValue(
    (ctx) =>
      new OrderReconciliationController(
        ctx.get<ApiKeyRegistry>(TOKENS.ApiKeys),
        ctx.get<EventStore>(TOKENS.EventStore),
        ctx.get<OrderDirectory>(TOKENS.OrderDirectory),
        ctx.get<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy),
        ctx.get<Clock>(TOKENS.Clock),
        ctx.get<AsOfQuery>(TOKENS.AsOfQuery),
      ),
  );
});
