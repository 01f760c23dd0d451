import type { Router } from 'express';
import { getOrderReconciliation } from '../../../application/order/get-order-reconciliation.query';
import type { Clock } from '../../../application/ports/clock.port';
import { parseAsOf, type AsOfQuery } from '../../../application/period/as-of.query';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OrderDirectory } from '../../../application/ports/order-directory.port';
import type { ReconciliationPolicyProvider } from '../../../application/ports/reconciliation-policy.port';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { bodyEtag, ifNoneMatchHits } from '../etag';
import { checkMinPosition } from '../read-your-writes';
import { validateQuery } from '../validation';
import { ReconciliationQueryDto } from './order-queries.dto';

/**
 * `GET /v1/orders/{orderId}/reconciliation`: the order reconciled live from its stream, or as the
 * ledger knew it at `asOf` (a log position or time; issue 7). The ETag covers the result (not
 * `evaluatedAt`), so it changes only when the reconciliation does.
 */
export class OrderReconciliationController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly events: EventStore,
    private readonly directory: OrderDirectory,
    private readonly policies: ReconciliationPolicyProvider,
    private readonly clock: Clock,
    private readonly asOf: AsOfQuery,
  ) {}

  register(router: Router): void {
    router.get('/v1/orders/:orderId/reconciliation', guard(this.keys, 'GET /v1/orders/{orderId}/reconciliation'), async (req, res) => {
      const query = await validateQuery(ReconciliationQueryDto, req);
      await checkMinPosition(req, this.events);
      const view = query.asOf
        ? await this.asOf.orderReconciliation(String(req.params.orderId), parseAsOf(query.asOf))
        : await getOrderReconciliation(this.events, this.directory, this.policies, this.clock, String(req.params.orderId));
      const { evaluatedAt, position, ...result } = view;
      const body = { ...result, position: String(position), evaluatedAt };
      const etag = bodyEtag(JSON.stringify({ ...result, position: String(position) }));
      res.setHeader('ETag', etag);
      res.setHeader('Cache-Control', 'private, no-cache');
      if (ifNoneMatchHits(req, etag)) {
        res.status(304).end();
        return;
      }
      res.json(body);
    });
  }
}
