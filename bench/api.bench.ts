/**
 * REST API latency on the embedded default (SQLite, FULL sync): commands (refunds) and queries at a
 * fixed arrival rate, next to a bare express endpoint measured the same way in the same run.
 *
 * Open-loop load: requests are sent on a fixed schedule (100/s) whatever the answers do, and latency
 * is measured from the scheduled send time, so a slow answer cannot hide the requests queued behind
 * it (no coordinated omission). Targets (issue 6): command p99 < 20 ms at 100 req/s, query p99 < 10 ms.
 */
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { TOKENS } from '../src/infrastructure/di/tokens';
import { LedgerService } from '../src/infrastructure/service';
import { API_KEYS } from '../tests/support/api-service';
import { orderSnapshot, seedKnownOrder } from '../tests/support/order-fixtures';
import { testConfig } from '../tests/support/test-config';
import { BenchOptions, BenchRow, BenchSuite, percentile, withPeakRss } from './harness';
import { ROLES } from '../src/infrastructure/http/auth/api-keys';

interface Call {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface LoadResult {
  latencies: number[];
  statuses: Map<number, number>;
  seconds: number;
}

/** Sends `count` requests at `rate`/s to `port`, each built by `make(i)`; latency from schedule. */
async function openLoop(port: number, rate: number, count: number, make: (i: number) => Call): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const intervalNs = BigInt(Math.round(1e9 / rate));
  const start = process.hrtime.bigint();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + intervalNs * BigInt(i);
    const now = process.hrtime.bigint();
    if (due > now) await new Promise((r) => setTimeout(r, Number((due - now) / 1_000_000n)));
    const call = make(i);
    inflight.push(
      new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: call.method, path: call.path, agent, headers: { ...(call.body ? { 'content-type': 'application/json' } : {}), ...call.headers } },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(Number(process.hrtime.bigint() - due) / 1e6);
              statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
              resolve();
            });
          },
        );
        req.on('error', reject);
        req.end(call.body);
      }),
    );
  }
  await Promise.all(inflight);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return { latencies, statuses, seconds };
}

function row(name: string, size: string, result: LoadResult, baseline: { name: string; result: LoadResult }, targetMs: number, okStatus: number, peakRssMiB?: number): BenchRow {
  const p99 = percentile(result.latencies, 99);
  const ok = result.statuses.get(okStatus) ?? 0;
  return {
    name: `api: ${name}`,
    size,
    unit: 'requests',
    throughput: result.latencies.length / result.seconds,
    p50Ms: percentile(result.latencies, 50),
    p99Ms: p99,
    ...(peakRssMiB !== undefined ? { peakRssMiB } : {}),
    baseline: { name: `${baseline.name} (p99 ${percentile(baseline.result.latencies, 99).toFixed(2)} ms)`, throughput: baseline.result.latencies.length / baseline.result.seconds },
    target: `p99 < ${targetMs} ms at 100 req/s, all ${okStatus}`,
    met: p99 < targetMs && ok === result.latencies.length,
  };
}

/** A bare express app with the same body parser: the floor of what node + express cost here. */
async function baselineServer(): Promise<{ port: number; close(): Promise<void> }> {
  const app = express();
  app.use(express.json());
  app.get('/baseline', (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/baseline', (req, res) => {
    res.status(201).json({ echoed: Object.keys(req.body as object).length });
  });
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

export const suite: BenchSuite = {
  name: 'api',
  async run({ quick, workDir }: BenchOptions): Promise<BenchRow[]> {
    const count = quick ? 300 : 2_000;
    const orders = quick ? 50 : 200;
    const rate = 100;
    const keys = ROLES.map((r) => `${r}:${API_KEYS[r]}`).join(',');
    const service = await LedgerService.start(testConfig(workDir, { LEDGER_API_KEYS: keys, LEDGER_SQLITE_SYNCHRONOUS: 'FULL' }), {}, true);
    const base = await baselineServer();
    try {
      for (let o = 0; o < orders; o++) await seedKnownOrder(service.container, orderSnapshot(String(5000 + o)));
      const bearer = (role: keyof typeof API_KEYS) => ({ Authorization: `Bearer ${API_KEYS[role]}` });
      const refundBody = (i: number) =>
        JSON.stringify({ amount: '0.10', currency: 'EUR', refund_items: [{ order_item_id: `${5000 + (i % orders)}1`, amount: '0.10' }], reason: `bench ${i}` });

      // Warm up (JIT, sockets, SQLite caches) on every target before measuring anything.
      await openLoop(base.port, rate, 200, (i) => (i % 2 ? { method: 'GET', path: '/baseline' } : { method: 'POST', path: '/baseline', body: refundBody(i) }));
      await openLoop(service.port, rate, 200, (i) =>
        i % 2
          ? { method: 'GET', path: '/v1/mappings/tax-codes', headers: bearer('finance') }
          : { method: 'POST', path: `/v1/orders/${5000 + (i % orders)}/refunds`, headers: { ...bearer('integrator'), 'Idempotency-Key': `warm-${i}` }, body: refundBody(i) },
      );
      const baselinePost = await openLoop(base.port, rate, count, (i) => ({ method: 'POST', path: '/baseline', body: refundBody(i) }));
      const { result: refunds, peakRssMiB } = await withPeakRss(() =>
        openLoop(service.port, rate, count, (i) => ({
          method: 'POST',
          path: `/v1/orders/${5000 + (i % orders)}/refunds`,
          headers: { ...bearer('integrator'), 'Idempotency-Key': `bench-${i}` },
          body: refundBody(i),
        })),
      );
      const replays = await openLoop(service.port, rate, Math.min(count, 500), (i) => ({
        method: 'POST',
        path: `/v1/orders/${5000 + (i % orders)}/refunds`,
        headers: { ...bearer('integrator'), 'Idempotency-Key': `bench-${i}` },
        body: refundBody(i),
      }));

      const baselineGet = await openLoop(base.port, rate, count, () => ({ method: 'GET', path: '/baseline' }));
      const mappings = await openLoop(service.port, rate, count, () => ({ method: 'GET', path: '/v1/mappings/tax-codes', headers: bearer('finance') }));
      const outbox = await openLoop(service.port, rate, count, (i) => ({ method: 'GET', path: `/v1/outbox?orderId=${5000 + (i % orders)}`, headers: bearer('operations') }));
      const dispatcher = service.container.get<{ drain(ms?: number): Promise<void> }>(TOKENS.OutboxDispatcher);
      await dispatcher.drain(30_000);

      const size = `${orders} orders, ${count} req`;
      return [
        row('POST refund (201)', size, refunds, { name: 'bare express POST', result: baselinePost }, 20, 201, peakRssMiB),
        row('POST refund, idempotent replay (201)', `${orders} orders, ${replays.latencies.length} req`, replays, { name: 'bare express POST', result: baselinePost }, 20, 201),
        row('GET /v1/mappings/tax-codes', size, mappings, { name: 'bare express GET', result: baselineGet }, 10, 200),
        row('GET /v1/outbox?orderId', size, outbox, { name: 'bare express GET', result: baselineGet }, 10, 200),
      ];
    } finally {
      await base.close();
      await service.stop();
    }
  },
};
