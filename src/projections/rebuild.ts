/**
 * Rebuilding projections (issue 5): replay the whole log into shadow collections under a shadow
 * checkpoint, compare them with the live collections, then swap them in (the live checkpoint takes
 * the shadow's position and a new generation, so a running service's runner restarts from it).
 */
import type { Clock } from '../application/ports/clock.port';
import type { EventStore } from '../application/ports/event-store.port';
import { shadowName, type JsonObject, type ReadModelStore, type StoredDocument } from '../application/ports/read-model-store.port';
import type { Projection } from './projection';
import { ProjectionRunner, type RunnerOptions } from './runner';

/** How a shadow collection differs from the live one. */
export interface CollectionDiff {
  collection: string;
  live: number;
  rebuilt: number;
  onlyLive: number;
  onlyRebuilt: number;
  different: number;
  /** Up to 10 ids of each kind, for the report. */
  examples: { onlyLive: string[]; onlyRebuilt: string[]; different: string[] };
}

export interface RebuildResult {
  projection: string;
  position: bigint;
  events: number;
  seconds: number;
  diffs: CollectionDiff[];
  swapped: boolean;
}

async function* iterate<T extends JsonObject>(source: AsyncIterable<StoredDocument<T>>): AsyncGenerator<StoredDocument<T>> {
  yield* source;
}

/** Compares two collections document by document, walking both in id order. */
export async function compareCollections(store: ReadModelStore, live: string, rebuilt: string): Promise<CollectionDiff> {
  const diff: CollectionDiff = { collection: live, live: 0, rebuilt: 0, onlyLive: 0, onlyRebuilt: 0, different: 0, examples: { onlyLive: [], onlyRebuilt: [], different: [] } };
  const note = (kind: 'onlyLive' | 'onlyRebuilt' | 'different', id: string) => {
    diff[kind]++;
    if (diff.examples[kind].length < 10) diff.examples[kind].push(id);
  };
  const a = iterate(store.scan(live));
  const b = iterate(store.scan(rebuilt));
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    if (!x.done && (y.done || x.value._id < y.value._id)) {
      diff.live++;
      note('onlyLive', x.value._id);
      x = await a.next();
    } else if (!y.done && (x.done || y.value._id < x.value._id)) {
      diff.rebuilt++;
      note('onlyRebuilt', y.value._id);
      y = await b.next();
    } else if (!x.done && !y.done) {
      diff.live++;
      diff.rebuilt++;
      if (JSON.stringify(x.value.doc) !== JSON.stringify(y.value.doc)) note('different', x.value._id);
      x = await a.next();
      y = await b.next();
    }
  }
  return diff;
}

/**
 * Rebuilds `projections` into their shadows in **one** pass over the log (one runner feeds them all,
 * as the service's runner does live), then compares each with its live collections and, unless
 * `swap` is false, swaps each in. `onProgress` gets the position reached after every batch.
 * @returns one result per projection, in the order given (`events` and `seconds` are the shared pass's).
 */
export async function rebuildProjections(
  events: EventStore,
  store: ReadModelStore,
  projections: readonly Projection[],
  clock: Clock,
  options: { swap: boolean; runner?: RunnerOptions; onProgress?: (position: bigint, events: number) => void },
): Promise<RebuildResult[]> {
  const started = process.hrtime.bigint();
  for (const projection of projections) {
    projection.reset?.();
    await store.ensureCollections(projection.collections);
    await store.prepareShadow(projection.collections.map((c) => c.name), projection.name);
  }
  let count = 0;
  const runner = new ProjectionRunner(events, store, projections, clock, {
    ...options.runner,
    shadow: true,
    onBatch: (b) => {
      count += b.events;
      options.onProgress?.(b.position, count);
    },
  });
  await runner.catchUp();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const results: RebuildResult[] = [];
  for (const projection of projections) {
    const names = projection.collections.map((c) => c.name);
    const position = (await store.getCheckpoint(shadowName(projection.name))).position;
    const diffs: CollectionDiff[] = [];
    for (const name of names) diffs.push(await compareCollections(store, name, shadowName(name)));
    if (options.swap) await store.swapShadow(names, projection.name);
    projection.reset?.();
    results.push({ projection: projection.name, position, events: count, seconds, diffs, swapped: options.swap });
  }
  return results;
}
