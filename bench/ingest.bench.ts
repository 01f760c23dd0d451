/**
 * Scayle webhook ingestion over HTTP on loopback (issue 4): the real service (embedded SQLite log,
 * `synchronous=FULL`, Basic auth, mapping of the real order fixture, dedupe read, append, order
 * directory) driven by a load generator **in a second process**, next to a bare express JSON
 * endpoint (same body, same parser, answers 202 without doing anything) measured the same way in the
 * same run.
 *
 * Cases: as fast as possible (autocannon, 50 connections; target ≥ 2,000 req/s sustained) and at a
 * constant 500 req/s (target p99 < 50 ms). The constant rate is vegeta's (open loop: one request
 * every 2 ms whatever the answers do; a slow answer delays no later request), built with Go by
 * `bench/vegeta.sh` on first use; without Go that row shows why and the max-rate row still runs.
 * autocannon's `overallRate` is not used for it: each connection sends its quota for a second back
 * to back at the start of the second, so its "500 req/s" is a burst of 500 every second and its p99
 * is that burst's queue. Every request is a new delivery of a new order, so every one appends a
 * fact. The per-client ingest rate limit is switched off (`LEDGER_INGEST_RATE_LIMIT=0`): it would
 * answer 429 to a single sender long before the target rate. `BENCH_SQLITE_SYNCHRONOUS=NORMAL` runs
 * the service with that durability instead of the default FULL (for comparison only).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { LedgerService } from '../src/infrastructure/service';
import { basicAuth, INGEST_ENV, localeEnvelope, scayleFixture } from '../tests/support/ingest';
import { testConfig } from '../tests/support/test-config';
import { BenchOptions, BenchRow, BenchSuite, withPeakRss } from './harness';
import type { LoadResult } from './ingest-load.worker';
import { vegetaBinary } from './vegeta';

/** The constant arrival rate of issue 4's latency target, requests per second. */
const FIXED_RATE = 500;

function load(url: string, template: string, opts: { connections?: number; durationSeconds: number; vegeta?: { bin: string; rate: number }; runId: string }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'ingest-load.worker.js'), JSON.stringify({ url, template, headers: { authorization: basicAuth() }, ...opts })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load worker exited with ${code}`))));
  });
}

/** Runs a load and measures the CPU this (server) process spent on it, per request, in ms. */
async function measured(url: string, template: string, opts: Parameters<typeof load>[2]): Promise<LoadResult & { cpuMsPerRequest: number }> {
  const before = process.cpuUsage();
  const r = await load(url, template, opts);
  const used = process.cpuUsage(before);
  return { ...r, cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, r.requests.total) };
}

/** The bare baseline: express + express.json, 202 and a small JSON answer. */
async function bareExpress(): Promise<{ server: Server; url: string }> {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.post('/webhooks', (req, res) => {
    res.status(202).json({ status: 'accepted', key: (req.body as { key?: string }).key });
  });
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks` };
}

