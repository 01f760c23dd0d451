/**
 * `--in-process` for `simulate` and `evaluate`: the simulation goes into the configured stores
 * through the application use-cases — the tax-code and item mappings through the mappings service,
 * the records through `runImport` (the same validation and use-cases as the HTTP routes, no HTTP) —
 * and the findings come back through the same queries the REST layer serves (each order's live
 * reconciliation; the as-of exception queue for ids without an order stream).
 */
import { randomUUID } from 'node:crypto';
import type { Container } from 'inversify';
import type { MappingsService } from '../../application/mapping/mappings.service';
import { getOrderReconciliation } from '../../application/order/get-order-reconciliation.query';
import { parseAsOf, type AsOfQuery } from '../../application/period/as-of.query';
import type { Clock } from '../../application/ports/clock.port';
import type { EventStore } from '../../application/ports/event-store.port';
import type { OrderDirectory } from '../../application/ports/order-directory.port';
import type { ReconciliationPolicyProvider } from '../../application/ports/reconciliation-policy.port';
import type { ObservedFinding } from '../../application/simulation/evaluation';
import type { TruthFile } from '../../application/simulation/simulation.types';
import { runImport, type ImportSummary } from '../cli/import.command';
import { loadConfig, type Config } from '../config/config';
import { buildContainer } from '../di/container';
import { TOKENS, type Lifecycle } from '../di/tokens';
import { createLogger } from '../logging/logger';

/** Runs `fn` with the stores started (no HTTP, no projections, no schedulers). */
async function withStores<T>(config: Config, fn: (c: Container) => Promise<T>): Promise<T> {
  const container = buildContainer(config, { logger: createLogger('silent') });
  const lifecycles = [...container.getAll<Lifecycle>(TOKENS.Lifecycle)].filter((l) => l.phase < 10).sort((a, b) => a.phase - b.phase);
  const started: Lifecycle[] = [];
  try {
    for (const l of lifecycles) {
      await l.start();
      started.push(l);
    }
    return await fn(container);
  } finally {
    for (const l of started.reverse()) await l.stop();
  }
}

/** Stores the mappings, then imports `eventsFile`. */
export async function ingestInProcess(truth: TruthFile, eventsFile: string, progress: boolean, config: Config = loadConfig(process.env)): Promise<ImportSummary> {
  await withStores(config, async (c) => {
    const mappings = c.get<MappingsService>(TOKENS.Mappings);
    const ctx = { actor: 'simulator', correlationId: randomUUID() };
    await mappings.replaceTaxCodes(truth.taxCodeMapping.map((e) => ({ countryCode: e.countryCode, rate: e.rate, taxCode: e.taxCode, ...(e.channelType ? { channelType: e.channelType } : {}) })), ctx);
    await mappings.replaceItems(Object.entries(truth.itemMapping).map(([erpItemNumber, variantReferenceKey]) => ({ variantReferenceKey, erpItemNumber })), ctx);
  });
  return runImport(config, eventsFile, { progress });
}

/** Every finding the ledger's queries report for the truth's orders. */
export async function findingsFromStores(truth: TruthFile, config: Config = loadConfig(process.env)): Promise<{ findings: ObservedFinding[]; notFound: string[] }> {
  return withStores(config, async (c) => {
    const events = c.get<EventStore>(TOKENS.EventStore);
    const directory = c.get<OrderDirectory>(TOKENS.OrderDirectory);
    const policies = c.get<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy);
    const clock = c.get<Clock>(TOKENS.Clock);
    const findings: ObservedFinding[] = [];
    const notFound: string[] = [];
    for (const t of truth.orderTruth) {
      try {
        const r = await getOrderReconciliation(events, directory, policies, clock, t.orderId);
        for (const f of r.findings) findings.push({ ...f, subject: r.subject, ...(r.orderId ? { orderId: r.orderId } : {}) });
      } catch (err) {
        if (err instanceof Error && 'kind' in err && (err as { kind: string }).kind === 'not_found') notFound.push(t.orderId);
        else throw err;
      }
    }
    if (notFound.length > 0) {
      const missing = new Set(notFound);
      const page = await c.get<AsOfQuery>(TOKENS.AsOfQuery).exceptions(parseAsOf(clock.now().toISOString()), { limit: 1000 });
      for (const e of page.exceptions as unknown as Record<string, unknown>[]) {
        const orderId = typeof e.orderId === 'string' ? e.orderId : undefined;
        if (!orderId || !missing.has(orderId)) continue;
        findings.push({ code: e.code as ObservedFinding['code'], component: e.component as ObservedFinding['component'], autoAccepted: false, explanation: String(e.explanation ?? ''), subject: String(e.subject ?? ''), orderId });
      }
    }
    return { findings, notFound };
  });
}
