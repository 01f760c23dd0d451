import type { Position } from '@eventstore/db-client';

const SHIFT = 64n;
const MASK = (1n << SHIFT) - 1n;

/**
 * Packs an EventStoreDB `$all` position into the port's single bigint: `commit << 64 | prepare`.
 * Both parts are unsigned 64-bit log offsets, so the packing is lossless and orders events exactly
 * as `$all` does (by commit, then prepare — events of one append share a commit position).
 */
export function encodePosition(position: Position): bigint {
  return (position.commit << SHIFT) | (position.prepare & MASK);
}

/** Inverse of {@link encodePosition}. */
export function decodePosition(position: bigint): Position {
  return { commit: position >> SHIFT, prepare: position & MASK };
}
