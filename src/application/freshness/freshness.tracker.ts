/**
 * The freshness projection's fold (issue 9 item 1): per source the newest source time
 * (`occurredAt`), the newest ledger time (`recordedAt`), counts per minute of ledger time for the
 * windows of `GET /v1/freshness`, when Scayle invoiced without an ERP document following, and the
 * open STALE_SYNC findings. The state is plain JSON and a pure function of the log prefix it has
 * seen, so a state kept across a crash and a state rebuilt from the log hash the same.
 */
import { schemaRefusalOf } from '../../domain/event-schema/upcaster-registry';
import type { RecordedEvent } from '../ports/event-store.port';
import { FRESHNESS_EVENT_TYPES, FRESHNESS_STREAM, FreshnessEvent, StaleSyncObservation } from '../../domain/freshness/freshness.events';
import { evolveOpenStaleSync } from '../../domain/freshness/freshness.rules';

/** The sources of `GET /v1/freshness`. */
export const FRESHNESS_SOURCES = ['scayle_webhook', 'scayle_sync', 'erp', 'psp'] as const;
export type FreshnessSource = (typeof FRESHNESS_SOURCES)[number];

/** Figures of one source. Times ISO-8601 UTC; `minutes` counts events per minute of `recordedAt` (key: epoch minute). */
export interface SourceState {
  lastOccurredAt?: string;
  lastRecordedAt?: string;
  /** Log position of the newest event of the source (decimal string). */
  lastPosition?: string;
  lastType?: string;
  total: number;
  minutes: Record<string, number>;
}

export interface FreshnessState {
  /** Log position of the last event folded (decimal string). */
  position: string;
  sources: Record<FreshnessSource, SourceState>;
  /** Ledger time of the first Scayle invoicing recorded since the last ERP document. */
  erpPendingSince?: string;
  /** Newest epoch minute seen; buckets older than it minus the longest window are dropped. */
  newestMinute: number;
  open: Record<string, StaleSyncObservation & { detectedAt: string }>;
}

const SCAYLE_INVOICING = new Set(['ScayleOrderInvoiced', 'ScayleOrderPartiallyInvoiced', 'ScayleOrderCorrectiveInvoiced']);

export function emptyFreshnessState(): FreshnessState {
  return {
    position: '0',
    sources: Object.fromEntries(FRESHNESS_SOURCES.map((s) => [s, { total: 0, minutes: {} }])) as unknown as Record<FreshnessSource, SourceState>,
    newestMinute: 0,
    open: {},
  };
}

/**
 * The source an event counts for, or none. Copies the order linker makes of facts that waited for
 * their order (`actor: order-linker`) are not new arrivals and do not count.
 */
export function freshnessSourceOf(event: RecordedEvent): FreshnessSource | undefined {
  const m = event.metadata;
  if (m.actor === 'order-linker') return undefined;
  switch (m.source) {
    case 'scayle': {
      const kind = (event.data as { recordKind?: unknown } | null)?.recordKind;
      return event.type === 'ScayleOrderSynced' || m.actor === 'scayle-sync' || kind === 'scayle_order_sync' ? 'scayle_sync' : 'scayle_webhook';
    }
    case 'erp':
      return 'erp';
    case 'psp':
      return 'psp';
    default:
      return undefined;
  }
}

const later = (a: string | undefined, b: string): string => (a === undefined || Date.parse(b) > Date.parse(a) ? b : a);

/**
 * Folds one event into `state` (mutates it; the caller owns the state).
 * @param retentionMinutes the longest window in minutes: older per-minute counts are dropped.
 */
export function foldFreshness(state: FreshnessState, event: RecordedEvent, retentionMinutes: number): void {
  state.position = String(event.position);
  if (schemaRefusalOf(event)) return; // a newer release's version: not read (the projections dead-letter it)
  if (event.streamId === FRESHNESS_STREAM && (FRESHNESS_EVENT_TYPES as readonly string[]).includes(event.type)) {
    const open = new Map(Object.entries(state.open));
    evolveOpenStaleSync(open, { type: event.type, data: event.data } as FreshnessEvent);
    state.open = Object.fromEntries(open);
    return;
  }
  const source = freshnessSourceOf(event);
  if (!source) return;
  const { occurredAt, recordedAt } = event.metadata;
  const s = state.sources[source];
  s.total += 1;
  const recordedMs = Date.parse(recordedAt);
  const occurredMs = typeof occurredAt === 'string' ? Date.parse(occurredAt) : Number.NaN;
  // A source time after the ledger recorded the fact (a sender's clock ahead, a date in 2999) cannot be
  // the newest thing the source did: capped at the recording, so one such fact does not hide silence.
  if (!Number.isNaN(occurredMs)) s.lastOccurredAt = later(s.lastOccurredAt, !Number.isNaN(recordedMs) && occurredMs > recordedMs ? (recordedAt as string) : (occurredAt as string));
  if (!Number.isNaN(recordedMs)) {
    s.lastRecordedAt = later(s.lastRecordedAt, recordedAt);
    const minute = Math.floor(recordedMs / 60_000);
    s.minutes[minute] = (s.minutes[minute] ?? 0) + 1;
    if (minute > state.newestMinute) {
      state.newestMinute = minute;
      prune(state, retentionMinutes);
    }
  }
  s.lastPosition = String(event.position);
  s.lastType = event.type;
  if (source === 'erp' && event.type !== 'IngestionFailed') state.erpPendingSince = undefined;
  if ((source === 'scayle_webhook' || source === 'scayle_sync') && SCAYLE_INVOICING.has(event.type) && state.erpPendingSince === undefined) {
    state.erpPendingSince = recordedAt;
  }
}

function prune(state: FreshnessState, retentionMinutes: number): void {
  const oldest = state.newestMinute - retentionMinutes;
  for (const s of Object.values(state.sources)) {
    for (const key of Object.keys(s.minutes)) if (Number(key) < oldest) delete s.minutes[key];
  }
}

/** Events of `source` recorded in the last `windowMs` before `now`. */
export function eventsInWindow(s: SourceState, now: Date, windowMs: number): number {
  const from = Math.floor((now.getTime() - windowMs) / 60_000);
  let n = 0;
  for (const [minute, count] of Object.entries(s.minutes)) if (Number(minute) >= from) n += count;
  return n;
}

/** Canonical JSON of a state (keys sorted, `erpPendingSince` absent when unset), for hashing. */
export function canonicalFreshnessJson(state: FreshnessState): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(state));
}

/** The state a clean rebuild from the whole log gives (what the crash test compares against). */
export async function rebuildFreshnessState(events: AsyncIterable<RecordedEvent>, retentionMinutes: number): Promise<FreshnessState> {
  const state = emptyFreshnessState();
  for await (const e of events) foldFreshness(state, e, retentionMinutes);
  return state;
}
