/**
 * How `scayle-ledger serve` stops and who may share its data directory, with real child processes:
 * SIGTERM under keep-alive webhook load drains (requests arriving after the shutdown began are a 503
 * with `Connection: close`, in-flight ones finish, the process exits within its bound, every 202 is
 * in the log), and one writing process per `LEDGER_DATA_DIR` (a second `serve` or an `import`
 * waits for the instance lock, then fails naming the directory and the holder's
 * pid; the lock dies with its process, SIGKILL included; read-only commands never take it).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RecordedEvent } from '../../src/application/ports/event-store.port';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { tempDir } from '../support/temp-dir';

const BIN = join(__dirname, '../../../bin/scayle-ledger.js');
const USER = 'scayle';
const PASSWORD = 'lifecycle-test-webhook-password';
const ORDER = JSON.parse(readFileSync(join(__dirname, '../../../tests/fixtures/scayle/OrderGetResponse.json'), 'utf8')) as Record<string, unknown>;

const env = (dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  LEDGER_DATA_DIR: dataDir,
  LEDGER_INGEST_RATE_LIMIT: '0',
  SCAYLE_WEBHOOK_USERNAME: USER,
  SCAYLE_WEBHOOK_PASSWORD: PASSWORD,
  ...extra,
});

interface Running {
  child: ChildProcess;
  port: number;
  /** Resolves with the first stdout line containing the text. */
  line(text: string): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stderr(): string;
}

/** Spawns `scayle-ledger <args>`; for `serve`, resolves once it listens. */
function spawnCli(args: string[], processEnv: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; err: () => string; exited: Running['exited']; line: Running['line'] } {
  const child = spawn(process.execPath, [BIN, ...args], { env: processEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: (line: string) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of [...waiters]) {
      const line = out.split('\n').find((l) => l.includes(w.text));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const line = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const found = out.split('\n').find((l) => l.includes(text));
      if (found) return resolve(found);
      waiters.push({ text, resolve });
      void exited.then(({ code }) => reject(new Error(`exited (${code}) before logging "${text}"; stderr: ${err}`)));
    });
  return { child, out: () => out, err: () => err, exited, line };
}

async function startServe(dataDir: string, extra: NodeJS.ProcessEnv = {}): Promise<Running> {
  const cli = spawnCli(['serve'], env(dataDir, extra));
  const listening = await cli.line('listening on');
  return { child: cli.child, port: (JSON.parse(listening) as { port: number }).port, line: cli.line, exited: cli.exited, stderr: cli.err };
}

interface Answer {
  key: string;
  sentAt: number;
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  error?: string;
}

/** One webhook POST on the keep-alive agent. */
function postWebhook(port: number, agent: Agent, n: number): Promise<Answer> {
  const key = `drain-${n}`;
  const id = n + 200_000;
  const body = JSON.stringify({ key, occurredAt: new Date(Date.UTC(2024, 5, 1, 10, 0, n % 60)).toISOString(), type: 'order-confirmed', locale: 'de_DE', payload: { ...ORDER, id, referenceKey: `ref-${id}` } });
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/ingest/scayle/webhooks',
        method: 'POST',
        agent,
        headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ key, sentAt, status: res.statusCode!, headers: res.headers, body: text }));
        res.on('error', (e) => resolve({ key, sentAt, error: e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ key, sentAt, error: e.code ?? e.message }));
    req.end(body);
  });
}

async function logKeys(dataDir: string): Promise<Map<string, number>> {
  const store = new SqliteEventStore({ filename: join(dataDir, 'events.db') });
  const perKey = new Map<string, number>();
  try {
    for await (const e of store.readAll() as AsyncIterable<RecordedEvent>) {
      if (e.metadata.source === 'scayle') perKey.set(String(e.metadata.sourceEventId), (perKey.get(String(e.metadata.sourceEventId)) ?? 0) + 1);
    }
  } finally {
    await store.close();
  }
  return perKey;
}

const kill = (child: ChildProcess | undefined) => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};

