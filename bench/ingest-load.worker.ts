/**
 * Load generator of the ingest benchmark, run as a **separate process** so the service under test
 * does not share its event loop with the client. Each request is a distinct Scayle webhook (fresh
 * delivery key and order id, so every request appends a new fact). Two ways:
 * - as fast as possible: autocannon, a fixed number of connections, each sending its next request as
 *   soon as the last one is answered;
 * - at a constant rate (`vegeta` set): vegeta, open loop, one request every 1/rate s whatever the
 *   answers do (autocannon's `overallRate` sends each connection's quota for a second back to back at
 *   the start of the second, so "500 req/s" would be a burst of 500 each second).
 * Usage: node ingest-load.worker.js '<json options>'; prints a {@link LoadResult} as JSON.
 */
import autocannon from 'autocannon';
import { attackAtConstantRate, countAnswers, jsonTarget } from './vegeta';

interface WorkerOptions {
  url: string;
  /** Request body with `__N__` where the request number goes. */
  template: string;
  headers: Record<string, string>;
  /** autocannon connections (max-rate load only). */
  connections?: number;
  durationSeconds: number;
  /** Constant arrival rate with vegeta: its binary and requests started per second. */
  vegeta?: { bin: string; rate: number };
  /** Distinguishes runs so their keys never collide. */
  runId: string;
}

/** What one load reports; latencies in ms. */
export interface LoadResult {
  /** Answers per second (vegeta: successful ones) and requests sent. */
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  /** Requests per second actually started (vegeta's `rate`; autocannon: the same as answers/s). */
  sentRate: number;
  non2xx: number;
  /** Requests that got no answer (connection errors; for vegeta also timeouts). */
  errors: number;
  timeouts: number;
  /** CPU the load generator itself used per request, ms (it shares the machine's cores with the server). */
  loadCpuMsPerRequest: number;
}

/**
 * The bodies of a run, without end: the template with `<runId><n>` for n = 1, 2, … (delivery key and
 * order id). Split once: joining the parts around each request's number costs far less than a
 * regex replace over the whole body per request, and every microsecond here is taken from the
 * server under test (both processes share the machine's cores).
 */
export function* webhookBodies(template: string, runId: string): Generator<string> {
  const parts = template.split('__N__');
  for (let n = 1; ; n++) yield parts.join(`${runId}${n}`);
}

async function maxRate(o: WorkerOptions): Promise<LoadResult> {
  const bodies = webhookBodies(o.template, o.runId);
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: o.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...o.headers },
    connections: o.connections ?? 10,
    duration: o.durationSeconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies.next().value as string }) }],
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: { average: result.requests.average, total: result.requests.total },
    latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    sentRate: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    loadCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total),
  };
}

async function constantRate(o: WorkerOptions & { vegeta: { bin: string; rate: number } }): Promise<LoadResult> {
  const headers = { 'Content-Type': 'application/json', ...o.headers };
  function* targets(): Generator<string> {
    for (const body of webhookBodies(o.template, o.runId)) yield jsonTarget('POST', o.url, headers, body);
  }
  const cpuBefore = process.cpuUsage();
  const { report, attackCpuMs } = await attackAtConstantRate({ bin: o.vegeta.bin, rate: o.vegeta.rate, durationSeconds: o.durationSeconds, targets: targets() });
  const own = process.cpuUsage(cpuBefore);
  const answers = countAnswers(report);
  const ms = (ns: number) => ns / 1e6;
  return {
    requests: { average: report.throughput, total: report.requests },
    latency: { p50: ms(report.latencies['50th']), p99: ms(report.latencies['99th']), max: ms(report.latencies.max) },
    sentRate: report.rate,
    non2xx: answers.non2xx,
    errors: answers.errors,
    timeouts: 0,
    // this process writes the targets; vegeta sends them
    loadCpuMsPerRequest: ((own.user + own.system) / 1000 + attackCpuMs) / Math.max(1, report.requests),
  };
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as WorkerOptions;
  const result = o.vegeta ? await constantRate({ ...o, vegeta: o.vegeta }) : await maxRate(o);
  process.stdout.write(JSON.stringify(result));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
