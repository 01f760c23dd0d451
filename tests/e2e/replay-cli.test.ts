import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import request from 'supertest';
import { auth, startApiService } from '../support/api-service';
import { addInvoice, addOrder, fakeClock, invoiceFor, mayOrder } from '../support/period-fixtures';

const BIN = join(__dirname, '../../../bin/scayle-ledger.js');
const run = promisify(execFile);

async function replayCli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [BIN, 'replay', ...args], { env: { ...process.env, LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'silent' } });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe('scayle-ledger replay (CLI)', function () {
  this.timeout(60_000);

  it('reproduces a closed period (exit 0), and reports a hand-altered snapshot (exit 1) with the path', async () => {
    const api = await startApiService({}, { clock: fakeClock('2024-06-03T08:00:00.000Z') });
    try {
      const order = mayOrder('1001');
      await addOrder(api.service, order);
      await addInvoice(api.service, order, invoiceFor(order, '2024-05-02'));
      const closed = await request(api.server).post('/v1/periods/2024-05/close').set(auth('finance'));
      expect(closed.status, closed.text).to.equal(201);
      await api.stop();

      const ok = await replayCli(api.dataDir, '--period', '2024-05', '--json');
      expect(ok.code).to.equal(0);
      const report = JSON.parse(ok.stdout) as { match: boolean; snapshotHash: string; replayedHash: string; position: string };
      expect(report).to.include({ match: true, snapshotHash: closed.body.hash, replayedHash: closed.body.hash, position: closed.body.position });

      const db = new Database(join(api.dataDir, 'events.db'));
      const row = db.prepare("SELECT position, data FROM events WHERE type = 'PeriodCloseSnapshotRecorded'").get() as { position: number; data: string };
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row.data.replace('"orders":1', '"orders":2'), row.position);
      db.close();
      const bad = await replayCli(api.dataDir, '--period', '2024-05', '--snapshot', '2024-05-v1');
      expect(bad.code).to.equal(1);
      expect(bad.stdout).to.contain('MISMATCH: 1 difference(s)');
      expect(bad.stdout).to.contain('$.counts.orders: stored 2 ≠ replayed 1');
    } finally {
      await api.dispose();
    }
  });

  it('refuses a data directory without an event log (exit 2) instead of creating an empty ledger there', async () => {
    const dir = join(tmpdir(), `no-ledger-${process.pid}-${Date.now()}`);
    try {
      await run(process.execPath, [BIN, 'replay', '--period', '2024-05'], { env: { ...process.env, LEDGER_DATA_DIR: dir, LOG_LEVEL: 'silent' } });
      expect.fail('replay should have failed');
    } catch (err) {
      const e = err as { code: number; stderr: string };
      expect(e.code).to.equal(2);
      expect(e.stderr.trim()).to.equal(`no event log at ${join(dir, 'events.db')}: set LEDGER_DATA_DIR to the service's data directory (or EVENTSTORE_CONNECTION_STRING)`);
    }
    expect(existsSync(dir), 'nothing created').to.equal(false);
  });
});

describe('scayle-ledger simulate and evaluate (CLI arguments)', function () {
  this.timeout(30_000);
  const cli = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
    try {
      await run(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent' } });
      return { code: 0, stderr: '' };
    } catch (err) {
      const e = err as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr };
    }
  };

  it('refuses counts that are not whole or out of bounds and shares above 1, in one line, before generating anything', async () => {
    const out = join(tmpdir(), `sim-args-${process.pid}`);
    for (const [args, message] of [
      [['--orders', '1.5'], '--orders must be a whole number from 1 to 1,000,000, got 1.5'],
      [['--orders', '1e9'], '--orders must be a whole number from 1 to 1,000,000, got 1e9'],
      [['--orders', '3', '--bc-share', '5'], '--bc-share must be between 0 and 1, got 5'],
      [['--orders', '3', '--seed', '-1'], '--seed must be a whole number from 0 to 9,007,199,254,740,991, got -1'],
    ] as const) {
      const r = await cli('simulate', ...args, '--out', out);
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.stderr.trim()).to.equal(message);
    }
    expect(existsSync(out)).to.equal(false);
  });

  it('evaluate takes one source: --in-process with --target is refused', async () => {
    const r = await cli('evaluate', '--truth', 'truth.json', '--in-process', '--target', 'http://localhost:1');
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal('--target and --in-process exclude each other: evaluate one source at a time');
  });
});

