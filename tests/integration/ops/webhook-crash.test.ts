/**
 * Crash safety of webhook ingestion (issue 9 item 4): the service runs as a child process, a second
 * process drives webhook traffic, the service is SIGKILLed mid-load and restarted. Every delivery
 * that got a 2xx must be in the log exactly once, and after catch-up the freshness read model must
 * equal a clean rebuild from the log (SHA-256 of its canonical JSON).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RecordedEvent } from '../../../src/application/ports/event-store.port';
import { canonicalFreshnessJson, rebuildFreshnessState } from '../../../src/application/freshness/freshness.tracker';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { SqliteFreshnessStore } from '../../../src/infrastructure/freshness/sqlite-freshness-store';
import { tempDir } from '../../support/temp-dir';

const BIN = join(__dirname, '../../../../bin/scayle-ledger.js');
const DRIVER = join(__dirname, '../../support/webhook-driver.js');
const USER = 'scayle';
const PASSWORD = 'crash-test-webhook-password';

function startService(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'info', LEDGER_INGEST_RATE_LIMIT: '0', SCAYLE_WEBHOOK_USERNAME: USER, SCAYLE_WEBHOOK_PASSWORD: PASSWORD },
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

const exited = (child: ChildProcess): Promise<void> => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('webhook ingestion: crash safety (SIGKILL mid-load)', function () {
  this.timeout(120_000);

  it('every acknowledged delivery is in the log exactly once; the read model equals a clean rebuild', async () => {
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

      const duplicates = acks.filter((a) => a.status === 'duplicate').length;
      console.log(
        `      crash test: ${acks.length} deliveries acknowledged (${ackedKeys.size} distinct keys, ${duplicates} answered duplicate) before SIGKILL; ` +
          `${found.length}/${ackedKeys.size} found exactly once after restart; ${perKey.size - ackedKeys.size} more stored without an acknowledgement (in flight at the kill); ` +
          `freshness read model = rebuild (sha256 ${hash(canonicalFreshnessJson(rebuilt)).slice(0, 12)})`,
      );
    } finally {
      if (service && service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
      dir.remove();
    }
  });
});
