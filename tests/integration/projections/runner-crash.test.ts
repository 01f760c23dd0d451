import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { appendErpInvoice, orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { ALL_COLLECTIONS, buildRunner, hashReadModels, openStores } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';

describe('projection runner crash', function () {
  this.timeout(60_000);

  it('a runner SIGKILLed mid-batch and restarted ends with the same read models as an uninterrupted run', async () => {
    const dir = tempDir();
    const stores = openStores(dir.path, 'uninterrupted.db');
    try {
      for (let i = 0; i < 40; i++) {
        const order = orderSnapshot(String(5000 + i));
        const stream = await seedOrder(stores.events, order);
        // Every third order is billed short, so exceptions and summaries move too.
        await appendErpInvoice(stores.events, stream, i % 3 === 0 ? { ...order, items: [{ ...order.items[0]!, gross: '109.00', net: '91.60', tax: '17.40' }, order.items[1]!] } : order);
      }
      const child = spawn(process.execPath, [join(__dirname, '../../support/projection-loop.js'), dir.path, 'crashed.db', '7'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let batches = 0;
      let finished = false;
      await new Promise<void>((resolve) => {
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          batches += chunk.split('\n').filter((l) => l.startsWith('batch ')).length;
          if (chunk.includes('done')) finished = true;
          if (batches >= 4 && !child.killed) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve());
      });
      expect(finished, 'killed before it finished').to.equal(false);
      const crashed = openStores(dir.path, 'crashed.db');
      try {
        const checkpoint = (await crashed.store.getCheckpoint('reconciliation')).position;
        expect(checkpoint > 0n && checkpoint < 120n, `checkpoint ${String(checkpoint)} mid-log`).to.equal(true);
        await buildRunner(crashed.events, crashed.store, { batchSize: 7 }).catchUp();
        await buildRunner(stores.events, stores.store, { batchSize: 7 }).catchUp();
        expect(await hashReadModels(crashed.store, ALL_COLLECTIONS)).to.equal(await hashReadModels(stores.store, ALL_COLLECTIONS));
        expect(await stores.store.count('reconciliations', { status: 'drift' })).to.equal(14);
      } finally {
        await crashed.events.close();
        await crashed.store.close();
      }
    } finally {
      await stores.events.close();
      await stores.store.close();
      dir.remove();
    }
  });
});
