/**
 * `scayle-ledger simulate`: generates a month of a Scayle store, its ERP and its PSP with labelled
 * faults, and writes it to files (`--out`), posts it to a running ledger (`--target`), or both.
 */
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { ensureDirectory } from '../config/directories';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { isRoundingMode, type ErpRoundingProfile } from '../../domain/shared/rounding';
import { runSimulation, type SimulationResult } from '../../application/simulation/simulator';
import { DEFAULT_SIMULATION, type SimulationConfig } from '../../application/simulation/simulation.types';
import { DeliveryQueue, importLine } from './delivery-queue';
import { ingestInProcess } from './in-process';
import { loadConfig } from '../config/config';
import { lockDataDir } from '../cli/instance-lock';
import { credentialsFromEnv, deliverOverHttp, mappingBodies, mappingsKey, putMappings, type DeliveryStats } from './http-target';
import { PERIOD_PATTERN } from '../../domain/shared/streams';

export interface SimulateOptions {
  orders: string;
  seed: string;
  faultRate?: string;
  month?: string;
  timezone?: string;
  erpProfile?: string;
  bcShare?: string;
  target?: string;
  inProcess?: boolean;
  out?: string;
  concurrency?: string;
  progress?: boolean;
}

/** Parses `level:mode:incl|excl` (e.g. `per_document:half_up:incl`). */
export function parseProfile(text: string): ErpRoundingProfile {
  const [level, mode, prices] = text.split(':');
  if ((level !== 'per_line' && level !== 'per_document') || !isRoundingMode(mode) || (prices !== 'incl' && prices !== 'excl')) {
    throw new Error(`--erp-profile must be <per_line|per_document>:<half_up|half_even|up|down>:<incl|excl>, got ${text}`);
  }
  return { level, mode, pricesIncludeTax: prices === 'incl' };
}

const num = (v: string | undefined, name: string, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return n;
};

/** A whole number from `min` to `max` (`1.5`, `1e9` beyond the bound, `ten` are refused, not rounded). */
const whole = (v: string | undefined, name: string, fallback: number, min: number, max: number): number => {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) throw new Error(`${name} must be a whole number from ${min} to ${max.toLocaleString('en')}, got ${v}`);
  return Number(v);
};

/** Most orders one simulation makes: a month of a large store; the generator holds them in memory. */
export const MAX_SIMULATED_ORDERS = 1_000_000;

/** A share from 0 to 1. */
const share = (v: string | undefined, name: string, fallback: number): number => {
  const n = num(v, name, fallback);
  if (n > 1) throw new Error(`${name} must be between 0 and 1, got ${v}`);
  return n;
};

export function simulationConfig(o: SimulateOptions): SimulationConfig {
  const month = o.month ?? DEFAULT_SIMULATION.month;
  if (!PERIOD_PATTERN.test(month)) throw new Error(`--month must be YYYY-MM (year 0001 to 9999), got ${month}`);
  const faultRate = share(o.faultRate, '--fault-rate', DEFAULT_SIMULATION.faultRate);
  return {
    ...DEFAULT_SIMULATION,
    orders: whole(o.orders, '--orders', 1000, 1, MAX_SIMULATED_ORDERS),
    seed: whole(o.seed, '--seed', 1, 0, Number.MAX_SAFE_INTEGER),
    faultRate,
    month,
    timezone: o.timezone ?? DEFAULT_SIMULATION.timezone,
    erpProfile: o.erpProfile ? parseProfile(o.erpProfile) : DEFAULT_SIMULATION.erpProfile,
    businessCentralShare: share(o.bcShare, '--bc-share', DEFAULT_SIMULATION.businessCentralShare),
  };
}

