/**
 * Crash safety of webhook ingestion (issue 9 item 4): the service runs as a child process, a second
 * process drives webhook traffic, the service is SIGKILLed mid-load and restarted. Every delivery
 * that got a 2xx must be in the log exactly once, and after catch-up the read models must equal a
 * clean rebuild from the log: the freshness model (SHA-256 of its canonical JSON), and the
 * reconciliation read models — reconciliations, exceptions, period summaries — and the order
 * history (SHA-256 over each collection against its shadow rebuilt by the projections' rebuild
 * service, as `scayle-ledger projections rebuild --dry-run` does).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { systemClock } from '../../../src/application/ports/clock.port';
import type { EventStore, RecordedEvent } from '../../../src/application/ports/event-store.port';
import { shadowName, type ReadModelStore } from '../../../src/application/ports/read-model-store.port';
import type { ReconciliationPolicyProvider } from '../../../src/application/ports/reconciliation-policy.port';
import { loadConfig } from '../../../src/infrastructure/config/config';
import { buildContainer } from '../../../src/infrastructure/di/container';
import { createProjections } from '../../../src/infrastructure/di/modules/projections.module';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { createLogger } from '../../../src/infrastructure/logging/logger';
import { rebuildProjections } from '../../../src/projections/rebuild';
import { canonicalFreshnessJson, rebuildFreshnessState } from '../../../src/application/freshness/freshness.tracker';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { SqliteFreshnessStore } from '../../../src/infrastructure/freshness/sqlite-freshness-store';
import { tempDir } from '../../support/temp-dir';

const BIN = join(__dirname, '../../../../bin/scayle-ledger.js');
const DRIVER = join(__dirname, '../../support/webhook-driver.js');
const USER = 'scayle';
const PASSWORD = 'crash-test-webhook-password';

/** The service's configuration (the child's environment; the in-process rebuild uses the same). */
const serviceEnv = (dataDir: string): NodeJS.ProcessEnv => ({ LEDGER_DATA_DIR: dataDir, LEDGER_INGEST_RATE_LIMIT: '0', SCAYLE_WEBHOOK_USERNAME: USER, SCAYLE_WEBHOOK_PASSWORD: PASSWORD });

function startService(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...serviceEnv(dataDir) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.includes('listening on'));
      if (line) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, port: (JSON.parse(line) as { port: number }).port });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
  });
}

/** SHA-256 over a collection in id order: each document's id, position and canonical (key-sorted) JSON. */
async function collectionHash(store: ReadModelStore, collection: string): Promise<{ hash: string; documents: number }> {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  const hash = createHash('sha256');
  let documents = 0;
  for await (const d of store.scan(collection)) {
    hash.update(`${d._id}\u0000${String(d.position)}\u0000${JSON.stringify(canonical(d.doc))}\n`);
    documents++;
  }
  return { hash: hash.digest('hex'), documents };
}

/** Polls /v1/freshness until the reconciliation and order-history projections have applied the whole log. */
async function caughtUp(port: number, dataDir: string): Promise<void> {
  const key = (JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8')) as { operations: string }).operations;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const report = (await (await fetch(`http://127.0.0.1:${port}/v1/freshness`, { headers: { authorization: `Bearer ${key}` } })).json()) as { projections: { name: string; caughtUp: boolean; lagEvents: number }[] };
    const views = report.projections.filter((p) => p.name === 'reconciliation' || p.name === 'order-history');
    if (views.length === 2 && views.every((p) => p.caughtUp && p.lagEvents === 0)) return;
  }
  throw new Error('the projections did not catch up within 30 s after the restart');
}

