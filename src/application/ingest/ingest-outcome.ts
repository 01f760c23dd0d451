/**
 * What an ingestion answers (HTTP `202` body, import summary), and the mapping failure type.
 */
import { uuidV5 } from '../shared/uuid-v5';
import { FactSource, LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../domain/shared/ids';
import type { EventMetadata } from '../ports/event-store.port';

/** The record was mapped; `duplicate` when every fact was in the log already. */
export interface MappedOutcome {
  status: 'accepted' | 'duplicate';
  /** Ids of the facts of this record (new or already stored), in append order. */
  eventIds: string[];
  /** Log position of the last of those facts. */
  position: bigint;
}

/** The record authenticated and parsed but could not be mapped; kept as `IngestionFailed`. */
export interface FailedOutcome {
  status: 'failed';
  failureId: string;
  reason: string;
  message: string;
  eventIds: string[];
  position: bigint;
}

export type IngestOutcome = MappedOutcome | FailedOutcome;

/**
 * A payload that cannot be mapped onto domain events (not a client error: the delivery was valid
 * JSON from an authenticated sender). `reason` is machine-readable, `path` the offending field.
 */
export class MappingFailure extends Error {
  override readonly name = 'MappingFailure';
  constructor(
    readonly reason: string,
    message: string,
    readonly path?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}

/**
 * Deterministic event id (DESIGN §4): UUID v5 of `source|sourceEventId|type`.
 * @throws DomainError `invalid`/`malformed_text` (field `sourceEventId`) when the id holds a lone
 *   UTF-16 surrogate (HTTP bodies are refused before this, see json-body.ts).
 */
export function eventId(source: FactSource, sourceEventId: string, type: string): string {
  return uuidV5(sourceEventName(source, sourceEventId, type), LEDGER_EVENT_NAMESPACE, 'sourceEventId');
}

/** Who and why, for event metadata. */
export interface IngestContext {
  /** `scayle-webhook`, `integrator:<keyId>`, `import-cli`, `scayle-sync`, … */
  actor: string;
  correlationId?: string;
  /** Set when the record is re-run from a stored failure. */
  causationId?: string;
}

/** Metadata of a source fact. */
export function sourceMetadata(source: FactSource, sourceEventId: string, occurredAt: string, recordedAt: string, ctx: IngestContext, extra: Record<string, unknown> = {}): EventMetadata {
  return {
    source,
    sourceEventId,
    occurredAt,
    recordedAt,
    actor: ctx.actor,
    ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
    ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
    schemaVersion: 1,
    ...extra,
  };
}

/** One rejected field of an input (what the HTTP layer turns into a 400 problem). */
export interface RejectedField {
  field: string;
  message: string;
}

/**
 * The input is the client's fault (wrong type, float where a decimal string is required, unknown
 * currency, negative quantity, missing id…): rejected with every offending field, nothing appended.
 */
export class InputRejected extends Error {
  override readonly name = 'InputRejected';
  constructor(readonly errors: RejectedField[]) {
    super(`Invalid input: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  }
}
