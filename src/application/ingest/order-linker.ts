/**
 * Links facts that arrived before their order (DESIGN §4, §9): ERP documents parked in
 * `erp-unlinked-<documentNumber>` and PSP lines of `settlement-…` batches whose order was unknown.
 * When the directory learns an order, every pending link naming one of its references is re-read
 * and its facts are appended to the order stream with deterministic ids — at-least-once safe: a
 * second run finds them (or their aliases) in the stream and appends nothing.
 */
import type { ErpDocumentData } from '../../domain/order/order.events';
import type { PspSettlementBatch } from '../../domain/settlement/psp-settlement-batch.events';
import type { Clock } from '../ports/clock.port';
import type { OrderDirectory, OrderDirectoryEntry, OrderLocation, PendingLink } from '../ports/order-directory.port';
import { erpFact } from './erp/erp-facts';
import type { FactWriter, PendingFact } from './fact-writer';
import type { IngestContext } from './ingest-outcome';
import { referencesOf } from './order-directory.indexer';
import { lineReferences, pspLineFact } from './psp/psp-facts';

const ERP_KINDS = ['orderId', 'referenceKey', 'publicKey'] as const;
const ALL_KINDS = ['orderId', 'referenceKey', 'publicKey', 'paymentReference'] as const;

export class OrderLinker {
  constructor(
    private readonly directory: OrderDirectory,
    private readonly writer: FactWriter,
    private readonly clock: Clock,
  ) {}

  /** Links every pending fact naming `entry`. Answers the number of facts appended. */
  async linkOrder(entry: OrderDirectoryEntry, ctx: IngestContext): Promise<number> {
    let appended = 0;
    for (const link of await this.directory.pendingFor(referencesOf(entry))) appended += await this.linkOne(link, entry, ctx);
    return appended;
  }

  /**
   * Links one pending link now if its reference already names a known order (closes the race of a
   * document parked while its order was being recorded). Answers the facts appended.
   */
  async linkIfKnown(link: PendingLink, ctx: IngestContext): Promise<number> {
    const location = await this.directory.resolve(link.reference, ALL_KINDS);
    return location ? this.linkOne(link, location, ctx) : 0;
  }

  private async linkOne(link: PendingLink, entry: OrderLocation, ctx: IngestContext): Promise<number> {
    const events = await this.writer.readOrEmpty(link.sourceStreamId);
    const facts: PendingFact[] = [];
    const recordedAt = this.clock.now().toISOString();
    const linkCtx: IngestContext = { ...ctx, actor: 'order-linker' };
    for (const event of events) {
      if (event.type.startsWith('Erp')) {
        const data = event.data as ErpDocumentData;
        const ref = data.document.orderReference;
        if (!ref || !(await this.isThisOrder(ref, ERP_KINDS, entry))) continue;
        facts.push(
          erpFact(
            { ...data, document: { ...data.document, orderReference: entry.orderId } },
            { linked: true, recordedAt, ctx: { ...linkCtx, causationId: event.id }, occurredAt: event.metadata.occurredAt },
          ),
        );
      } else if (event.type === 'PspSettlementBatchRecorded') {
        const batch = (event.data as { batch: PspSettlementBatch }).batch;
        for (const line of batch.lines) {
          let match = false;
          for (const { reference, kinds } of lineReferences(line)) if (await this.isThisOrder(reference, kinds, entry)) match = true;
          if (match) facts.push(pspLineFact(batch.provider, batch.batchId, line, entry.orderId, { ...linkCtx, causationId: event.id }, recordedAt));
        }
      }
    }
    if (facts.length === 0) return 0; // stays pending while the reference resolves to nothing (e.g. an ambiguous publicKey)
    const { appended } = await this.writer.appendOnce(entry.streamId, facts);
    await this.directory.resolvePending(link);
    return appended;
  }

  private async isThisOrder(reference: string, kinds: readonly ('orderId' | 'referenceKey' | 'publicKey' | 'paymentReference')[], entry: OrderLocation): Promise<boolean> {
    const found = await this.directory.resolve(reference, kinds);
    return found?.streamId === entry.streamId;
  }
}
