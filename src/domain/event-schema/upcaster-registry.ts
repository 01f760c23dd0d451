/**
 * Event upcasting (DESIGN §4 "Old event versions are upcast on read; the domain sees only the latest
 * shape"; HOUSE-STYLE "Events").
 *
 * Every stored event carries the version of its `data` shape in `metadata.schemaVersion` (1 when a
 * type never changed; a missing version counts as 1). When a type's shape changes, its version goes
 * up by one and an {@link Upcaster} that raises version n to n + 1 is registered for it; reading
 * chains the upcasters up to the latest version, so code past the read sees one shape per type.
 * Writers write the latest version. Stored events are never rewritten.
 *
 * A version above the latest this code knows (written by a newer release, or corrupt) is
 * **refused**, never guessed at: {@link upcastEvent} returns a refused event whose `data` throws
 * {@link UnsupportedSchemaVersionError} when read and which {@link schemaRefusalOf} recognises, so a
 * projection runner can dead-letter it and a command handler fails loudly instead of misreading it.
 */

/**
 * Raises one event type's `data` from version n to n + 1. Pure: no I/O, no clock; `metadata` is
 * the stored event's metadata (read it, never change it). Must not mutate `data`.
 */
export type Upcaster = (data: unknown, metadata: Readonly<Record<string, unknown>>) => unknown;

/** An event as the registry sees it: the event-store port's `RecordedEvent` fits. */
export interface VersionedEvent {
  type: string;
  data: unknown;
  metadata: { schemaVersion?: unknown; [key: string]: unknown };
}

/** An event's stored version is not one this code can read (above the latest, or not a positive integer). */
export class UnsupportedSchemaVersionError extends Error {
  override readonly name = 'UnsupportedSchemaVersionError';
  constructor(
    readonly eventType: string,
    readonly schemaVersion: unknown,
    readonly latestVersion: number,
    readonly eventId?: string,
  ) {
    super(
      `${eventType} event${eventId ? ` ${eventId}` : ''} has schema version ${String(schemaVersion)}, but this release reads versions 1–${latestVersion}: ` +
        'it was written by a newer release (upgrade this one) or is corrupt; it is not read',
    );
  }
}

/**
 * Upcasters per event type: `chains[type][i]` raises version i + 1 to i + 2, so a type with k
 * upcasters is at version k + 1. Types without a chain are at version 1.
 */
export class UpcasterRegistry {
  private readonly chains: ReadonlyMap<string, readonly Upcaster[]>;

  /** @throws Error when a chain is empty (list a type only once it has an upcaster). */
  constructor(chains: Readonly<Record<string, readonly Upcaster[]>>) {
    for (const [type, chain] of Object.entries(chains)) if (chain.length === 0) throw new Error(`Upcaster chain of ${type} is empty`);
    this.chains = new Map(Object.entries(chains));
  }

  /** The version writers write for `type` (1 + number of its upcasters). */
  latestVersion(type: string): number {
    return (this.chains.get(type)?.length ?? 0) + 1;
  }

  /** Types that have been upcast at least once, with their latest version. */
  versions(): Record<string, number> {
    return Object.fromEntries([...this.chains].map(([type, chain]) => [type, chain.length + 1]));
  }

  /**
   * `data` of `type` stored at `version`, raised to the latest version.
   * @throws UnsupportedSchemaVersionError for a version above the latest or not a positive integer.
   */
  upcast(type: string, data: unknown, metadata: Readonly<Record<string, unknown>>, version: unknown = metadata.schemaVersion ?? 1): unknown {
    const chain = this.chains.get(type) ?? [];
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > chain.length + 1) {
      throw new UnsupportedSchemaVersionError(type, version, chain.length + 1);
    }
    let out = data;
    for (let v = version; v <= chain.length; v++) out = chain[v - 1]!(out, metadata);
    return out;
  }
}

const REFUSED = Symbol('schemaRefusal');

/**
 * The event as this release reads it:
 * - at the latest version: the same object (no copy — the hot path);
 * - older: a copy with `data` upcast and `metadata.schemaVersion` the latest, `metadata.upcastFrom`
 *   the stored version;
 * - unreadable: a copy whose `data` getter throws {@link UnsupportedSchemaVersionError}; everything
 *   else (id, type, stream, position, metadata) reads as stored. See {@link schemaRefusalOf}.
 */
export function upcastEvent<E extends VersionedEvent & { id?: string }>(registry: UpcasterRegistry, event: E): E {
  const stored = event.metadata.schemaVersion ?? 1;
  const latest = registry.latestVersion(event.type);
  if (stored === latest) return event;
  try {
    const data = registry.upcast(event.type, event.data, event.metadata, stored);
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: latest, upcastFrom: stored } };
  } catch (err) {
    if (!(err instanceof UnsupportedSchemaVersionError)) throw err;
    const refusal = new UnsupportedSchemaVersionError(event.type, stored, latest, event.id);
    const refused = { ...event } as E & { [REFUSED]: UnsupportedSchemaVersionError };
    Object.defineProperty(refused, 'data', {
      enumerable: true,
      get() {
        throw refusal;
      },
    });
    Object.defineProperty(refused, REFUSED, { value: refusal });
    return refused;
  }
}

/** Why an event from {@link upcastEvent} cannot be read, or undefined when it can. */
export function schemaRefusalOf(event: object): UnsupportedSchemaVersionError | undefined {
  return (event as { [REFUSED]?: UnsupportedSchemaVersionError })[REFUSED];
}
