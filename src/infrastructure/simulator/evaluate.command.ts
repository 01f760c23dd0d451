/**
 * `scayle-ledger evaluate --truth FILE [--events FILE | --target URL]`: compares the ledger's findings
 * with the simulator's ground truth and prints precision and recall per finding code, plus false
 * findings on clean orders.
 *
 * - `--events` (default: `events.ndjson` beside the truth file): through the reconciliation rules
 *   harness alone (no stores, no service).
 * - `--in-process`: the configured stores (after `simulate --in-process`), through the ledger's own
 *   queries without HTTP.
 * - `--target URL`: reads the findings of a running ledger through its REST queries, after waiting
 *   for the projections to reach `--min-position`.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { evaluateFindings, type EvaluationReport, type ObservedFinding } from '../../application/simulation/evaluation';
import { KNOWN_RULE_BUGS, tolerateKnownRuleBugs } from '../../application/simulation/known-rule-bugs';
import { RulesHarness, evaluationNow, policyOf } from '../../application/simulation/rules-harness';
import type { ImportKind, TruthFile } from '../../application/simulation/simulation.types';
import { businessCentralMapper } from './business-central';
import { fetchFindings } from './ledger-client';
import { findingsFromStores } from './in-process';

/** Feeds an import NDJSON file into the rules harness and returns its findings. */
export async function findingsInProcess(truth: TruthFile, eventsFile: string): Promise<{ findings: ObservedFinding[]; unmapped: Record<string, number> }> {
  const harness = new RulesHarness(businessCentralMapper());
  const rl = createInterface({ input: createReadStream(eventsFile), crlfDelay: Infinity });
  let seq = 0;
  for await (const line of rl) {
    if (!line) continue;
    const kind = /^\{"kind":"([a-z_]+)"/.exec(line)?.[1] as ImportKind | undefined;
    const at = line.indexOf(',"body":');
    if (!kind || at < 0) throw new Error(`not an import line: ${line.slice(0, 80)}`);
    harness.ingest({ kind, body: line.slice(at + 8, -1), deliverAt: 0, seq: seq++ });
  }
  const { findings } = harness.reconcile(policyOf(truth), evaluationNow(truth));
  return { findings, unmapped: harness.unmapped };
}

const pct = (x: number) => `${(x * 100).toFixed(x === 1 ? 0 : 2)} %`;

/** The evaluation table (one row per finding code). */
export function formatReport(raw: EvaluationReport, lenient: EvaluationReport): string {
  const t = new Table({ head: ['code', 'labelled', 'found', 'missed', 'false', 'precision', 'recall', 'component ok', 'known rule bug', 'precision w/o known bugs'], style: { head: [], border: [], compact: true } });
  for (const c of raw.perCode) {
    const l = lenient.perCode.find((x) => x.code === c.code);
    t.push([c.code, c.labelled, c.found, c.missed, c.falseFindings, pct(c.precision), pct(c.recall), `${c.componentAgrees}/${c.found}`, c.falseFindings - (l?.falseFindings ?? 0), pct(l?.precision ?? 1)]);
  }
  const lines = [t.toString()];
  lines.push(`orders ${raw.orders}, clean ${raw.cleanOrders}; clean orders with a finding other than auto-accepted rounding: ${raw.cleanOrdersWithFindings} ${JSON.stringify(raw.falseOnClean)} (${lenient.cleanOrdersWithFindings} without known rule bugs); auto-accepted rounding differences: ${raw.roundingAccepted}`);
  for (const [k, n] of Object.entries(lenient.tolerated)) lines.push(`known rule bug ${k} (${n} findings): ${KNOWN_RULE_BUGS[k]}`);
  lines.push(`targets (recall 100 %, precision ≥ 99 % per code, clean orders clean): ${raw.targetsMet ? 'met' : lenient.targetsMet ? 'met except the known rule bugs above' : 'NOT met'}`);
  for (const m of lenient.missedSamples.slice(0, 10)) lines.push(`  missed ${m.code} on order ${m.orderId} (${m.fault})`);
  for (const f of lenient.falseSamples.slice(0, 10)) lines.push(`  false ${f.code} on ${f.subject} [${f.component}]: ${f.explanation}`);
  return lines.join('\n');
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('precision and recall of the ledger’s findings against a simulation’s truth.json')
    .requiredOption('--truth <file>', 'truth.json written by `simulate --out`')
    .option('--events <file>', 'evaluate in-process through the rules (default: events.ndjson beside the truth)')
    .option('--target <url>', 'evaluate a running ledger through its REST queries')
    .option('--in-process', 'evaluate the configured stores through the ledger\'s own queries, without HTTP (after `simulate --in-process`)')
    .option('--min-position <n>', 'with --target: wait until the read models have reached this log position')
    .option('--json <file>', 'also write the report as JSON')
    .action(async (o: { truth: string; events?: string; target?: string; inProcess?: boolean; minPosition?: string; json?: string }) => {
      const sources = [o.events && '--events', o.target && '--target', o.inProcess && '--in-process'].filter(Boolean);
      if (sources.length > 1) throw new Error(`${sources.join(' and ')} exclude each other: evaluate one source at a time`);
      const truth = JSON.parse(readFileSync(o.truth, 'utf8')) as TruthFile;
      let findings: ObservedFinding[];
      if (o.inProcess) {
        const res = await findingsFromStores(truth);
        findings = res.findings;
        console.log(`findings read in-process from the configured stores (${res.notFound.length} order ids without an order stream)`);
      } else if (o.target) {
        const res = await fetchFindings(o.target, { ...(o.minPosition ? { minPosition: o.minPosition } : {}), orderIds: truth.orderTruth.map((t) => t.orderId) });
        findings = res.findings;
        console.log(`findings read through ${res.via}${res.notFound.length ? ` (${res.notFound.length} order ids without an order stream)` : ''}`);
      } else {
        const events = o.events ?? join(dirname(o.truth), 'events.ndjson');
        if (!existsSync(events)) throw new Error(`no ${events}: pass --events or --target`);
        const res = await findingsInProcess(truth, events);
        findings = res.findings;
        if (Object.keys(res.unmapped).length) console.log(`records the rules harness could not map: ${JSON.stringify(res.unmapped)}`);
      }
      const raw = evaluateFindings(truth, findings);
      const lenient = evaluateFindings(truth, findings, { tolerate: tolerateKnownRuleBugs });
      console.log(formatReport(raw, lenient));
      if (o.json) (await import('node:fs')).writeFileSync(o.json, JSON.stringify({ raw, withoutKnownRuleBugs: lenient }, null, 2));
      if (!lenient.targetsMet) process.exitCode = 1;
    });
}
