/**
 * Order facts for period tests: a Scayle order (confirmed + captured, see `order-fixtures.ts`) and
 * the ERP invoice that matches it (or not), appended straight to the log and recorded in the order
 * directory, as the ingestion would.
 */
import { v5 as uuidv5 } from 'uuid';
import type { EventStore } from '../../src/application/ports/event-store.port';
import type { OrderDirectory } from '../../src/application/ports/order-directory.port';
import type { ErpDocument } from '../../src/domain/erp/erp-document';
import { schemaVersionOf } from '../../src/domain/event-schema/ledger-upcasters';
import type { ScayleOrderSnapshot } from '../../src/domain/order/scayle-order.snapshot';
import { orderStreamId } from '../../src/domain/shared/streams';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../src/domain/shared/ids';
import { TOKENS } from '../../src/infrastructure/di/tokens';
import type { LedgerService } from '../../src/infrastructure/service';
import { orderSnapshot, seedOrder } from './order-fixtures';

/** The invoice matching {@link orderSnapshot}: items 119.00 + 59.50, shipping 4.95 at 19 %. `item1Gross` mis-bills item 1. */
export function invoiceFor(order: ScayleOrderSnapshot, postingDate: string, options: { item1?: { gross: string; net: string; tax: string } } = {}): ErpDocument {
  const i1 = options.item1 ?? { gross: '119.00', net: '100.00', tax: '19.00' };
  const lines = [
    { lineNumber: 1, kind: 'item' as const, orderItemIds: [order.items[0]!.itemId], quantity: '1', taxCode: 'DE19', taxRate: '0.19', ...i1 },
    { lineNumber: 2, kind: 'item' as const, orderItemIds: [order.items[1]!.itemId], quantity: '1', taxCode: 'DE19', taxRate: '0.19', gross: '59.50', net: '50.00', tax: '9.50' },
    { lineNumber: 3, kind: 'shipping' as const, quantity: '1', taxCode: 'DE19', taxRate: '0.19', gross: '4.95', net: '4.16', tax: '0.79' },
  ];
  const sum = (k: 'gross' | 'net' | 'tax') => (lines.reduce((s, l) => s + Math.round(Number(l[k]) * 100), 0) / 100).toFixed(2);
  return {
    documentType: 'invoice',
    documentNumber: `INV-${order.orderId}`,
    revision: 0,
    status: 'posted',
    orderReference: order.orderId,
    postingDate,
    documentDate: postingDate,
    currency: 'EUR',
    pricesIncludeTax: true,
    totals: { net: sum('net'), tax: sum('tax'), gross: sum('gross') },
    lines,
  };
}

export const storeOf = (service: LedgerService): EventStore => service.container.get<EventStore>(TOKENS.EventStore);

/** Appends the order (and records it in the directory); returns its stream. */
export async function addOrder(service: LedgerService, order: ScayleOrderSnapshot): Promise<string> {
  const stream = await seedOrder(storeOf(service), order);
  await service.container.get<OrderDirectory>(TOKENS.OrderDirectory).record({ streamId: stream, shopKey: order.shopKey, countryCode: order.countryCode, orderId: order.orderId });
  return stream;
}

/** Appends an ERP invoice to the order's stream; answers its log position. */
export async function addInvoice(service: LedgerService, order: ScayleOrderSnapshot, doc: ErpDocument, recordedAt = `${doc.postingDate}T18:00:00.000Z`): Promise<bigint> {
  const sourceId = `${doc.documentNumber}:${doc.revision}`;
  const res = await storeOf(service).appendToStream(
    orderStreamId(order.shopKey, order.countryCode, order.orderId),
    [
      {
        id: uuidv5(sourceEventName('erp', sourceId, 'ErpInvoicePosted'), LEDGER_EVENT_NAMESPACE),
        type: 'ErpInvoicePosted',
        data: { document: doc, quantisedAmounts: [] },
        metadata: { source: 'erp', sourceEventId: sourceId, occurredAt: `${doc.postingDate}T17:00:00.000Z`, recordedAt, schemaVersion: schemaVersionOf('ErpInvoicePosted') },
      },
    ],
    { expectedRevision: 'any' },
  );
  return res.position;
}

/** A May order (confirmed and invoiced 2024-05-02 in Berlin). */
export const mayOrder = (orderId: string): ScayleOrderSnapshot => orderSnapshot(orderId);

/** A controllable clock for the service. */
export function fakeClock(start: string): { now(): Date; set(iso: string): void } {
  let t = new Date(start);
  return { now: () => new Date(t), set: (iso) => (t = new Date(iso)) };
}
