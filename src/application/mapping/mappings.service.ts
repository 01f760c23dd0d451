import { randomUUID } from 'node:crypto';
import { replaceItemMappings, replaceTaxCodeMappings } from '../../domain/mapping/mapping.decide';
import {
  ITEM_MAPPINGS_STREAM,
  TAX_CODE_MAPPINGS_STREAM,
  type ItemMapping,
  type ItemMappingsReplaced,
  type TaxCodeMapping,
  type TaxCodeMappingsReplaced,
} from '../../domain/mapping/mapping.events';
import type { Clock } from '../ports/clock.port';
import { ConcurrencyConflictError, StreamNotFoundError, type EventStore } from '../ports/event-store.port';
import { commandEvents, commandMetadata, PreconditionFailedError, withConflictRetry, type CommandContext } from '../shared/command-context';

/** A mapping set as stored: its entries and the change that produced them. */
export interface MappingSet<E> {
  entries: E[];
  /** Number of changes so far (0: never set). The resource's ETag is built from it. */
  version: bigint;
  changedAt?: string;
  changedBy?: string;
  /** Log position of the last change. */
  position?: bigint;
}

type Kind = 'taxCodes' | 'items';

/** ERP item number → variant reference key (the reconciliation policy's `itemMapping`). */
export function itemNumberToVariant(entries: readonly ItemMapping[]): Record<string, string> {
  return Object.fromEntries(entries.map((e) => [e.erpItemNumber, e.variantReferenceKey]));
}
const STREAM: Record<Kind, string> = { taxCodes: TAX_CODE_MAPPINGS_STREAM, items: ITEM_MAPPINGS_STREAM };

/**
 * Reads and replaces the tax-code and item mappings (streams `mappings-tax-codes`,
 * `mappings-items`), and hands them to the reconciliation policy. Reads the last event of the
 * stream and keeps it until the stream's revision moves.
 */
export class MappingsService {
  private readonly cache = new Map<Kind, MappingSet<unknown>>();

  constructor(
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  taxCodes(): Promise<MappingSet<TaxCodeMapping>> {
    return this.read('taxCodes') as Promise<MappingSet<TaxCodeMapping>>;
  }

  items(): Promise<MappingSet<ItemMapping>> {
    return this.read('items') as Promise<MappingSet<ItemMapping>>;
  }

  /**
   * Replaces the tax-code mappings. `ifVersion` pins the version read (`If-Match`).
   * @throws DomainError `invalid` (field named), PreconditionFailedError.
   */
  replaceTaxCodes(entries: TaxCodeMapping[], ctx: CommandContext, ifVersion?: bigint): Promise<MappingSet<TaxCodeMapping>> {
    return this.replace('taxCodes', ctx, ifVersion, (current, at) => replaceTaxCodeMappings(entries, current as TaxCodeMapping[], at)) as Promise<MappingSet<TaxCodeMapping>>;
  }

  /** Replaces the item mappings; as {@link replaceTaxCodes}. */
  replaceItems(entries: ItemMapping[], ctx: CommandContext, ifVersion?: bigint): Promise<MappingSet<ItemMapping>> {
    return this.replace('items', ctx, ifVersion, (current, at) => replaceItemMappings(entries, current as ItemMapping[], at)) as Promise<MappingSet<ItemMapping>>;
  }

  /** ERP item number → variant reference key, as the reconciliation policy's `itemMapping` wants it. */
  async itemNumberToVariant(): Promise<Record<string, string>> {
    return itemNumberToVariant((await this.items()).entries);
  }

  /** The tax-code mappings as the log held them at `position` (the last change at or before it; none: empty). */
  taxCodesAt(position: bigint): Promise<TaxCodeMapping[]> {
    return this.entriesAt('taxCodes', position) as Promise<TaxCodeMapping[]>;
  }

  /** The item mappings as the log held them at `position`; as {@link taxCodesAt}. */
  itemsAt(position: bigint): Promise<ItemMapping[]> {
    return this.entriesAt('items', position) as Promise<ItemMapping[]>;
  }

  private async entriesAt(kind: Kind, position: bigint): Promise<unknown[]> {
    const current = await this.read(kind);
    if (current.position === undefined || current.position <= position) return current.entries;
    // An older version: the stream is short (one event per change), read it whole.
    const events = await this.events.readStream(STREAM[kind]);
    const last = events.filter((e) => e.position <= position).pop();
    return last ? (last.data as (TaxCodeMappingsReplaced | ItemMappingsReplaced)['data']).entries : [];
  }

  private async read(kind: Kind): Promise<MappingSet<unknown>> {
    const revision = await this.events.streamRevision(STREAM[kind]);
    const version = revision === 'no_stream' ? 0n : revision + 1n;
    const cached = this.cache.get(kind);
    if (cached && cached.version === version) return cached;
    if (version === 0n) return { entries: [], version };
    let last;
    try {
      [last] = await this.events.readStream(STREAM[kind], { direction: 'backwards', maxCount: 1 });
    } catch (err) {
      if (err instanceof StreamNotFoundError) return { entries: [], version: 0n };
      throw err;
    }
    const data = last!.data as (TaxCodeMappingsReplaced | ItemMappingsReplaced)['data'];
    const set: MappingSet<unknown> = { entries: data.entries, version: last!.revision + 1n, changedAt: data.changedAt, changedBy: data.changedBy, position: last!.position };
    this.cache.set(kind, set);
    return set;
  }

  private replace(
    kind: Kind,
    ctx: CommandContext,
    ifVersion: bigint | undefined,
    decide: (current: unknown[], at: { changedAt: string; changedBy: string }) => { type: string; data: unknown }[],
  ): Promise<MappingSet<unknown>> {
    return withConflictRetry(async () => {
      const current = await this.read(kind);
      if (ifVersion !== undefined && ifVersion !== current.version) throw new PreconditionFailedError(current.version);
      const changedAt = this.clock.now().toISOString();
      const decided = decide(current.entries, { changedAt, changedBy: ctx.actor });
      if (decided.length === 0) return current;
      const commandId = randomUUID();
      try {
        await this.events.appendToStream(STREAM[kind], commandEvents(decided, commandId, commandMetadata(ctx, commandId, changedAt)), {
          expectedRevision: current.version === 0n ? 'no_stream' : current.version - 1n,
        });
      } catch (err) {
        if (err instanceof ConcurrencyConflictError && ifVersion !== undefined) throw new PreconditionFailedError(await this.read(kind).then((s) => s.version));
        throw err;
      }
      return this.read(kind);
    });
  }
}
