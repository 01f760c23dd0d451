/**
 * Load generator of the ingest benchmark, run as a **separate process** so the service under test
 * does not share its event loop with the client: autocannon against one URL, each request a
 * distinct Scayle webhook (fresh delivery key and order id, so every request appends a new fact).
 * Usage: node ingest-load.worker.js '<json options>'; prints the autocannon result as JSON.
 */
import autocannon from 'autocannon';

interface WorkerOptions {
  url: string;
  /** Request body with `__N__` where the request number goes. */
  template: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Fixed arrival rate (req/s over all connections); absent = as fast as possible. */
  overallRate?: number;
  /** Distinguishes runs so their keys never collide. */
  runId: string;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as WorkerOptions;
  // Split once: joining the parts around each request's number costs far less than a regex
  // replace over the whole body per request, and every microsecond here is taken from the server
  // under test (both processes share the machine's cores).
  const parts = o.template.split('__N__');
  let n = 0;
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: o.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...o.headers },
    connections: o.connections,
    duration: o.durationSeconds,
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
    requests: [
      {
        setupRequest: (req) => {
          n++;
          return { ...req, body: parts.join(`${o.runId}${n}`) };
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const loadCpuMsPerRequest = (cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total);
  process.stdout.write(JSON.stringify({ requests: result.requests, latency: result.latency, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, total: result.requests.total, duration: result.duration, loadCpuMsPerRequest }));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