describe('scayle-ledger serve: graceful stop and one instance per data directory', function () {
  this.timeout(90_000);

  it('SIGTERM under keep-alive load: later requests get 503 + Connection: close, the process exits within the bound, every 202 is in the log', async () => {
    const dir = tempDir();
    let service: Running | undefined;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      service = await startServe(dir.path, { LEDGER_SHUTDOWN_TIMEOUT: '3s' });
      const port = service.port;
      const answers: Answer[] = [];
      let n = 0;
      let stopSending = false;
      let shuttingDownAt = Infinity;
      let signalledAt = 0;
      const client = async () => {
        while (!stopSending) {
          const answer = await postWebhook(port, agent, n++);
          answers.push(answer);
          if (answer.error) await new Promise((r) => setTimeout(r, 20));
        }
      };
      const clients = Array.from({ length: 8 }, client);
      while (answers.filter((a) => a.status === 202).length < 80) await new Promise((r) => setTimeout(r, 20));
      void service.line('shutting down').then(() => (shuttingDownAt = Date.now()));
      signalledAt = Date.now();
      service.child.kill('SIGTERM');
      const exit = await service.exited;
      stopSending = true;
      await Promise.all(clients);

      // Bounded: the shutdown timeout (3 s) plus closing the stores, although the clients kept sending.
      expect(exit.code, 'exit code').to.equal(0);
      expect(exit.at - signalledAt, 'ms from SIGTERM to exit').to.be.below(6_000);
      expect(shuttingDownAt, 'the shutdown was logged').to.be.below(Infinity);

      // Sent after the shutdown began: never served — the kept-alive connection was closed (after its
      // in-flight answer) or the request is a 503 problem asking to retry and closing the connection.
      const late = answers.filter((a) => a.sentAt > shuttingDownAt);
      expect(late.length, 'requests sent after the shutdown began').to.be.above(0);
      expect(late.filter((a) => a.status !== undefined && a.status !== 503).map((a) => `${a.key} ${a.status}`), 'served after the shutdown began').to.deep.equal([]);
      const refused = late.filter((a) => a.status === 503);
      for (const a of refused) {
        expect(a.headers!['content-type']).to.match(/^application\/problem\+json/);
        expect(a.headers!['retry-after']).to.equal('3');
        expect(a.headers!.connection).to.equal('close');
        expect(JSON.parse(a.body!)).to.include({ status: 503, type: '/problems/shutting-down', title: 'The service is shutting down' });
      }

      // In flight when the shutdown began: served, and told the connection closes.
      const closing = answers.filter((a) => a.status === 202 && a.headers!.connection === 'close');
      expect(closing.length, '202s answered with Connection: close').to.be.above(0);
      expect(closing.every((a) => a.sentAt <= shuttingDownAt)).to.equal(true);

      // Every acknowledged delivery is in the log, exactly once; nothing was refused half-way.
      const perKey = await logKeys(dir.path);
      const acked = answers.filter((a) => a.status === 202).map((a) => a.key);
      expect(acked.filter((k) => perKey.get(k) !== 1), 'acknowledged deliveries missing from the log').to.deep.equal([]);
      expect(refused.filter((a) => perKey.has(a.key)).map((a) => a.key), 'refused deliveries appended').to.deep.equal([]);
      console.log(
        `      drain: ${acked.length} acknowledged, ${closing.length} in flight at the shutdown answered with Connection: close, ` +
          `${late.length} sent after it (${refused.length} answered 503, ${late.length - refused.length} found the connection closed); exit ${exit.at - signalledAt} ms after SIGTERM`,
      );
    } finally {
      agent.destroy();
      kill(service?.child);
      dir.remove();
    }
  });

  it('a second serve on the same data directory waits for the instance lock, then fails naming LEDGER_DATA_DIR and the holder pid; SIGKILL frees the lock', async () => {
    const dir = tempDir();
    const children: ChildProcess[] = [];
    try {
      const first = await startServe(dir.path);
      children.push(first.child);
      const second = spawnCli(['serve'], env(dir.path, { LEDGER_INSTANCE_LOCK_WAIT: '1s' }));
      children.push(second.child);
      const startedAt = Date.now();
      const outcome = await Promise.race([second.exited, second.line('listening on').then(() => 'listening' as const, () => 'exited' as const)]);
      expect(outcome, 'the second serve must not listen').to.not.equal('listening');
      const exit = await second.exited;
      expect(exit.code).to.equal(1);
      expect(exit.at - startedAt, 'waited the configured second before giving up').to.be.at.least(1_000);
      expect(second.err().trim().split('\n'), 'one line, no stack').to.have.length(1);
      expect(second.err().trim()).to.equal(
        `LEDGER_DATA_DIR ${dir.path} is in use by another scayle-ledger process (pid ${first.child.pid}, serve); waited 1s (LEDGER_INSTANCE_LOCK_WAIT) for it to stop`,
      );
      expect(second.out()).to.not.contain('listening on');

      first.child.kill('SIGKILL');
      await first.exited;
      const third = await startServe(dir.path, { LEDGER_INSTANCE_LOCK_WAIT: '1s' });
      children.push(third.child);
      const health = (await (await fetch(`http://127.0.0.1:${third.port}/v1/health`)).json()) as { ready: boolean };
      expect(health.ready).to.equal(true);
    } finally {
      children.forEach(kill);
      dir.remove();
    }
  });

  it('a rolling restart: the new serve waits while the old one drains, then starts', async () => {
    const dir = tempDir();
    const children: ChildProcess[] = [];
    try {
      const old = await startServe(dir.path);
      children.push(old.child);
      const next = spawnCli(['serve'], env(dir.path, { LEDGER_INSTANCE_LOCK_WAIT: '20s' }));
      children.push(next.child);
      await new Promise((r) => setTimeout(r, 4_000));
      expect(next.out(), 'not started while the old instance runs').to.not.contain('listening on');
      old.child.kill('SIGTERM');
      const oldExit = await old.exited;
      const listening = await next.line('listening on');
      expect(oldExit.code).to.equal(0);
      const health = (await (await fetch(`http://127.0.0.1:${(JSON.parse(listening) as { port: number }).port}/v1/health`)).json()) as { ready: boolean };
      expect(health.ready).to.equal(true);
    } finally {
      children.forEach(kill);
      dir.remove();
    }
  });

  it('import refuses a data directory a service uses; replay still runs beside it', async () => {
    const dir = tempDir();
    let service: Running | undefined;
    try {
      service = await startServe(dir.path);
      const holder = `pid ${service.child.pid}, serve`;
      const file = join(dir.path, 'one.ndjson');
      writeFileSync(file, `${JSON.stringify({ kind: 'scayle_webhook', body: { key: 'import-1', occurredAt: '2024-06-01T10:00:00.000Z', type: 'order-confirmed', locale: 'de_DE', payload: { ...ORDER, id: 300_001, referenceKey: 'ref-300001' } } })}\n`);
      for (const args of [['import', file]]) {
        const cli = spawnCli(args, env(dir.path, { LEDGER_INSTANCE_LOCK_WAIT: '500ms' }));
        const exit = await cli.exited;
        expect(exit.code, args.join(' ')).to.equal(1);
        expect(cli.err().trim(), args.join(' ')).to.equal(`LEDGER_DATA_DIR ${dir.path} is in use by another scayle-ledger process (${holder}); waited 500ms (LEDGER_INSTANCE_LOCK_WAIT) for it to stop`);
      }
      expect((await logKeys(dir.path)).has('import-1'), 'the refused import appended nothing').to.equal(false);

      // Read-only: answers from the same data directory at once (a period never closed is exit 1 with its reason).
      const replay = spawnCli(['replay', '--period', '2024-05'], env(dir.path, { LEDGER_INSTANCE_LOCK_WAIT: '30s' }));
      const startedAt = Date.now();
      const exit = await replay.exited;
      expect(replay.err()).to.contain('Period 2024-05 has never been closed');
      expect(replay.err()).to.not.contain('LEDGER_INSTANCE_LOCK_WAIT');
      expect(exit.at - startedAt).to.be.below(15_000);

      // The service is unaffected and still takes webhooks.
      const agent = new Agent({ keepAlive: false });
      const answer = await postWebhook(service.port, agent, 1);
      expect(answer.status).to.equal(202);
    } finally {
      kill(service?.child);
      dir.remove();
    }
  });
});