function bar(enabled: boolean, label: string, total: number): { update(n: number): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const b = new cliProgress.SingleBar({ format: `${label.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | eta {eta}s`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  b.start(total, 0);
  return { update: (n) => b.update(n), stop: () => b.stop() };
}

export interface SimulateOutcome {
  result: SimulationResult;
  delivery?: DeliveryStats;
  /** HTTP statuses of the two mapping PUTs (with a target). */
  mappings?: { taxCodes: number; items: number };
  records: number;
}

/** Generates, orders by delivery time, and writes/posts. Used by the CLI, the demo and the tests. */
export async function simulate(config: SimulationConfig, opts: { out?: string; target?: string; concurrency?: number; progress?: boolean }): Promise<SimulateOutcome> {
  const queue = new DeliveryQueue();
  const gen = bar(opts.progress ?? true, 'simulate', config.orders);
  const result = runSimulation(config, (r) => queue.add(r), (n) => n % 100 === 0 && gen.update(n));
  gen.update(config.orders);
  gen.stop();
  const total = queue.size;
  let delivery: DeliveryStats | undefined;
  let mappingStatus: { taxCodes: number; items: number } | undefined;
  const out = opts.out;
  if (out) {
    ensureDirectory(out, '--out');
    writeFileSync(join(out, 'truth.json'), JSON.stringify(result.truth, null, 1));
    writeFileSync(join(out, 'summary.json'), JSON.stringify(result.summary, null, 2));
    const bodies = mappingBodies(result.truth.taxCodeMapping, result.truth.itemMapping);
    writeFileSync(join(out, 'tax-codes.json'), JSON.stringify(bodies.taxCodes, null, 2));
    writeFileSync(join(out, 'item-mapping.json'), JSON.stringify(bodies.items, null, 2));
  }
  const sink = out ? createWriteStream(join(out, 'events.ndjson')) : undefined;
  const records = function* (): Generator<import('../../application/simulation/simulation.types').SimRecord> {
    for (const r of queue.drain()) {
      if (sink && !sink.write(importLine(r) + '\n')) {
        // The stream buffers; bounded by the drain loop below for the file-only case.
      }
      yield r;
    }
  };
  if (opts.target) {
    const base = opts.target.replace(/\/$/, '');
    const creds = credentialsFromEnv();
    // The mappings first: the rules read them when the orders are reconciled.
    mappingStatus = await putMappings(base, mappingsKey(), result.truth.taxCodeMapping, result.truth.itemMapping);
    const b = bar(opts.progress ?? true, 'deliver', total);
    delivery = await deliverOverHttp(base, creds, records(), opts.concurrency ?? 8, (n) => n % 50 === 0 && b.update(n));
    b.update(total);
    b.stop();
  } else if (sink) {
    const b = bar(opts.progress ?? true, 'write', total);
    let n = 0;
    for (const r of queue.drain()) {
      if (!sink.write(importLine(r) + '\n')) await once(sink, 'drain');
      if (++n % 1000 === 0) b.update(n);
    }
    b.update(total);
    b.stop();
  } else {
    for (const _r of queue.drain()) void _r;
  }
  if (sink) {
    sink.end();
    await once(sink, 'finish');
  }
  return { result, ...(delivery ? { delivery } : {}), ...(mappingStatus ? { mappings: mappingStatus } : {}), records: total };
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('generate a month of Scayle webhooks, ERP documents and PSP settlements with labelled faults')
    .requiredOption('--orders <n>', 'number of orders')
    .option('--seed <s>', 'random seed (same seed, same output)', '1')
    .option('--fault-rate <r>', 'share of orders with one injected business fault (0…1)', String(DEFAULT_SIMULATION.faultRate))
    .option('--month <YYYY-MM>', 'accounting month of the orders', DEFAULT_SIMULATION.month)
    .option('--timezone <iana>', 'company timezone', DEFAULT_SIMULATION.timezone)
    .option('--erp-profile <level:mode:prices>', 'ERP rounding profile level:mode:incl|excl; match the service (LEDGER_ERP_ROUNDING_LEVEL, _MODE, LEDGER_ERP_PRICES_INCLUDE_TAX)', 'per_document:half_up:excl')
    .option('--bc-share <r>', 'share of orders booked in Business Central', String(DEFAULT_SIMULATION.businessCentralShare))
    .option('--target <url>', 'post everything to a running ledger (e.g. http://localhost:8080)')
    .option('--in-process', 'ingest into the configured stores through the application use-cases (mappings service + the import use-cases), no HTTP')
    .option('--out <dir>', 'write events.ndjson, truth.json, summary.json and tax-codes.json')
    .option('--concurrency <n>', 'requests in flight with --target', '8')
    .option('--no-progress', 'no progress bars')
    .action(async (o: SimulateOptions) => {
      if (!o.out && !o.target && !o.inProcess) throw new Error('say where the simulation goes: --out DIR, --target URL and/or --in-process');
      if (o.target && o.inProcess) throw new Error('--target and --in-process exclude each other');
      const config = simulationConfig(o);
      const out = o.out ?? (o.inProcess ? mkdtempSync(join(tmpdir(), 'simulation-')) : undefined);
      const res = await simulate(config, { ...(out ? { out } : {}), ...(o.target ? { target: o.target } : {}), concurrency: Number(o.concurrency ?? 8), progress: o.progress !== false });
      if (o.inProcess) {
        const storeConfig = loadConfig(process.env);
        const lock = await lockDataDir(storeConfig, 'simulate --in-process');
        const summary = await ingestInProcess(res.result.truth, join(out!, 'events.ndjson'), o.progress !== false, storeConfig).finally(() => lock.release());
        console.log(`ingested in-process: ${Object.entries(summary).filter(([, v]) => v.accepted + v.duplicate + v.failed + v.rejected > 0).map(([k, v]) => `${k} ${v.accepted} accepted, ${v.duplicate} duplicate, ${v.failed} failed, ${v.rejected} rejected`).join('; ')}`);
        if (!o.out) rmSync(out!, { recursive: true, force: true });
      }
      const s = res.result.summary;
      console.log(`${s.orders} orders (${s.cleanOrders} clean, ${s.faultedOrders} with a business fault), ${res.records} records, ${s.settlementBatches} settlement batches`);
      console.log(`labels: ${Object.entries(s.labelsByCode).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
      if (o.out) console.log(`written to ${o.out}/events.ndjson, truth.json, summary.json, tax-codes.json, item-mapping.json`);
      if (res.mappings) console.log(`mappings: PUT /v1/mappings/tax-codes ${res.mappings.taxCodes}, PUT /v1/mappings/items ${res.mappings.items}`);
      if (res.delivery) {
        console.log(`delivered ${res.delivery.sent} records: ${Object.entries(res.delivery.byStatus).map(([k, v]) => `${k}×${v}`).join(', ')}; log position ${res.delivery.maxPosition.toString()}`);
        for (const f of res.delivery.failures.slice(0, 5)) console.log(`  ${f.status} ${f.kind}: ${f.body}`);
        if (res.delivery.failures.length) process.exitCode = 1;
      }
    });
}
