/**
 * `scayle-ledger demo` (`npm run demo` while `npm start` runs): simulates 1,000 orders into the
 * running service, waits for the projections, and prints what the ledger found — orders per
 * reconciliation status, exceptions per queue and code, period totals, the five largest drifts with
 * their explanations — then points at /docs.
 *
 * While the service's query API (GET /v1/reconciliations, issue 6) is not there, the summary is
 * computed in-process by the same reconciliation rules from the records just sent, and says so.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { FINDING_CODES, type FindingCode } from '../../domain/shared/findings';
import { Money } from '../../domain/shared/money';
import { RulesHarness, evaluationNow, policyOf } from '../../application/simulation/rules-harness';
import { runSimulation } from '../../application/simulation/simulator';
import { DEFAULT_SIMULATION, type SimRecord } from '../../application/simulation/simulation.types';
import { businessCentralMapper } from './business-central';
import { LedgerClient, type ReconciliationRow } from './ledger-client';
import { simulate } from './simulate.command';

interface DemoRow extends Omit<ReconciliationRow, 'totals'> {
  totals?: { scayle?: Record<string, { order?: { gross?: string } }>; erp?: Record<string, { order?: { gross?: string } }> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The service's reconciliations once the read models have reached `position`: the list query when
 * the service has one (it waits for `minPosition`), else each simulated order's live reconciliation.
 * Undefined when the service has neither route.
 */
async function readReconciliations(client: LedgerClient, position: bigint, orderIds: readonly string[], timeoutMs: number): Promise<DemoRow[] | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await client.reconciliations(position.toString())) as DemoRow[];
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/: 404 /.test(message)) break;
      if (Date.now() > until) throw err;
      await sleep(500);
    }
  }
  try {
    const { rows, notFound } = await client.reconciliationsOf(orderIds, position.toString());
    const unknown = notFound.length ? (await client.exceptionsOfUnknownOrders(notFound)).findings : [];
    const bySubject = new Map<string, DemoRow>();
    for (const f of unknown) {
      const row = bySubject.get(f.subject) ?? { subject: f.subject, ...(f.orderId ? { orderId: f.orderId } : {}), status: 'drift', findings: [] };
      row.findings.push(f);
      bySubject.set(f.subject, row);
    }
    return [...(rows as DemoRow[]), ...bySubject.values()];
  } catch (err) {
    if (err instanceof Error && /No route/.test(err.message)) return undefined;
    throw err;
  }
}

function abs(s: string | undefined): bigint {
  if (!s) return 0n;
  const [i, f = ''] = s.replace('-', '').split('.');
  return BigInt(i!) * 1000n + BigInt(f.padEnd(3, '0').slice(0, 3));
}

