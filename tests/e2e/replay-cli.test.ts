import { execFile } from 'node:child_process';
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
});
