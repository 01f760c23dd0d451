import type { RecordedEvent } from '../application/ports/event-store.port';
import type { JsonObject, StoredDocument, WriteOp } from '../application/ports/read-model-store.port';
import type { BatchContext } from './projection';

interface Slot {
  doc: JsonObject | undefined;
  position: bigint;
  dirty: boolean;
}

/**
 * The overlay of one batch: prefetched documents plus the batch's writes, with an undo journal per
 * unit so a unit that throws leaves no trace. `collectionName` maps a projection's collection to
 * the physical one (the shadow during a rebuild).
 */
export class OverlayContext implements BatchContext {
  position = 0n;
  private readonly slots = new Map<string, Slot>();
  private journal: [string, Slot | undefined][] = [];
  private failures: { event: RecordedEvent; error: unknown }[] = [];

  constructor(private readonly collectionName: (name: string) => string = (n) => n) {}

  /** Adds prefetched documents; `ids` not found are remembered as absent. */
  load(collection: string, docs: Map<string, StoredDocument>, ids: readonly string[] = []): void {
    for (const id of ids) this.slots.set(`${collection}\u0000${id}`, { doc: undefined, position: 0n, dirty: false });
    for (const [id, d] of docs) this.slots.set(`${collection}\u0000${id}`, { doc: d.doc, position: d.position, dirty: false });
  }

  /** Whether a document was prefetched (found or known absent) or written. */
  has(collection: string, id: string): boolean {
    return this.slots.has(`${collection}\u0000${id}`);
  }

  get<T extends JsonObject = JsonObject>(collection: string, id: string): T | undefined {
    return this.slots.get(`${collection}\u0000${id}`)?.doc as T | undefined;
  }

  put(collection: string, id: string, doc: JsonObject): void {
    this.write(`${collection}\u0000${id}`, { doc, position: this.position, dirty: true });
  }

  delete(collection: string, id: string): void {
    this.write(`${collection}\u0000${id}`, { doc: undefined, position: this.position, dirty: true });
  }

  fail(event: RecordedEvent, error: unknown): void {
    this.failures.push({ event, error });
  }

  private write(key: string, slot: Slot): void {
    this.journal.push([key, this.slots.get(key)]);
    this.slots.set(key, slot);
  }

  /** Starts a unit at `position`. */
  begin(position: bigint): void {
    this.position = position;
    this.journal = [];
    this.failures = [];
  }

  /** Events the unit dead-lettered itself. */
  takeFailures(): { event: RecordedEvent; error: unknown }[] {
    const f = this.failures;
    this.failures = [];
    return f;
  }

  /** Undoes the current unit's writes. */
  rollback(): void {
    for (const [key, prior] of this.journal.reverse()) {
      if (prior) this.slots.set(key, prior);
      else this.slots.delete(key);
    }
    this.journal = [];
  }

  /** The batch's writes, one per touched document. */
  writes(): WriteOp[] {
    const out: WriteOp[] = [];
    for (const [key, slot] of this.slots) {
      if (!slot.dirty) continue;
      const [collection, id] = key.split('\u0000') as [string, string];
      const name = this.collectionName(collection);
      out.push(
        slot.doc === undefined
          ? { kind: 'delete', collection: name, id, position: slot.position }
          : { kind: 'upsert', collection: name, id, position: slot.position, doc: slot.doc },
      );
    }
    return out;
  }
}
