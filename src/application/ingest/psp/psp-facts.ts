/**
 * PSP settlement facts: the batch in `settlement-<provider>-<batchId>`, each line that names an order
 * as `PspSettlementLineRecorded` in that order's stream (id `psp|<provider>:<batchId>:<lineId>|…`).
 */
import type { PspSettlementLine } from '../../../domain/settlement/psp-settlement-line';
import type { PendingFact } from '../fact-writer';
import { eventId, IngestContext, sourceMetadata } from '../ingest-outcome';

export function pspLineFact(provider: string, batchId: string, line: PspSettlementLine, orderId: string, ctx: IngestContext, recordedAt: string): PendingFact {
  const sourceEventId = `${provider}:${batchId}:${line.lineId}`;
  return {
    event: {
      id: eventId('psp', sourceEventId, 'PspSettlementLineRecorded'),
      type: 'PspSettlementLineRecorded',
      data: { provider, batchId, line: { ...line, orderId } },
      metadata: sourceMetadata('psp', sourceEventId, line.bookedAt, recordedAt, ctx),
    },
  };
}

/** References a line can be placed by, with the directory kinds each is looked up as. */
export function lineReferences(line: PspSettlementLine): { reference: string; kinds: ('orderId' | 'paymentReference')[] }[] {
  return [...(line.orderId ? [{ reference: line.orderId, kinds: ['orderId' as const] }] : []), { reference: line.paymentReference, kinds: ['paymentReference' as const] }];
}
