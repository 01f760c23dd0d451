/**
 * Order export speed (issue 10): mapping + export of 10,000 invoiced orders to the NDJSON file
 * adapter — fold each order's events, map it onto the canonical ERP document (item numbers, tax
 * codes, shipping account, per-document rounding), canonical JSON, SHA-256 payload hash, and the
 * file adapter's batched append with one fsync per batch of 100 — next to writing the same NDJSON
 * bytes directly (same files, same batches, same fsyncs) in the same run. Target: ≥ 2,000 orders/s.
 *
 * A third row runs the whole flow as the service does (plan → `OrderExportRequested` → map → send →
 * `OrderExportedToErp`, export index and embedded SQLite log with `synchronous=NORMAL`), for
 * information: it adds two event appends and the index bookkeeping per order.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { canonicalJson, sha256Hex } from '../src/application/shared/canonical-json';
import { ErpExportIndexer } from '../src/application/erp-export/erp-export.indexer';
import { ErpExportPlanner, exportUuid } from '../src/application/erp-export/erp-export.planner';
import { ErpExportScheduler } from '../src/application/erp-export/erp-export.scheduler';
import { ErpExportSender } from '../src/application/erp-export/erp-export.sender';
import type { ExportMappingsSource } from '../src/application/erp-export/export-mappings';
import { KeyedMutex } from '../src/application/ingest/keyed-mutex';
import { systemClock } from '../src/application/ports/clock.port';
import type { EventData } from '../src/application/ports/event-store.port';
import type { ErpExportCall } from '../src/application/ports/erp-gateway.port';
import { buildExportDocument, type ExportMappings } from '../src/domain/erp-export/erp-export.document';
import { planExports, type PlanSettings } from '../src/domain/erp-export/erp-export.plan';
import { orderStateFrom } from '../src/domain/order/order.state';
import type { OrderEventEnvelope, ScayleOrderSnapshot } from '../src/domain/order/order.events';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../src/domain/shared/ids';
import type { ErpRoundingProfile } from '../src/domain/shared/rounding';
import { orderStreamId } from '../src/domain/shared/streams';
import { SqliteErpExportStore } from '../src/infrastructure/erp-export/sqlite-erp-export-store';
import { NdjsonFileGateway, ndjsonFileName } from '../src/infrastructure/erp/ndjson/ndjson-file.gateway';
import { SqliteEventStore } from '../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { orderSnapshot } from '../tests/support/order-fixtures';
import { BenchOptions, BenchRow, BenchSuite, withPeakRss } from './harness';

const PROFILE: ErpRoundingProfile = { level: 'per_document', mode: 'half_up', pricesIncludeTax: false };
const SETTINGS: PlanSettings = { trigger: 'order-invoiced', saleDocumentKind: 'invoice', timezone: 'Europe/Berlin' };
const BATCH = 100;
const TARGET = 2_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Order `n`: two units of 100 variants (prices vary), shipping, confirmed and invoiced in May 2024. */
function order(n: number): ScayleOrderSnapshot {
  const day = String(1 + (n % 28)).padStart(2, '0');
  return orderSnapshot(`E${n}`, {
    confirmedAt: `2024-05-${day}T10:00:00.000Z`,
    invoicedAt: `2024-05-${day}T12:00:00.000Z`,
    updatedAt: `2024-05-${day}T12:00:00.000Z`,
  });
}

function orderEvents(n: number): { stream: string; events: EventData[] } {
  const o = order(n);
  const fact = (type: string, at: string): EventData => ({
    id: uuidv5(sourceEventName('scayle', `${o.orderId}-${type}`, type), LEDGER_EVENT_NAMESPACE),
    type,
    data: { order: o, webhookKey: `${o.orderId}-${type}` },
    metadata: { source: 'scayle', sourceEventId: `${o.orderId}-${type}`, occurredAt: at, recordedAt: at, schemaVersion: 1 },
  });
  return { stream: orderStreamId(o.shopKey, o.countryCode, o.orderId), events: [fact('ScayleOrderConfirmed', o.confirmedAt!), fact('ScayleOrderInvoiced', o.invoicedAt!)] };
}

function mappings(orders: number): ExportMappings {
  const itemNumbers: Record<string, string> = {};
  for (let n = 0; n < orders; n++) for (const i of order(n).items) itemNumbers[i.variantReferenceKey!] = `I-${i.variantReferenceKey}`;
  return { itemNumbers, taxCodes: [{ countryCode: 'DE', rate: '0.19', taxCode: 'DE19' }], feeAccounts: { delivery: '8400' }, discountAccount: '8700' };
}

const asEnvelopes = (events: EventData[]) => events as unknown as OrderEventEnvelope<{ type: string; data: unknown }>[];

