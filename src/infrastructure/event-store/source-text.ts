/**
 * The text a JSON value was received as, for the embedded event log to store the raw payload of a
 * source fact (`data.raw`, DESIGN §4) as the sender's own bytes instead of writing the parsed value
 * out again (see `SqliteEventStore`): cheaper on the webhook hot path, and a truer audit record —
 * the sender's number spellings and escapes are kept.
 *
 * The HTTP layer remembers the UTF-8 bytes of each parsed JSON request body against the parsed
 * value (a weak reference: the entry goes with the value). Only a value freshly parsed from exactly
 * those bytes may be remembered, and it must not be changed afterwards, so that parsing the text
 * again gives the value back (an event's data is a fact: appenders never mutate it).
 */
const sources = new WeakMap<object, Buffer>();

/**
 * Remembers that `value` was parsed from `utf8` (UTF-8 JSON text without a byte order mark).
 * Primitives are not remembered (there is nothing to key them by, and their text is short).
 */
export function rememberSourceText(value: unknown, utf8: Buffer): void {
  if (value !== null && typeof value === 'object') sources.set(value, utf8);
}

/** The JSON text `value` was parsed from, when it was remembered ({@link rememberSourceText}); else undefined. */
export function sourceTextOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  return sources.get(value)?.toString('utf8');
}
