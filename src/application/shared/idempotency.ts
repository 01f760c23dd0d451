import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { DomainError } from '../../domain/shared/errors';
import { LEDGER_EVENT_NAMESPACE } from '../../domain/shared/ids';

/**
 * Idempotency of REST commands (issue 6), kept **in the event log**, not in a side table:
 *
 * - the command id is derived from the key: `uuidv5("<kind>|<streamId>|<key>")`, so a key is scoped
 *   to one order and one kind of command;
 * - the command event carries `idempotencyKey` and `requestHash` (SHA-256 of the canonical request
 *   body) in its metadata, and its **event id** is derived from command id + request hash;
 * - a request first looks for its command id in the order stream it reads anyway: same hash →
 *   replay the first answer; other hash → 422 `idempotency_key_reused`;
 * - two identical requests racing both append the same event id at the same expected revision: the
 *   store writes it once and answers both (idempotent append); two different bodies with one key
 *   race to different event ids, one append wins, the other conflicts, re-reads and gets 422.
 *
 * It survives restarts and needs no extra store on either adapter (SQLite, EventStoreDB).
 */

/** Command id of an idempotent command. */
export function idempotentCommandId(kind: 'refund' | 'correction', streamId: string, key: string): string {
  return uuidv5(`${kind}|${streamId}|${key}`, LEDGER_EVENT_NAMESPACE);
}

/** JSON with object keys sorted at every level, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the canonical JSON of a request body. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** 422: the key was used before with another body (the first command stands). */
export function idempotencyKeyReused(key: string): DomainError {
  return new DomainError(
    'business_rule',
    'idempotency_key_reused',
    `Idempotency-Key ${key} was already used for this order with a different request body; use a new key for a new command`,
    'Idempotency-Key',
  );
}
