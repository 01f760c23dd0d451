/**
 * The text a JSON value was received as, for the embedded event log to store the raw payload of a
 * source fact (`data.raw`, DESIGN §4) as the sender's own bytes instead of writing the parsed value
 * out again (see `SqliteEventStore`): cheaper on the webhook hot path, and a truer audit record —
 * the sender's number spellings and escapes are kept.
 *
 * The HTTP layer remembers the UTF-8 bytes of each parsed JSON request body on the parsed value
 * itself, as a non-enumerable symbol-keyed property (invisible to JSON, `Object.keys`, spreads and
 * structured clones; it goes with the value). Only a value freshly parsed from exactly those bytes
 * may be remembered, and it must not be changed afterwards, so that parsing the text again gives the
 * value back (an event's data is a fact: appenders never mutate it). Not a `WeakMap` keyed by the
 * value: V8 then kept each request's objects through the young-generation collections until a full
 * one (ingest benchmark, issue 4: ~4 KB per webhook promoted to the old generation).
 */
const SOURCE_TEXT = Symbol('sourceText');

/**
 * Remembers that `value` was parsed from `utf8` (UTF-8 JSON text without a byte order mark).
 * Primitives are not remembered (there is nothing to hold the text), nor frozen or sealed values.
 */
export function rememberSourceText(value: unknown, utf8: Buffer): void {
  if (value !== null && typeof value === 'object' && Object.isExtensible(value)) Object.defineProperty(value, SOURCE_TEXT, { value: utf8, configurable: true });
}

/** The JSON text `value` was parsed from, when it was remembered ({@link rememberSourceText}); else undefined. */
export function sourceTextOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  return (value as { [SOURCE_TEXT]?: Buffer })[SOURCE_TEXT]?.toString('utf8');
}
