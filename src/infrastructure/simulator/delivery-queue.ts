/**
 * Puts simulated records into delivery order (`deliverAt`, then `seq`) without holding a million of
 * them in memory: records are spilled to one bucket file per delivery day, and each bucket is sorted
 * on its own when drained. Small runs never touch the disk.
 */
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimRecord } from '../../application/simulation/simulation.types';

const MEMORY_LIMIT = 50_000;
const FLUSH_BYTES = 1 << 20;

export class DeliveryQueue {
  private memory: SimRecord[] = [];
  private dir?: string;
  private buffers = new Map<string, string[]>();
  private bufferedBytes = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(r: SimRecord): void {
    this.count++;
    if (!this.dir && this.memory.length < MEMORY_LIMIT) {
      this.memory.push(r);
      return;
    }
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), 'sim-delivery-'));
      const spill = this.memory;
      this.memory = [];
      spill.forEach((m) => this.spill(m));
    }
    this.spill(r);
  }

  /** Records in delivery order. Removes the spill files when done. */
  *drain(): Generator<SimRecord> {
    if (!this.dir) {
      yield* this.memory.sort(byDelivery);
      this.memory = [];
      return;
    }
    this.flush();
    try {
      for (const file of readdirSync(this.dir).sort()) {
        const rows = readFileSync(join(this.dir, file), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map(parseRow)
          .sort(byDelivery);
        yield* rows;
      }
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      this.dir = undefined;
    }
  }

  private spill(r: SimRecord): void {
    const day = new Date(r.deliverAt).toISOString().slice(0, 10);
    const row = `${r.deliverAt}\t${r.seq}\t${r.kind}\t${r.orderId ?? ''}\t${r.deliveryFault ?? ''}\t${r.body}`;
    const b = this.buffers.get(day);
    if (b) b.push(row);
    else this.buffers.set(day, [row]);
    this.bufferedBytes += row.length;
    if (this.bufferedBytes > FLUSH_BYTES * 32) this.flush();
  }

  private flush(): void {
    for (const [day, rows] of this.buffers) appendFileSync(join(this.dir!, `${day}.tsv`), rows.join('\n') + '\n');
    this.buffers.clear();
    this.bufferedBytes = 0;
  }
}

function byDelivery(a: SimRecord, b: SimRecord): number {
  return a.deliverAt - b.deliverAt || a.seq - b.seq;
}

function parseRow(row: string): SimRecord {
  const parts = row.split('\t', 5);
  const body = row.slice(parts.join('\t').length + 1);
  const [deliverAt, seq, kind, orderId, fault] = parts as [string, string, SimRecord['kind'], string, string];
  return { deliverAt: Number(deliverAt), seq: Number(seq), kind, body, ...(orderId ? { orderId } : {}), ...(fault ? { deliveryFault: fault as SimRecord['deliveryFault'] } : {}) };
}

/** One line of the `scayle-ledger import` NDJSON format. */
export function importLine(r: SimRecord): string {
  return `{"kind":"${r.kind}","body":${r.body}}`;
}