const exited = (child: ChildProcess): Promise<void> => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('webhook ingestion: crash safety (SIGKILL mid-load)', function () {
  this.timeout(120_000);

  it('every acknowledged delivery is in the log exactly once; after catch-up every read model equals a clean rebuild', async () => {
    const dir = tempDir();
    let service: ChildProcess | undefined;
    try {
      const first = await startService(dir.path);
      service = first.child;
      const acks: { key: string; status: string }[] = [];
      const driver = spawn(process.execPath, [DRIVER, `http://127.0.0.1:${first.port}`, USER, PASSWORD, '8', '4000', '40'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buffered = '';
      driver.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const [, key, status] = line.split(' ');
          acks.push({ key: key!, status: status! });
        }
        if (acks.length >= 400 && service && service.signalCode === null && !service.killed) service.kill('SIGKILL');
      });
      await exited(driver);
      await exited(first.child);
      expect(first.child.signalCode, 'the service was killed mid-load').to.equal('SIGKILL');
      expect(acks.length).to.be.at.least(400);

      // Restart: start-up catches the projections up; then stop gracefully.
      const second = await startService(dir.path);
      service = second.child;
      const health = (await (await fetch(`http://127.0.0.1:${second.port}/v1/health`)).json()) as { ready: boolean };
      expect(health.ready).to.equal(true);
      await caughtUp(second.port, dir.path);
      service.kill('SIGTERM');
      await exited(service);

      const store = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
      const events: RecordedEvent[] = [];
      for await (const e of store.readAll()) events.push(e);
      const perKey = new Map<string, number>();
      for (const e of events) if (e.metadata.source === 'scayle') perKey.set(String(e.metadata.sourceEventId), (perKey.get(String(e.metadata.sourceEventId)) ?? 0) + 1);
      const ackedKeys = new Set(acks.map((a) => a.key));
      const found = [...ackedKeys].filter((k) => perKey.get(k) === 1);
      expect([...ackedKeys].filter((k) => perKey.get(k) !== 1), 'acknowledged deliveries missing or stored twice').to.deep.equal([]);
      expect([...perKey.entries()].filter(([, n]) => n > 1), 'deliveries stored twice').to.deep.equal([]);

      const rebuilt = await rebuildFreshnessState(store.readAll(), 24 * 60);
      await store.close();
      const kept = new SqliteFreshnessStore(join(dir.path, 'freshness.db'));
      const state = kept.load();
      kept.close();
      const hash = (s: string) => createHash('sha256').update(s).digest('hex');
      expect(hash(canonicalFreshnessJson(state!)), 'freshness read model vs clean rebuild').to.equal(hash(canonicalFreshnessJson(rebuilt)));

      // The reconciliation read models (and the order history) the restarted service caught up vs a
      // clean rebuild of every projection from the log into shadow collections (nothing swapped).
      const config = loadConfig(serviceEnv(dir.path));
      const container = buildContainer(config, { logger: createLogger('silent') });
      const log = container.get<EventStore>(TOKENS.EventStore);
      const readModels = container.get<ReadModelStore>(TOKENS.ReadModelStore);
      const compared: string[] = [];
      try {
        const projections = createProjections(config, log, container.get<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy));
        const results = await rebuildProjections(log, readModels, projections, systemClock, { swap: false, runner: { batchSize: 2_000, maxLatencyMs: 1_000 } });
        for (const [i, projection] of projections.entries()) {
          expect(results[i]!.swapped).to.equal(false);
          for (const { name } of projection.collections) {
            const live = await collectionHash(readModels, name);
            const rebuilt = await collectionHash(readModels, shadowName(name));
            expect(live, `${name}: read model after the crash and restart vs a clean rebuild`).to.deep.equal(rebuilt);
            compared.push(`${name} ${live.documents} docs`);
          }
        }
        expect(compared.map((c) => c.split(' ')[0])).to.include.members(['reconciliations', 'exceptions', 'period_summaries']);
      } finally {
        await readModels.close();
        await log.close();
      }

      const duplicates = acks.filter((a) => a.status === 'duplicate').length;
      console.log(
        `      crash test: ${acks.length} deliveries acknowledged (${ackedKeys.size} distinct keys, ${duplicates} answered duplicate) before SIGKILL; ` +
          `${found.length}/${ackedKeys.size} found exactly once after restart; ${perKey.size - ackedKeys.size} more stored without an acknowledgement (in flight at the kill); ` +
          `freshness read model = rebuild (sha256 ${hash(canonicalFreshnessJson(rebuilt)).slice(0, 12)}); ` +
          `read models = clean rebuild (${compared.join(', ')})`,
      );
    } finally {
      if (service && service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
      dir.remove();
    }
  });
});
