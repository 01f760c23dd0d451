/**
 * Reads an accounting period's stream `period-<YYYY-MM>`: its decider state, its revision, and the
 * snapshots recorded in it (the bodies live in the log as `PeriodCloseSnapshotRecorded`).
 */
import type { CloseSnapshot } from '../../domain/period/close-snapshot';
import { isPeriodEvent, type PeriodClosed, type PeriodEvent } from '../../domain/period/period.events';
import { evolvePeriod, initialPeriodState, type PeriodState } from '../../domain/period/period.state';
import { periodStreamId } from '../../domain/shared/streams';
import { type ActualRevision, type EventStore, type RecordedEvent } from '../ports/event-store.port';
import { readStreamOrEmpty } from '../shared/read-stream';

/** A snapshot as stored, with the close that sealed it. */
export interface StoredSnapshot {
  snapshotId: string;
  version: number;
  /** The hash recorded in `PeriodClosed` (what the chain and the replay compare with). */
  hash: string;
  /** The body as stored in the log. */
  snapshot: CloseSnapshot;
  closed: PeriodClosed['data'];
  /** Log position of the `PeriodClosed` event. */
  closedPosition: bigint;
  /** Whether this is the period's current close (not reopened since). */
  current: boolean;
}

export interface PeriodHistory {
  period: string;
  state: PeriodState;
  revision: ActualRevision;
  /** Oldest first. */
  snapshots: StoredSnapshot[];
  events: RecordedEvent[];
}

/** The period's stream events, or none. */
export async function readPeriodEvents(events: EventStore, period: string): Promise<RecordedEvent[]> {
  return readStreamOrEmpty(events, periodStreamId(period));
}

/**
 * The period as the log tells it; with `upTo`, only events at or before that log position (what
 * a replay at a cut sees).
 */
export async function readPeriod(events: EventStore, period: string, upTo?: bigint): Promise<PeriodHistory> {
  const all = await readPeriodEvents(events, period);
  const recorded = upTo === undefined ? all : all.filter((e) => e.position <= upTo);
  let state = initialPeriodState();
  const bodies = new Map<string, CloseSnapshot>();
  const snapshots: StoredSnapshot[] = [];
  for (const e of recorded) {
    if (!isPeriodEvent(e)) continue;
    const event = e as RecordedEvent & PeriodEvent;
    state = evolvePeriod(state, event);
    if (event.type === 'PeriodCloseSnapshotRecorded') bodies.set(event.data.snapshotId, event.data.snapshot);
    if (event.type === 'PeriodClosed') {
      const body = bodies.get(event.data.snapshotId);
      if (body) snapshots.push({ snapshotId: event.data.snapshotId, version: event.data.version, hash: event.data.hash, snapshot: body, closed: event.data, closedPosition: event.position, current: false });
    }
  }
  const last = snapshots[snapshots.length - 1];
  if (last && state.status === 'closed') last.current = true;
  const revision: ActualRevision = recorded.length === 0 ? 'no_stream' : recorded[recorded.length - 1]!.revision;
  return { period, state, revision, snapshots, events: recorded };
}

/** Four-digit year of a period (`0999`): `String(999)` would be `999-12`, not a period. */
const yearText = (y: number): string => String(y).padStart(4, '0');

/** `YYYY-MM` of the calendar month before `period`; `undefined` before 0001-01, the first period there is. */
export function previousPeriod(period: string): string | undefined {
  const [y, m] = period.split('-').map(Number) as [number, number];
  if (y === 1 && m === 1) return undefined;
  return m === 1 ? `${yearText(y - 1)}-12` : `${yearText(y)}-${String(m - 1).padStart(2, '0')}`;
}

/** The snapshots of the month before `period` recorded up to `cut` (none before 0001-01). */
export async function previousPeriodSnapshots(events: EventStore, period: string, cut: bigint): Promise<StoredSnapshot[]> {
  const before = previousPeriod(period);
  return before === undefined ? [] : (await readPeriod(events, before, cut)).snapshots;
}


/** `YYYY-MM` of the calendar month after `period`. */
export function nextPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${yearText(y + 1)}-01` : `${yearText(y)}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * The previous hash of a close cut at `cut` (see `close-snapshot.ts` "Hash chain"): the period's own
 * latest close before the cut, else the previous calendar month's latest close before the cut,
 * else `null`.
 */
export async function previousHashAt(events: EventStore, period: string, cut: bigint): Promise<string | null> {
  const own = (await readPeriod(events, period, cut)).snapshots;
  if (own.length > 0) return own[own.length - 1]!.hash;
  const before = await previousPeriodSnapshots(events, period, cut);
  return before.length > 0 ? before[before.length - 1]!.hash : null;
}
