/**
 * A simulation run: `config.orders` orders of one month, business faults at `config.faultRate`
 * (⌊orders × rate⌋ faulted orders spread evenly, cycling through the catalogue so every kind appears), PSP settlement batches, the ground truth
 * and a summary. Deterministic for a seed. Records are handed to `sink` as they are made, unsorted;
 * the caller delivers them by `deliverAt` (see the simulate command), so a million records never
 * have to sit in memory at once.
 */
import { Money } from '../../domain/shared/money';
import { addDays, DAY, HOUR, monthBounds } from './calendar';
import { buildCatalogue, taxCodeMapping } from './catalogue';
import { FAULT_KINDS, type FaultKind } from './faults';
import { simulateOrder, type OrderContext, type PendingPspLine } from './order-simulator';
import { Rng } from './random';
import type { DeliveryFault, ImportKind, SimRecord, SimulationConfig, SimulationSummary, TruthFile, TruthLabel, TruthOrder } from './simulation.types';

export interface SimulationResult {
  truth: TruthFile;
  summary: SimulationSummary;
}

/** Max lines per settlement batch (keeps each batch body well under the default 1 MB body limit). */
const BATCH_LINES = 500;

/**
 * Runs the simulation; `sink` receives every record (synchronously, in generation order).
 * `onOrder` is called after each order (progress).
 */
export function runSimulation(config: SimulationConfig, sink: (r: SimRecord) => void, onOrder?: (done: number) => void): SimulationResult {
  const ctx: OrderContext = { config, catalogue: buildCatalogue(config.seed), month: monthBounds(config.month, config.timezone) };
  const kinds = Rng.forIndex(config.seed, -2).shuffle(FAULT_KINDS);
  let seq = 0;
  let faultCounter = 0;
  const labels: TruthLabel[] = [];
  const orderTruth: TruthOrder[] = [];
  const psp: PendingPspLine[] = [];
  const summary: SimulationSummary = {
    config,
    orders: config.orders,
    cleanOrders: 0,
    faultedOrders: 0,
    records: { scayle_webhook: 0, erp_document: 0, business_central_invoice: 0, business_central_credit_memo: 0, psp_settlement: 0 },
    webhooksByType: {},
    labelsByCode: {},
    deliveryFaults: { duplicate: 0, reordered: 0, delayed: 0 },
    features: {},
    settlementBatches: 0,
    currencies: {},
  };
  const emit = (r: Omit<SimRecord, 'seq'>) => {
    summary.records[r.kind] += 1;
    if (r.kind === 'scayle_webhook') {
      const type = /"type":"([^"]+)"/.exec(r.body)?.[1] ?? '?';
      summary.webhooksByType[type] = (summary.webhooksByType[type] ?? 0) + 1;
    }
    sink({ ...r, seq: seq++ });
  };
  for (let i = 0; i < config.orders; i++) {
    // Exactly ⌊N × rate⌋ faulted orders, spread evenly; kinds in a seeded order, cycling, so every kind appears.
    const faulted = Math.floor((i + 1) * config.faultRate + 1e-9) > Math.floor(i * config.faultRate + 1e-9);
    const fault: FaultKind | undefined = faulted ? kinds[faultCounter++ % kinds.length] : undefined;
    const out = simulateOrder(ctx, i, fault);
    out.records.forEach(emit);
    psp.push(...out.psp);
    labels.push(...out.labels);
    orderTruth.push(out.truth);
    if (out.truth.clean) summary.cleanOrders++;
    else summary.faultedOrders++;
    for (const l of out.labels) summary.labelsByCode[l.code] = (summary.labelsByCode[l.code] ?? 0) + 1;
    for (const d of out.truth.deliveryFaults) summary.deliveryFaults[d as DeliveryFault]++;
    for (const f of out.truth.features) summary.features[f] = (summary.features[f] ?? 0) + 1;
    summary.currencies[out.truth.currency] = (summary.currencies[out.truth.currency] ?? 0) + 1;
    onOrder?.(i + 1);
  }
  for (const b of settlementBatches(psp, config.timezone)) {
    summary.settlementBatches++;
    emit(b);
  }
  const materialityCap = Object.fromEntries(Object.keys(summary.currencies).map((c) => [c, Money.fromMinorUnits(5n, c).toString()]));
  return {
    truth: { version: 1, seed: config.seed, orders: config.orders, faultRate: config.faultRate, month: config.month, timezone: config.timezone, erpProfile: config.erpProfile, materialityCap, taxCodeMapping: taxCodeMapping(), itemMapping: Object.fromEntries(ctx.catalogue.map((v) => [v.referenceKey, v.referenceKey])), labels, orderTruth },
    summary,
  };
}

/**
 * Groups PSP lines into daily batches per provider and currency (UTC booking day), at most
 * {@link BATCH_LINES} lines each, paid out two days later; the payout is Σ net of the lines (fees are
 * itemised per line).
 */
export function settlementBatches(lines: readonly PendingPspLine[], _timezone: string): Omit<SimRecord, 'seq'>[] {
  const groups = new Map<string, PendingPspLine[]>();
  for (const l of lines) {
    const day = new Date(l.bookedAt).toISOString().slice(0, 10);
    const k = `${l.provider}|${l.currency}|${day}`;
    const g = groups.get(k);
    if (g) g.push(l);
    else groups.set(k, [l]);
  }
  const out: Omit<SimRecord, 'seq'>[] = [];
  for (const [k, all] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [provider, currency, day] = k.split('|') as [string, string, string];
    all.sort((a, b) => a.bookedAt - b.bookedAt || (a.line.lineId < b.line.lineId ? -1 : 1));
    for (let part = 0; part * BATCH_LINES < all.length; part++) {
      const chunk = all.slice(part * BATCH_LINES, (part + 1) * BATCH_LINES);
      const payoutDate = addDays(day, 2);
      const payout = chunk.reduce((s, l) => s.add(Money.parse(l.line.net, currency)), Money.zero(currency));
      const body = {
        provider,
        batchId: `${provider}-${currency}-${day.replace(/-/g, '')}-${part + 1}`,
        currency,
        payoutDate,
        payoutAmount: payout.toString(),
        lines: chunk.map((l) => l.line),
      };
      out.push({ kind: 'psp_settlement' as ImportKind, body: JSON.stringify(body), deliverAt: Date.parse(`${payoutDate}T06:00:00Z`) + part * 60_000 });
    }
  }
  return out;
}

export { DAY, HOUR };
