import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { RecordedEvent } from '../../src/application/ports/event-store.port';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { tempDir } from '../support/temp-dir';

interface Ack {
  stream: string;
  batch: number;
  size: number;
}

/** Runs the append loop in a child process and SIGKILLs it once it has acknowledged `minAcks` appends. */
function runAndKill(filename: string, batchSize: number, minAcks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '../support/append-loop.js'), filename, String(batchSize)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acks: Ack[] = [];
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [, stream, batch, size] = line.split(' ');
        acks.push({ stream: stream!, batch: Number(batch), size: Number(size) });
      }
      if (acks.length >= minAcks && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`append loop ended without being killed (${signal})`));
      else resolve(acks);
    });
  });
}

describe('SQLite event log: crash safety', function () {
  this.timeout(60_000);

  it('after SIGKILL mid-load every acknowledged append is present exactly once and no batch is partial', async () => {
    const dir = tempDir();
    const filename = join(dir.path, 'events.db');
    try {
      const acks = await runAndKill(filename, 25, 300);
      expect(acks.length).to.be.at.least(300);

      const store = new SqliteEventStore({ filename });
      const all: RecordedEvent[] = [];
      for await (const e of store.readAll()) all.push(e);
      await store.close();

      const batches = new Map<number, RecordedEvent[]>();
      for (const e of all) {
        const { batch } = e.data as { batch: number };
        batches.set(batch, [...(batches.get(batch) ?? []), e]);
      }
      for (const ack of acks) {
        const stored = batches.get(ack.batch) ?? [];
        expect(stored, `acknowledged batch ${ack.batch}`).to.have.length(ack.size);
        expect(new Set(stored.map((e) => e.streamId))).to.deep.equal(new Set([ack.stream]));
      }
      for (const [batch, events] of batches) expect(events, `batch ${batch} is whole`).to.have.length(25);
      // Nothing beyond at most the one batch that committed while its ack was in flight.
      expect(batches.size - acks.length).to.be.within(0, 1);
      // Positions are gap-free from 1.
      all.forEach((e, i) => expect(e.position).to.equal(BigInt(i + 1)));
    } finally {
      dir.remove();
    }
  });
});
