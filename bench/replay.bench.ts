/**
 * Audit replay speed (issue 7): replay a period holding the shared number of events (full 1,000,000;
 * `--quick` 100,000) on the embedded SQLite log — read `$all` up to the cut, fold and reconcile every
 * order stream at the cut time, sum the period — next to the raw log read rate of the same file in
 * the same run (better-sqlite3 `SELECT … ORDER BY position` + `JSON.parse`, no domain work).
 * Target: ≤ 60 s for 1,000,000 events (scaled: ≤ 6 s quick) with peak RSS ≤ 512 MB.
 *
 * The period: 10 events per order — confirmed, captured, delegated, shipped, invoiced (Scayle
 * snapshots), the ERP invoice, four webhooks of types the ledger does not model — all in May 2024;
 * one order in 20 is mis-billed (an open AMOUNT_MISMATCH).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v5 as uuidv5 } from 'uuid';
import type { EventData } from '../src/application/ports/event-store.port';
import { LogReplayEngine } from '../src/application/period/log-replay.engine';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../src/domain/shared/ids';
import { orderStreamId } from '../src/domain/shared/streams';
import { UpcastingEventStore } from '../src/application/shared/upcasting-event-store';
import { LEDGER_UPCASTERS, schemaVersionOf } from '../src/domain/event-schema/ledger-upcasters';
import { SqliteEventStore } from '../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { orderSnapshot } from '../tests/support/order-fixtures';
import { invoiceFor } from '../tests/support/period-fixtures';
import { BenchOptions, BenchRow, BenchSuite, benchSize, withPeakRss } from './harness';

const EVENTS_PER_ORDER = 10;
const id = (key: string, type: string) => uuidv5(sourceEventName('scayle', key, type), LEDGER_EVENT_NAMESPACE);

export function orderEvents(n: number): { stream: string; events: EventData[] } {
  const day = String(1 + (n % 28)).padStart(2, '0');
  const at = `2024-05-${day}T10:00:00.000Z`;
  const order = orderSnapshot(`B${n}`, { confirmedAt: at, invoicedAt: `2024-05-${day}T12:00:00.000Z`, updatedAt: at });
  const meta = (source: 'scayle' | 'erp', key: string, minute: number) => {
    const t = `2024-05-${day}T1${Math.floor(minute / 60)}:${String(minute % 60).padStart(2, '0')}:00.000Z`;
    return { source, sourceEventId: key, occurredAt: t, recordedAt: t, schemaVersion: 1 };
  };
  const fact = (type: string, k: number) => ({ id: id(`${order.orderId}-${k}`, type), type, data: { order, webhookKey: `${order.orderId}-${k}` }, metadata: meta('scayle', `${order.orderId}-${k}`, k) });
  const invoice = invoiceFor(order, `2024-05-${day}`, n % 20 === 7 ? { item1: { gross: '109.00', net: '91.60', tax: '17.40' } } : {});
  const events: EventData[] = [
    fact('ScayleOrderConfirmed', 0),
    {
      id: id(`${order.orderId}-cap`, 'ScaylePaymentCaptured'),
      type: 'ScaylePaymentCaptured',
      data: { orderId: order.orderId, shopKey: 'msde', countryCode: 'DE', transactionId: `tx-${n}`, operationStatus: 'successful', amount: order.cost.capture, currency: 'EUR' },
      metadata: meta('scayle', `${order.orderId}-cap`, 1),
    },
    fact('ScayleOrderDelegated', 2),
    fact('ScayleOrderPackageShipped', 3),
    fact('ScayleOrderInvoiced', 4),
    { id: id(`${invoice.documentNumber}:0`, 'ErpInvoicePosted'), type: 'ErpInvoicePosted', data: { document: invoice, quantisedAmounts: [] }, metadata: { ...meta('erp', `${invoice.documentNumber}:0`, 5), schemaVersion: schemaVersionOf('ErpInvoicePosted') } },
    ...[6, 7, 8, 9].map((k) => ({
      id: id(`${order.orderId}-${k}`, 'ScayleWebhookReceived'),
      type: 'ScayleWebhookReceived',
      data: { webhookKey: `${order.orderId}-${k}`, scayleEventType: 'shipment-tracking-updated' },
      metadata: meta('scayle', `${order.orderId}-${k}`, k),
    })),
  ];
  return { stream: orderStreamId('msde', 'DE', order.orderId), events };
}

/** Raw read of the log file: every row in position order, data and metadata parsed. */
function rawReadRate(file: string): number {
  const db = new Database(file, { readonly: true });
  const started = process.hrtime.bigint();
  let n = 0;
  for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    n++;
  }
  db.close();
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

export const suite: BenchSuite = {
  name: 'replay',
  async run({ quick, workDir }: BenchOptions): Promise<BenchRow[]> {
    const orders = benchSize(quick).events / EVENTS_PER_ORDER;
    const file = join(workDir, 'replay-events.db');
    // Seeding durability does not matter here; replay only reads.
    const store = new UpcastingEventStore(new SqliteEventStore({ filename: file, synchronous: 'NORMAL' }), LEDGER_UPCASTERS); // as the service composes it
    for (let n = 0; n < orders; n++) {
      const { stream, events } = orderEvents(n);
      await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    }
    const cut = await store.headPosition();
    const raw = rawReadRate(file);
    const engine = new LogReplayEngine(store);
    const policy = { timezone: 'Europe/Berlin', erpProfile: { level: 'per_document' as const, mode: 'half_up' as const, pricesIncludeTax: true } };
    const measured = await withPeakRss(async () => {
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const result = await engine.replay({ bound: { position: cut }, now: '2024-06-03T08:00:00.000Z', policy, period: '2024-05' });
      const used = process.cpuUsage(cpu);
      return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
    });
    await store.close();
    const { result, seconds, cpuSeconds } = measured.result;
    if (result.counts.orders !== orders) throw new Error(`replay counted ${result.counts.orders} orders, expected ${orders}`);
    const limitSeconds = quick ? 6 : 60;
    return [
      {
        // CPU seconds next to wall seconds: on a shared machine the wall time also counts other processes.
        name: `replay: period of ${result.eventsReplayed.toLocaleString('en')} events (${orders.toLocaleString('en')} orders) in ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s CPU)`,
        unit: 'events',
        size: `${result.eventsReplayed.toLocaleString('en')} events`,
        throughput: result.eventsReplayed / seconds,
        peakRssMiB: measured.peakRssMiB,
        baseline: { name: 'raw log read (better-sqlite3 + JSON.parse)', throughput: raw },
        target: `≤ ${limitSeconds} s, peak RSS ≤ 512 MB`,
        met: seconds <= limitSeconds && measured.peakRssMiB <= 512,
      },
    ];
  },
};
