import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { ReconciliationDoc } from '../../src/projections/reconciliation.projection';
import { appendErpInvoice, orderSnapshot, seedOrder } from '../support/order-fixtures';
import { ALL_COLLECTIONS, buildRunner, hashReadModels, openStores } from '../support/projection-harness';
import { tempDir } from '../support/temp-dir';

const BIN = join(__dirname, '../../../bin/scayle-ledger.js');
const run = promisify(execFile);

describe('scayle-ledger projections rebuild (CLI)', function () {
  this.timeout(60_000);

  it('rebuilds into shadows, reports the differences from the live read models, then swaps', async () => {
    const dir = tempDir();
    try {
      let stores = openStores(dir.path);
      for (const id of ['9001', '9002', '9003']) {
        const order = orderSnapshot(id);
        await appendErpInvoice(stores.events, await seedOrder(stores.events, order), order);
      }
      await buildRunner(stores.events, stores.store).catchUp();
      const expected = await hashReadModels(stores.store, ALL_COLLECTIONS);
      // Damage the live read model: one order marked drift by hand, one deleted.
      const victim = (await stores.store.find<ReconciliationDoc>('reconciliations', { limit: 2 })).items;
      await stores.store.commit([
        { kind: 'upsert', collection: 'reconciliations', id: victim[0]!._id, position: victim[0]!.position, doc: { ...victim[0]!.doc, status: 'drift' } },
        { kind: 'delete', collection: 'reconciliations', id: victim[1]!._id, position: victim[1]!.position },
      ]);
      await stores.events.close();
      await stores.store.close();

      const env = { ...process.env, LEDGER_DATA_DIR: dir.path, LOG_LEVEL: 'silent', LEDGER_TIMEZONE: 'Europe/Berlin' };
      const dry = await run(process.execPath, [BIN, 'projections', 'rebuild', 'reconciliation', '--dry-run'], { env });
      expect(dry.stdout).to.contain('reconciliations: live 2, rebuilt 3, only live 0, only rebuilt 1, different 1');
      expect(dry.stdout).to.contain(`different: ${victim[0]!._id}`);
      expect(dry.stdout).to.contain('not swapped');
      const real = await run(process.execPath, [BIN, 'projections', 'rebuild'], { env });
      expect(real.stdout).to.contain('swapped in');
      expect(real.stdout).to.match(/reconciliation \+ order-history: one pass over 9 events up to position 9 in/);

      stores = openStores(dir.path);
      try {
        expect(await hashReadModels(stores.store, ALL_COLLECTIONS)).to.equal(expected);
        expect((await stores.store.getCheckpoint('reconciliation')).generation).to.equal(1);
        const unknown = await run(process.execPath, [BIN, 'projections', 'rebuild', 'nope'], { env }).catch((e: { code: number; stderr: string }) => e);
        expect((unknown as { code: number }).code).to.equal(2);
        const empty = await run(process.execPath, [BIN, 'projections', 'rebuild', ''], { env }).catch((e: { code: number; stderr: string }) => e);
        expect((empty as { code: number }).code).to.equal(2);
        for (const size of ['0', '-5', 'abc', '1.5', '100001']) {
          const bad = await run(process.execPath, [BIN, 'projections', 'rebuild', '--batch-size', size], { env }).catch((e: { code: number; stderr: string }) => e);
          expect((bad as { code: number }).code, `--batch-size ${size}`).to.equal(1);
          expect((bad as { stderr: string }).stderr).to.contain('--batch-size');
        }
        const nowhere = await run(process.execPath, [BIN, 'projections', 'rebuild'], { env: { ...env, LEDGER_DATA_DIR: join(dir.path, 'mistyped') } }).catch((e: { code: number; stderr: string }) => e);
        expect((nowhere as { code: number }).code).to.equal(2);
        expect((nowhere as { stderr: string }).stderr).to.contain('no event log at');
      } finally {
        await stores.events.close();
        await stores.store.close();
      }
    } finally {
      dir.remove();
    }
  });
});
