import type { RequestHandler } from 'express';
import type { ApiKeyRegistry, Role } from './api-keys';
import { admitOnce } from './admit-once';
import { requireRole } from './auth.middleware';

/** Every role that reads reconciliation data (DESIGN §10): all but `integrator`. `admin` is implicit. */
export const READERS: readonly Role[] = ['finance', 'operations', 'cx', 'auditor'];

/**
 * The one table of who may call what (issue 6 "Roles"), keyed `METHOD /path/{param}` exactly as in
 * openapi/openapi.yaml. Routes guard themselves with {@link guard}, and
 * `tests/integration/role-matrix.test.ts` calls every entry with every role: listed roles (and
 * `admin`, always admitted) must not get 403, the others must, and no key at all gets 401.
 *
 * Finer rules that depend on the resource are enforced by the handlers and documented per route:
 * `cx`, `operations` and `finance` decide only exceptions of their own queue, and a write-off needs
 * `finance` (or `admin`). `auditor` never writes.
 */
export const ROUTE_ROLES = {
  // ingest (Scayle webhooks use their own Basic credentials)
  'POST /v1/ingest/erp/documents': ['integrator'],
  'POST /v1/ingest/erp/business-central/sales-invoices': ['integrator'],
  'POST /v1/ingest/erp/business-central/sales-credit-memos': ['integrator'],
  'POST /v1/ingest/psp/settlements': ['integrator'],
  'POST /v1/ingest/failures/{failureId}/retry': ['operations'],
  'POST /v1/ingest/failures/{failureId}/dismiss': ['operations'],
  // orders: commands
  'POST /v1/orders/{orderId}/refunds': ['integrator', 'cx', 'finance'],
  'GET /v1/orders/{orderId}/refunds/{refundId}': ['integrator', ...READERS],
  'POST /v1/orders/{orderId}/line-item-corrections': ['integrator', 'finance'],
  // orders: queries
  'GET /v1/orders/{orderId}/events': READERS,
  'GET /v1/orders/{orderId}/reconciliation': ['integrator', ...READERS],
  // mappings
  'GET /v1/mappings/tax-codes': READERS,
  'PUT /v1/mappings/tax-codes': ['finance', 'operations'],
  'GET /v1/mappings/items': READERS,
  'PUT /v1/mappings/items': ['finance', 'operations'],
  // outbox to Scayle
  'GET /v1/outbox': READERS,
  'POST /v1/outbox/{commandId}/retry': ['operations', 'finance'],
  // periods (issue 7): close/reopen finance; replay (reads only, writes nothing) auditor and finance
  'POST /v1/periods/{period}/close': ['finance'],
  'POST /v1/periods/{period}/reopen': ['finance'],
  'POST /v1/periods/{period}/replay': ['auditor', 'finance'],
  'GET /v1/periods/{period}/snapshots': READERS,
  'GET /v1/periods/{period}/snapshots/latest': READERS,
  'GET /v1/periods/{period}/snapshots/{snapshotId}': READERS,
  'GET /v1/periods/{period}/snapshots/{snapshotId}/export': READERS,
  'GET /v1/periods/{period}/adjustments': READERS,
  // exceptions: the queue (live, or `asOf`: issue 7), one exception, and the decisions on it (issue 6;
  // finance, operations and cx decide only their own queue's exceptions, a write-off needs finance)
  'GET /v1/exceptions': READERS,
  'GET /v1/exceptions/{exceptionId}': READERS,
  'POST /v1/exceptions/{exceptionId}/acknowledge': ['finance', 'operations', 'cx'],
  'POST /v1/exceptions/{exceptionId}/assign': ['finance', 'operations', 'cx'],
  'POST /v1/exceptions/{exceptionId}/resolve': ['finance', 'operations', 'cx'],
  'POST /v1/exceptions/{exceptionId}/reopen': ['finance', 'operations', 'cx'],
  // read models (issue 5)
  'GET /v1/reconciliations': READERS,
  'GET /v1/periods/{period}': READERS,
  // operations (issue 9): freshness for the people who act on it; metrics for the scraper
  'GET /v1/freshness': ['operations', 'finance', 'auditor'],
  'GET /metrics': ['operations'],
  // order flow to the ERP (issue 10)
  'GET /v1/erp/exports': READERS,
  'POST /v1/erp/exports/run': ['operations'],
} as const satisfies Record<string, readonly Role[]>;

/** A route of {@link ROUTE_ROLES}. */
export type GuardedRoute = keyof typeof ROUTE_ROLES;

/** POST routes that compute an answer and append nothing (open to `auditor`, who never writes). */
export const READ_ONLY_POSTS: readonly GuardedRoute[] = ['POST /v1/periods/{period}/replay'];

/** The roles admitted to `route`, `admin` included. */
export function rolesOf(route: GuardedRoute): Role[] {
  return ['admin', ...ROUTE_ROLES[route]];
}

/** Whether `route` (`METHOD /path/{param}`) is an entry of {@link ROUTE_ROLES}. */
export const isGuardedRoute = (route: string): route is GuardedRoute => Object.hasOwn(ROUTE_ROLES, route);

/**
 * Admits a request to `route`: `requireRole` with the roles of `route` from {@link ROUTE_ROLES}, then
 * the query parameters `route` declares in openapi/openapi.yaml and no other
 * (`refuseUndeclaredQueryParameters`: 400 naming each unknown one). So on every guarded route a
 * missing key is a 401 and a role it does not admit a 403 whatever the query, and an unknown
 * parameter is a 400 before the body is read. A request already admitted to this very route before
 * its body was read (authenticate-before-body.ts runs the same guard and records
 * `res.locals.admittedRoute`) passes on without a second check; one admitted to no route or another
 * route is checked here.
 * @throws Error at construction when `route` is not an operation of openapi/openapi.yaml.
 */
export function guard(registry: ApiKeyRegistry, route: GuardedRoute): RequestHandler {
  return admitOnce(route, requireRole(registry, ...ROUTE_ROLES[route]));
}