/** The printed summary. */
export function summarise(rows: readonly DemoRow[], periods: Record<string, unknown> = {}): string {
  const out: string[] = [];
  // PSP payout batches have reconciliation documents of their own (subject settlement-…): not orders.
  const isBatch = (r: DemoRow): boolean => r.subject.startsWith('settlement-');
  const statuses = new Map<string, number>();
  for (const r of rows) if (!isBatch(r)) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  const st = new Table({ head: ['reconciliation status', 'orders'], style: { head: [], border: [], compact: true } });
  for (const [s, n] of [...statuses].sort((a, b) => b[1] - a[1])) st.push([s, n]);
  out.push(st.toString());
  const batches = rows.filter(isBatch);
  if (batches.length > 0) out.push(`PSP payout batches checked: ${batches.length}, ${batches.filter((r) => r.findings.some((f) => !f.autoAccepted)).length} with a finding`);

  const open = rows.flatMap((r) => r.findings).filter((f) => !f.autoAccepted);
  const queues = new Map<string, number>();
  for (const f of open) {
    const k = `${FINDING_CODES[f.code as FindingCode]?.owner ?? '?'}|${f.code}`;
    queues.set(k, (queues.get(k) ?? 0) + 1);
  }
  const qt = new Table({ head: ['queue', 'code', 'exceptions'], style: { head: [], border: [], compact: true } });
  for (const [k, n] of [...queues].sort()) qt.push([...k.split('|'), n]);
  out.push(qt.toString());

  const totals = new Map<string, { scayle: Money; erp: Money; orders: number }>();
  for (const r of rows) {
    for (const side of ['scayle', 'erp'] as const) {
      for (const [cur, t] of Object.entries(r.totals?.[side] ?? {})) {
        const key = `${r.period ?? '(no Scayle order)'}|${cur}`;
        const acc = totals.get(key) ?? { scayle: Money.zero(cur), erp: Money.zero(cur), orders: 0 };
        if (t.order?.gross) acc[side] = acc[side].add(Money.parse(t.order.gross, cur));
        if (side === 'scayle') acc.orders++;
        totals.set(key, acc);
      }
    }
  }
  const pt = new Table({ head: ['period', 'currency', 'orders', 'Scayle gross (sales − refunds)', 'ERP gross (invoices − credit memos)', 'difference'], style: { head: [], border: [], compact: true } });
  for (const [k, t] of [...totals].sort()) pt.push([...k.split('|'), t.orders, t.scayle.toString(), t.erp.toString(), t.scayle.subtract(t.erp).toString()]);
  out.push(pt.toString());
  for (const [p, v] of Object.entries(periods)) out.push(`GET /v1/periods/${p}: ${JSON.stringify(v).slice(0, 600)}`);

  const drifts = open
    .filter((f) => f.delta?.gross || f.code === 'MISSING_IN_ERP' || f.code === 'MISSING_IN_SCAYLE')
    .sort((a, b) => (abs(b.delta?.gross) > abs(a.delta?.gross) ? 1 : abs(b.delta?.gross) < abs(a.delta?.gross) ? -1 : 0))
    .slice(0, 5);
  out.push('five largest drifts:');
  drifts.forEach((f, i) => out.push(`  ${i + 1}. ${f.code} on ${f.subject} [${f.component}]${f.delta?.gross ? ` Δ ${f.delta.gross} ${f.delta.currency}` : ''}\n     ${f.explanation}`));
  return out.join('\n');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('simulate 1,000 orders into the running service and show what the ledger found')
    .option('--url <url>', 'the running service', `http://localhost:${process.env.PORT ?? '8080'}`)
    .option('--orders <n>', 'orders to simulate', '1000')
    .option('--seed <s>', 'random seed', '1')
    .option('--wait <seconds>', 'how long to wait for the projections', '120')
    .action(async (o: { url: string; orders: string; seed: string; wait: string }) => {
      const base = o.url.replace(/\/$/, '');
      const health = await fetch(`${base}/v1/health`).catch(() => undefined);
      if (!health || health.status >= 500) throw new Error(`no ledger at ${base}: start it with \`npm start\` in another terminal`);
      if (!process.env.SCAYLE_WEBHOOK_USERNAME || !process.env.SCAYLE_WEBHOOK_PASSWORD) {
        throw new Error('set SCAYLE_WEBHOOK_USERNAME and SCAYLE_WEBHOOK_PASSWORD to the same values as the service (see README "Try it")');
      }
      const config = { ...DEFAULT_SIMULATION, orders: Number(o.orders), seed: Number(o.seed), faultRate: 0.05 };
      console.log(`simulating ${config.orders} orders of ${config.month} into ${base} …`);
      const res = await simulate(config, { target: base, concurrency: 8, progress: true });
      const d = res.delivery!;
      console.log(`delivered ${d.sent} records (${Object.entries(d.byStatus).map(([k, v]) => `${k}×${v}`).join(', ')}), log position ${d.maxPosition.toString()}`);
      if (d.failures.length) console.log(`first refusal: ${d.failures[0]!.status} ${d.failures[0]!.kind} ${d.failures[0]!.body.slice(0, 200)}`);
      const client = new LedgerClient(base);
      console.log('waiting for the projections to catch up …');
      let rows = await readReconciliations(client, d.maxPosition, res.result.truth.orderTruth.map((t) => t.orderId), Number(o.wait) * 1000);
      let periods: Record<string, unknown> = {};
      if (rows) {
        for (const p of [...new Set(rows.map((r) => r.period).filter((x): x is string => !!x))].sort()) {
          // The live period summary (issue 5/6), when the service has it.
          const summary = await client.get(`/v1/periods/${p}?minPosition=${d.maxPosition.toString()}`).catch(() => undefined);
          if (summary) periods[p] = summary;
        }
      } else {
        console.log('(the service has no reconciliation queries yet: the summary below is computed in-process by the same rules from the records sent)');
        const harness = new RulesHarness(businessCentralMapper());
        const again = runSimulation(config, (r: SimRecord) => harness.ingest(r));
        const { reconciliations } = harness.reconcile(policyOf(again.truth), evaluationNow(again.truth));
        rows = reconciliations.map((r) => ({ subject: r.subject, ...(r.orderId ? { orderId: r.orderId } : {}), status: r.status, ...(r.period ? { period: r.period } : {}), totals: r.totals, findings: r.findings.map((f) => ({ ...f, subject: r.subject })) }));
        periods = {};
      }
      console.log(summarise(rows, periods));
      console.log(`\nExplore it: ${base}/docs (Swagger UI; API keys in ${process.env.LEDGER_DATA_DIR ?? './data'}/api-keys.json)`);
    });
}