/** Mapping + export to the file adapter, timed; answers orders/s and the bytes written. */
async function mapAndExport(dir: string, orders: number, map: ExportMappings): Promise<{ rate: number; lines: string[][] }> {
  const inputs = Array.from({ length: orders }, (_, n) => {
    const { events } = orderEvents(n);
    const request = planExports(orderStateFrom(asEnvelopes(events)), SETTINGS, exportUuid, '2024-06-01T00:00:00.000Z')[0]!;
    const requested: EventData = { id: `r-${n}`, type: 'OrderExportRequested', data: request, metadata: { source: 'ledger', occurredAt: request.requestedAt, recordedAt: request.requestedAt, schemaVersion: 1 } };
    return { events: [...events, requested], request };
  });
  const gateway = new NdjsonFileGateway(dir);
  const lines: string[][] = [];
  let hashes = 0;
  const started = process.hrtime.bigint();
  for (let b = 0; b < orders; b += BATCH) {
    const calls: ErpExportCall[] = [];
    for (const input of inputs.slice(b, b + BATCH)) {
      const state = orderStateFrom(asEnvelopes(input.events));
      const built = buildExportDocument(state, input.request, map, PROFILE);
      if (!built.ok) throw new Error(`unmapped order in the benchmark: ${JSON.stringify(built.missing)}`);
      const canonical = canonicalJson(built.document);
      if (sha256Hex(canonical).length === 64) hashes++;
      calls.push({ exportId: input.request.exportId, document: built.document, canonical, mayExist: false, knownErpNumbers: [] });
    }
    const results = await gateway.exportDocuments(calls);
    if (results.some((r) => !r.ok)) throw new Error('the file adapter failed');
    lines.push(calls.map((c) => c.canonical));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (hashes !== orders) throw new Error('hash count');
  return { rate: orders / seconds, lines };
}

/** The same NDJSON bytes written directly: one append and one fsync per batch, same file names. */
function writeDirectly(dir: string, batches: string[][], postingDate: (line: string) => string): number {
  mkdirSync(dir, { recursive: true });
  const started = process.hrtime.bigint();
  let orders = 0;
  for (const batch of batches) {
    const byFile = new Map<string, string[]>();
    for (const line of batch) {
      const file = ndjsonFileName(postingDate(line));
      byFile.set(file, [...(byFile.get(file) ?? []), line]);
    }
    for (const [file, lines] of byFile) {
      const fd = openSync(join(dir, file), 'a');
      writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
      closeSync(fd);
    }
    orders += batch.length;
  }
  return orders / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** The whole flow on the embedded stores: seed the log, then one scheduler drains every export. */
async function wholeFlow(dir: string, orders: number, map: ExportMappings): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const events = new SqliteEventStore({ filename: join(dir, 'events.db'), synchronous: 'NORMAL' });
  const store = new SqliteErpExportStore(join(dir, 'erp-export.db'), 'NORMAL');
  for (let n = 0; n < orders; n++) {
    const { stream, events: es } = orderEvents(n);
    await events.appendToStream(stream, es, { expectedRevision: 'any' });
  }
  const gateway = new NdjsonFileGateway(join(dir, 'out'), { fsync: false });
  const source: ExportMappingsSource = { current: async () => map };
  const indexer = new ErpExportIndexer(events, store, systemClock, quiet);
  const planner = new ErpExportPlanner(events, store, systemClock, SETTINGS, new KeyedMutex());
  const sender = new ErpExportSender(events, store, gateway, source, systemClock, quiet, { maxAttempts: 3, retryBaseMs: 10, retryMaxMs: 100, timeoutMs: 1000, profile: PROFILE });
  const scheduler = new ErpExportScheduler(events, store, indexer, planner, sender, gateway, systemClock, quiet, { intervalMs: 3_600_000, batchSize: BATCH, indexWaitMs: 60_000 });
  await indexer.start();
  const started = process.hrtime.bigint();
  const summary = await scheduler.drain(600_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await indexer.stop();
  await store.close();
  await events.close();
  if (summary.exported + 0 === 0 && orders > 0) throw new Error('nothing exported');
  return orders / seconds;
}

export const suite: BenchSuite = {
  name: 'export',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const orders = options.quick ? 1_000 : 10_000;
    const map = mappings(orders);
    const measured = await withPeakRss(() => mapAndExport(join(options.workDir, 'adapter'), orders, map));
    const baseline = writeDirectly(join(options.workDir, 'direct'), measured.result.lines, (line) => /"postingDate":"(\d{4}-\d{2}-\d{2})"/.exec(line)![1]!);
    const flow = await withPeakRss(() => wholeFlow(join(options.workDir, 'flow'), orders, map));
    const size = `${orders.toLocaleString('en')} orders`;
    return [
      {
        name: 'export: map + export to the NDJSON file adapter',
        unit: 'orders',
        size,
        throughput: measured.result.rate,
        peakRssMiB: measured.peakRssMiB,
        baseline: { name: 'same NDJSON bytes written directly', throughput: baseline },
        target: `≥ ${TARGET.toLocaleString('en')} orders/s`,
        met: measured.result.rate >= TARGET,
      },
      {
        name: 'export: whole flow (plan, events, index, file)',
        unit: 'orders',
        size,
        throughput: flow.result,
        peakRssMiB: flow.peakRssMiB,
        baseline: { name: 'map + export to the file adapter', throughput: measured.result.rate },
      },
    ];
  },
};
