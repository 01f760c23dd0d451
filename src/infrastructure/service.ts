import { once } from 'node:events';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Container } from 'inversify';
import type { Config } from './config/config';
import { buildContainer, ContainerOverrides } from './di/container';
import { HealthCheck, Lifecycle, TOKENS } from './di/tokens';
import { createApp, HttpRoutes } from './http/app';
import { HttpDrain } from './http/drain';
import { createExpressServer } from './http/http-server';
import { ingestRateLimit } from './http/rate-limit';
import type { ApiKeyRegistry } from './http/auth/api-keys';
import { authenticateBeforeBody } from './http/auth/authenticate-before-body';
import type { Logger } from './logging/logger';
import { httpMetrics, LedgerMetrics, MetricsSource } from './observability/metrics';
import { packageVersion } from './version';

/**
 * The running service: stores opened and checked, background components started (projection
 * runner, schedulers, dispatchers), HTTP listening. `stop()` is the graceful shutdown of SIGTERM:
 * stop accepting, answer requests that still arrive on kept-alive connections 503 (`HttpDrain`),
 * let in-flight requests (and their appends) finish within the timeout, stop background
 * components, close the stores.
 */
export class LedgerService {
  private constructor(
    readonly container: Container,
    readonly app: Express,
    readonly server: Server,
    private readonly drain: HttpDrain,
    private readonly started: Lifecycle[],
    private readonly logger: Logger,
    private readonly config: Config,
  ) {}

  /** Builds the container, starts every lifecycle in phase order, then listens. */
  static async start(config: Config, overrides: ContainerOverrides = {}, listen = true): Promise<LedgerService> {
    const container = buildContainer(config, overrides);
    const logger = container.get<Logger>(TOKENS.Logger);
    const lifecycles = [...container.getAll<Lifecycle>(TOKENS.Lifecycle, { optional: true })].sort((a, b) => a.phase - b.phase);
    const started: Lifecycle[] = [];
    try {
      for (const lifecycle of lifecycles) {
        await lifecycle.start();
        started.push(lifecycle);
        logger.debug({ component: lifecycle.name }, 'started');
      }
    } catch (err) {
      await stopAll(started, logger);
      throw err;
    }
    const apiKeys = container.get<ApiKeyRegistry>(TOKENS.ApiKeys); // creates the local key file on first start, before anyone needs it
    const metrics = container.get<LedgerMetrics>(TOKENS.Metrics);
    for (const source of container.getAll<MetricsSource>(TOKENS.MetricsSource, { optional: true })) metrics.add(source);
    const app = createApp({
      logger,
      bodyLimit: config.bodyLimit,
      routes: container.getAll<HttpRoutes>(TOKENS.HttpRoutes, { optional: true }),
      healthChecks: container.getAll<HealthCheck>(TOKENS.HealthCheck, { optional: true }),
      version: packageVersion(),
      observe: httpMetrics(metrics),
      ingestLimiter: ingestRateLimit(config.ops.ingestRateLimit),
      authenticateBeforeBody: (routeOf) => authenticateBeforeBody(apiKeys, config.ingest.webhookCredentials, routeOf),
    });
    // Retry-After of the 503s while draining: by then this instance is gone and a successor may serve.
    const drain = new HttpDrain(Math.max(1, Math.ceil(config.shutdownTimeoutMs / 1000)));
    const server = createExpressServer(app, drain.listener(app));
    const service = new LedgerService(container, app, server, drain, started, logger, config);
    if (listen) {
      server.listen(config.port, config.host);
      await once(server, 'listening');
    }
    return service;
  }

  /** The bound port (useful with `PORT=0`). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * Graceful stop: no new connections; requests arriving on kept-alive ones get 503
   * `shutting-down` with `Connection: close`; in-flight ones are answered (with `Connection: close`);
   * idle connections are closed at once, any still open after `LEDGER_SHUTDOWN_TIMEOUT` are cut, so
   * the stop is bounded even while clients keep sending. Then the lifecycles stop in reverse phase
   * order (projections, schedulers, outbox, stores).
   */
  async stop(): Promise<void> {
    this.drain.begin();
    if (this.server.listening) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      const timer = setTimeout(() => this.server.closeAllConnections(), this.config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
    }
    await stopAll(this.started, this.logger);
  }
}

async function stopAll(started: Lifecycle[], logger: Logger): Promise<void> {
  for (const lifecycle of [...started].reverse()) {
    try {
      await lifecycle.stop();
    } catch (err) {
      logger.error({ err, component: lifecycle.name }, 'failed to stop cleanly');
    }
  }
  started.length = 0;
}