export const suite: BenchSuite = {
  name: 'ingest',
  async run({ quick, workDir }: BenchOptions): Promise<BenchRow[]> {
    const seconds = quick ? 3 : 10;
    // built before the service starts: a first build compiles for a while and must not overlap a measurement
    let vegeta: string | Error;
    try {
      vegeta = vegetaBinary();
    } catch (err) {
      vegeta = err as Error;
      process.stderr.write(`ingest bench: ${vegeta.message}\n`);
    }
    const order = scayleFixture('OrderGetResponse.json');
    // order id and delivery key vary per request: `__N__` is replaced by the worker
    const template = JSON.stringify(localeEnvelope('bench-__N__', 'order-confirmed', { ...order, id: '__ID__' })).replace('"__ID__"', '__N__');
    const service = await LedgerService.start(testConfig(join(workDir, 'ledger'), { ...INGEST_ENV, LOG_LEVEL: 'silent', LEDGER_INGEST_RATE_LIMIT: '0', ...(process.env.BENCH_SQLITE_SYNCHRONOUS ? { LEDGER_SQLITE_SYNCHRONOUS: process.env.BENCH_SQLITE_SYNCHRONOUS } : {}) }));
    const bare = await bareExpress();
    const url = `http://127.0.0.1:${service.port}/v1/ingest/scayle/webhooks`;
    try {
      // warm-up (JIT, SQLite pages), not measured
      await load(url, template, { connections: 10, durationSeconds: 1, runId: '9' });
      await load(bare.url, template, { connections: 10, durationSeconds: 1, runId: '9' });
      const bareMax = await measured(bare.url, template, { connections: 50, durationSeconds: seconds, runId: '1' });
      const ledgerMax = await withPeakRss(() => measured(url, template, { connections: 50, durationSeconds: seconds, runId: '2' }));
      const fixed = typeof vegeta === 'string' ? { bin: vegeta, rate: FIXED_RATE } : undefined;
      const bareFixed = fixed && (await measured(bare.url, template, { durationSeconds: seconds, vegeta: fixed, runId: '3' }));
      const ledgerFixed = fixed && (await measured(url, template, { durationSeconds: seconds, vegeta: fixed, runId: '4' }));
      const cpu = (r: { cpuMsPerRequest: number; loadCpuMsPerRequest: number }) => `${r.cpuMsPerRequest.toFixed(2)} ms server CPU/req, ${r.loadCpuMsPerRequest.toFixed(2)} ms load generator`;
      const failures = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
      // the rate asked for, within 1 % (vegeta's rate: requests over the time from the first to the last)
      const atRate = (r: LoadResult) => r.sentRate >= FIXED_RATE * 0.99;
      for (const [name, r] of [['max', ledgerMax.result], [`${FIXED_RATE}/s`, ledgerFixed]] as const) {
        if (r && failures(r) > 0) process.stderr.write(`ingest bench (${name}): ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts\n`);
      }
      const fixedName = `ingest: Scayle webhooks over HTTP at a fixed ${FIXED_RATE} req/s (vegeta, constant arrival rate, 2nd process)`;
      const fixedRateRow = (): BenchRow => {
        if (!ledgerFixed || !bareFixed) return { name: fixedName, unit: 'requests', throughput: Number.NaN, error: (vegeta as Error).message };
        return {
          name: fixedName,
          unit: 'requests',
          throughput: ledgerFixed.requests.average,
          p50Ms: ledgerFixed.latency.p50,
          p99Ms: ledgerFixed.latency.p99,
          size: `${ledgerFixed.requests.total.toLocaleString('en')} requests / ${seconds} s sent at ${ledgerFixed.sentRate.toFixed(1)}/s, max ${ledgerFixed.latency.max.toFixed(0)} ms; ${cpu(ledgerFixed)}`,
          baseline: { name: `bare express at ${FIXED_RATE} req/s (p99 ${bareFixed.latency.p99.toFixed(2)} ms, sent at ${bareFixed.sentRate.toFixed(1)}/s)`, throughput: bareFixed.requests.average },
          target: `p99 < 50 ms, all 2xx, ≥ 99 % of ${FIXED_RATE} req/s sent`,
          met: ledgerFixed.latency.p99 < 50 && failures(ledgerFixed) === 0 && atRate(ledgerFixed),
        };
      };
      return [
        {
          name: 'ingest: Scayle webhooks over HTTP, max rate (autocannon, 50 connections, 2nd process)',
          unit: 'requests',
          throughput: ledgerMax.result.requests.average,
          p50Ms: ledgerMax.result.latency.p50,
          p99Ms: ledgerMax.result.latency.p99,
          peakRssMiB: ledgerMax.peakRssMiB,
          size: `${ledgerMax.result.requests.total.toLocaleString('en')} requests / ${seconds} s; ${cpu(ledgerMax.result)}`,
          baseline: { name: `bare express JSON endpoint, max rate (${cpu(bareMax)})`, throughput: bareMax.requests.average },
          target: '≥ 2,000 req/s sustained, all 2xx',
          met: ledgerMax.result.requests.average >= 2000 && failures(ledgerMax.result) === 0,
        },
        fixedRateRow(),
      ];
    } finally {
      await new Promise<void>((resolve) => bare.server.close(() => resolve()));
      await service.stop();
    }
  },
};
