import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { tempDir } from '../../support/temp-dir';

const walBytes = (file: string): number => statSync(`${file}-wal`).size;
const event = (n: number) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'Fact', data: { n, text: 'x'.repeat(4000) }, metadata: { source: 'scayle' as const, occurredAt: '2024-06-01T10:00:00Z', recordedAt: '2024-06-01T10:00:00Z', schemaVersion: 1 } });

describe('SQLite event log: WAL checkpoints from a second connection (the projection thread)', () => {
  it("with the writer's automatic checkpoint raised, another connection copies the WAL back and the writer then reuses the WAL from its start", async () => {
    const dir = tempDir();
    const file = join(dir.path, 'events.db');
    const writer = new SqliteEventStore({ filename: file, walAutocheckpointPages: 16_384 });
    const checkpointer = new SqliteEventStore({ filename: file });
    try {
      for (let n = 1; n <= 400; n++) await writer.appendToStream(`s-${n}`, [event(n)], { expectedRevision: 'no_stream' });
      // SQLite's default (1,000 pages, ~4 MiB) would have checkpointed and reused the WAL by now.
      const grown = walBytes(file);
      expect(grown).to.be.greaterThan(4_000 * 1024);

      const { walFrames, checkpointed } = checkpointer.checkpointWal();
      expect(walFrames).to.be.greaterThan(1_000);
      expect(checkpointed).to.equal(walFrames);

      // The next commit starts the WAL over: its file does not grow past what it already was.
      for (let n = 401; n <= 420; n++) await writer.appendToStream(`s-${n}`, [event(n)], { expectedRevision: 'no_stream' });
      expect(walBytes(file)).to.equal(grown);
      expect(checkpointer.checkpointWal().walFrames).to.be.lessThan(200);
      // Nothing is lost on the way: both connections read every event.
      expect(await writer.headPosition()).to.equal(420n);
      expect((await checkpointer.readStream('s-420'))[0]!.data).to.deep.equal(event(420).data);
    } finally {
      await writer.close();
      await checkpointer.close();
      dir.remove();
    }
  });
});
