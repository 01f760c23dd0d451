import type { Router } from 'express';

/** What this module reads of express's (router 2.x) layers: a route layer's matcher and methods, a mounted router's stack. */
interface Layer {
  match(path: string): unknown;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  slash?: boolean;
}

interface RouteEntry {
  layer: Layer;
  /** Methods in upper case, `HEAD` added where `GET` is served (express answers HEAD with the GET route). */
  methods: string[];
  /** `/v1/orders/{orderId}/refunds` for express's `/v1/orders/:orderId/refunds` (the spelling of openapi/openapi.yaml and `ROUTE_ROLES`). */
  template: string;
}

/**
 * The routes registered on the app's router, matched as the router matches them (express's own layer
 * matchers: any case, an optional trailing slash, percent-encoded parameters). Read once from the
 * router after every route is registered; routers mounted without a prefix are included, middleware
 * mounted under a prefix (`/docs` assets) is not a route.
 */
export class RouteTable {
  private readonly entries: RouteEntry[] = [];

  constructor(router: Router) {
    const walk = (stack: Layer[]) => {
      for (const layer of stack) {
        if (layer.route) {
          const methods = Object.entries(layer.route.methods)
            .filter(([m, on]) => on && m !== '_all')
            .map(([m]) => m.toUpperCase());
          if (methods.includes('GET') && !methods.includes('HEAD')) methods.splice(methods.indexOf('GET') + 1, 0, 'HEAD');
          const path = Array.isArray(layer.route.path) ? layer.route.path[0]! : layer.route.path;
          this.entries.push({ layer, methods, template: path.replace(/:(\w+)/g, '{$1}') });
        } else if (layer.slash && layer.handle?.stack) {
          walk(layer.handle.stack);
        }
      }
    };
    walk((router as unknown as { stack: Layer[] }).stack);
  }

  /**
   * The route a request is dispatched to, as `METHOD /path/{param}` (the first registered route that
   * matches the path and serves the method, HEAD served by GET), or undefined when none does.
   */
  routeOf(method: string, path: string): string | undefined {
    const upper = method.toUpperCase();
    const entry = this.entries.find((e) => e.methods.includes(upper) && this.matches(e, path));
    return entry ? `${upper === 'HEAD' && !entry.layer.route!.methods.head ? 'GET' : upper} ${entry.template}` : undefined;
  }

  /** The methods served at `path` (upper case, in registration order, `HEAD` with `GET`); empty when no route matches it. */
  methodsAt(path: string): string[] {
    const out = new Set<string>();
    for (const e of this.entries) if (this.matches(e, path)) e.methods.forEach((m) => out.add(m));
    return [...out];
  }

  private matches(entry: RouteEntry, path: string): boolean {
    try {
      return Boolean(entry.layer.match(path));
    } catch {
      // A parameter that is not valid percent-encoding: the router answers it with 400 before this is asked.
      return false;
    }
  }
}
