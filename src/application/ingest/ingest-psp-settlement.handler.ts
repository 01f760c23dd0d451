/**
 * PSP settlement ingestion (issue 4 item 4): the batch as `PspSettlementBatchRecorded` in
 * `settlement-<provider>-<batchId>`, and each line that names an order — by `orderId`, or by
 * `paymentReference` (Scayle `payment[].transactionKey`) through the order directory — as
 * `PspSettlementLineRecorded` in that order's stream. Lines whose order is not known yet are
 * remembered as pending links and placed when the order appears.
 */
import type { PspSettlementBatch } from '../../domain/settlement/psp-settlement-batch.events';
import { DomainError } from '../../domain/shared/errors';
import { settlementStreamId } from '../../domain/shared/streams';
import { amountValue, decimalValue, describeDifferences, instantValue, type LeafReading, valueDifferences } from '../shared/value-comparison';
import type { Clock } from '../ports/clock.port';
import type { IngestMetrics } from '../ports/ingest-metrics.port';
import type { OrderDirectory, OrderLocation } from '../ports/order-directory.port';
import type { FactWriter, PendingFact } from './fact-writer';
import { eventId, IngestContext, IngestOutcome, sourceMetadata } from './ingest-outcome';
import { UNPLACED_REFERENCES } from './order-directory.indexer';
import type { OrderLinker } from './order-linker';
import { lineReferences, pspLineFact } from './psp/psp-facts';

export class IngestPspSettlementHandler {
  constructor(
    private readonly writer: FactWriter,
    private readonly directory: OrderDirectory,
    private readonly linker: OrderLinker,
    private readonly metrics: IngestMetrics,
    private readonly clock: Clock,
  ) {}

  /**
   * @param batch validated (amounts decimal strings on scale). @param raw as received (JSON or CSV text).
   * @throws DomainError `conflict`/`batch_already_recorded` (nothing appended) when the provider's
   *   batch id is already recorded with other content: a batch is one fact, so a corrected report
   *   answered "duplicate" would be silently lost. Numbers and times compare by value (`"13.9"`
   *   re-sent for a recorded `"13.90"`, `fxRate` `"1.10"` for `"1.1"`, a `bookedAt` of the same
   *   instant in another offset are duplicates); the detail names the fields that differ, both values.
   */
  async handle(batch: PspSettlementBatch, raw: unknown, ctx: IngestContext): Promise<IngestOutcome> {
    await this.refuseConflictingReport(batch);
    const recordedAt = this.clock.now().toISOString();
    const placed = new Map<string, { location: OrderLocation; facts: PendingFact[] }>();
    const unplaced = new Set<string>();
    for (const line of batch.lines) {
      let location: OrderLocation | undefined;
      for (const { reference, kinds } of lineReferences(line)) {
        location ??= await this.directory.resolve(reference, kinds);
      }
      if (!location) {
        for (const { reference } of lineReferences(line)) unplaced.add(reference);
        continue;
      }
      const group = placed.get(location.streamId) ?? { location, facts: [] };
      group.facts.push(pspLineFact(batch.provider, batch.batchId, line, location.orderId, ctx, recordedAt));
      placed.set(location.streamId, group);
    }
    const streamId = settlementStreamId(batch.provider, batch.batchId);
    const sourceEventId = `${batch.provider}:${batch.batchId}`;
    const batchResult = await this.writer.appendOnce(streamId, [
      {
        event: {
          id: eventId('psp', sourceEventId, 'PspSettlementBatchRecorded'),
          type: 'PspSettlementBatchRecorded',
          data: { batch, raw },
          metadata: sourceMetadata('psp', sourceEventId, `${batch.payoutDate}T00:00:00.000Z`, recordedAt, ctx, { [UNPLACED_REFERENCES]: [...unplaced] }),
        },
      },
    ]);
    const eventIds = [...batchResult.eventIds];
    let appended = batchResult.appended;
    let position = batchResult.position;
    for (const { location, facts } of placed.values()) {
      const r = await this.writer.appendOnce(location.streamId, facts);
      eventIds.push(...r.eventIds);
      appended += r.appended;
      if (r.position > position) position = r.position;
    }
    for (const reference of unplaced) {
      const link = { reference, sourceStreamId: streamId };
      await this.directory.addPending(link);
      await this.linker.linkIfKnown(link, ctx);
    }
    if (appended === 0) this.metrics.duplicateDelivery('psp_settlement', 'PspSettlementBatchRecorded');
    else this.metrics.accepted('psp_settlement', 'PspSettlementBatchRecorded');
    return { status: appended === 0 ? 'duplicate' : 'accepted', eventIds, position };
  }

  private async refuseConflictingReport(batch: PspSettlementBatch): Promise<void> {
    const id = eventId('psp', `${batch.provider}:${batch.batchId}`, 'PspSettlementBatchRecorded');
    const stored = (await this.writer.readOrEmpty(settlementStreamId(batch.provider, batch.batchId))).find((e) => e.id === id);
    if (!stored) return;
    const before = (stored.data as { batch: PspSettlementBatch }).batch;
    const differs = valueDifferences(before, batch, readBatch);
    if (differs.length === 0) return;
    throw new DomainError(
      'conflict',
      'batch_already_recorded',
      `${batch.provider} batch ${batch.batchId} is already recorded with other content (${describeDifferences(differs)}); nothing was recorded. A corrected report needs its own batch id`,
      'batchId',
      { provider: batch.provider, batchId: batch.batchId },
    );
  }
}

const LINE_AMOUNTS = new Set(['gross', 'fee', 'net']);

/**
 * How a leaf of a settlement batch compares ({@link valueDifferences}): `payoutAmount` as an amount in
 * the batch currency, a line's gross, fee and net in the line's; a line's `fxRate` as a decimal
 * (`"1.10"` = `"1.1"`) and its `bookedAt` as the instant it names (`…T12:00:00+02:00` =
 * `…T10:00:00Z`). Everything else — ids, references, `payoutDate` (a date) — compares as sent.
 */
const readBatch: LeafReading = (path, value, root) => {
  const b = root as { currency?: unknown; lines?: { currency?: unknown }[] };
  const [top, index, key] = path;
  if (top === 'payoutAmount' && path.length === 1) return amountValue(value, b.currency);
  if (top !== 'lines' || typeof index !== 'number' || typeof key !== 'string' || path.length !== 3) return value;
  if (LINE_AMOUNTS.has(key)) return amountValue(value, Array.isArray(b.lines) ? b.lines[index]?.currency : undefined);
  if (key === 'fxRate') return decimalValue(value);
  if (key === 'bookedAt') return instantValue(value);
  return value;
};
