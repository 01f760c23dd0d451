/**
 * Issue 8 end to end at small size: simulate 200 orders with a 10 % fault rate, put them through the
 * reconciliation rules (in-memory harness: the ingestion's Scayle webhook and Business Central
 * mappers, canonical ERP documents and PSP lines as the ingestion writes them), and hold the result to the targets: recall 100 % and
 * precision ≥ 99 % per finding code, no finding on clean orders other than auto-accepted rounding.
 * Known rule bugs (each with a failing domain test) are set aside and listed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runSimulation } from '../../src/application/simulation/simulator';
import { DEFAULT_SIMULATION, type SimRecord, type SimulationConfig } from '../../src/application/simulation/simulation.types';
import { RulesHarness, evaluationNow, policyOf } from '../../src/application/simulation/rules-harness';
import { evaluateFindings } from '../../src/application/simulation/evaluation';
import { tolerateKnownRuleBugs, KNOWN_RULE_BUGS } from '../../src/application/simulation/known-rule-bugs';
import { FAULT_KINDS, FAULTS } from '../../src/application/simulation/faults';
import { businessCentralMapper } from '../../src/infrastructure/simulator/business-central';
import { importLine } from '../../src/infrastructure/simulator/delivery-queue';
import { findingsFromStores, ingestInProcess } from '../../src/infrastructure/simulator/in-process';
import { tempDir } from '../support/temp-dir';
import { testConfig } from '../support/test-config';

function evaluate(config: SimulationConfig) {
  const harness = new RulesHarness(businessCentralMapper('EUR'));
  const { truth } = runSimulation(config, (r) => harness.ingest(r));
  const { findings } = harness.reconcile(policyOf(truth), evaluationNow(truth));
  return { harness, truth, report: evaluateFindings(truth, findings, { tolerate: tolerateKnownRuleBugs }) };
}

describe('simulation accuracy (issue 8 targets)', () => {
  for (const profile of ['per_document:half_up:incl', 'per_line:half_even:excl'] as const) {
    it(`200 orders, fault rate 0.1, ERP profile ${profile}: recall 100 %, precision ≥ 99 % per code, clean orders clean`, () => {
      const [level, mode, prices] = profile.split(':') as ['per_document' | 'per_line', 'half_up' | 'half_even', string];
      const { harness, truth, report } = evaluate({ ...DEFAULT_SIMULATION, orders: 200, seed: 2024, faultRate: 0.1, erpProfile: { level, mode, pricesIncludeTax: prices === 'incl' } });
      expect(harness.unmapped).to.deep.equal({});
      expect(new Set(truth.labels.map((l) => l.code)).size).to.equal(new Set(FAULT_KINDS.map((k) => FAULTS[k].code)).size);
      for (const c of report.perCode) {
        expect(c.recall, `${c.code} recall (missed ${JSON.stringify(report.missedSamples.filter((l) => l.code === c.code).map((l) => l.orderId))})`).to.equal(1);
        expect(c.precision, `${c.code} precision (false: ${JSON.stringify(report.falseSamples.filter((f) => f.code === c.code).map((f) => f.explanation).slice(0, 3))})`).to.be.at.least(0.99);
        expect(c.componentAgrees, `${c.code} component`).to.equal(c.found);
      }
      expect(report.cleanOrdersWithFindings, JSON.stringify(report.falseOnClean)).to.equal(0);
      expect(report.roundingAccepted).to.be.greaterThan(0);
      for (const reason of Object.keys(report.tolerated)) expect(KNOWN_RULE_BUGS).to.have.property(reason);
    });
  }
});

describe('simulation accuracy through the ledger (in-process: import use-cases, stores, reconciliation query)', () => {
  it('150 orders, fault rate 0.1: recall 100 %, precision ≥ 99 % per code, clean orders clean', async function () {
    this.timeout(180_000);
    const dir = tempDir('sim-e2e-');
    try {
      const config = testConfig(dir.path, { LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL' });
      const records: SimRecord[] = [];
      const { truth } = runSimulation({ ...DEFAULT_SIMULATION, orders: 150, seed: 77, faultRate: 0.1 }, (r) => records.push(r));
      const file = join(dir.path, 'events.ndjson');
      writeFileSync(file, records.sort((a, b) => a.deliverAt - b.deliverAt || a.seq - b.seq).map((r) => importLine(r)).join('\n') + '\n');
      const summary = await ingestInProcess(truth, file, false, config);
      for (const [kind, s] of Object.entries(summary)) expect(s.rejected + s.failed, `${kind} rejected/failed`).to.equal(0);
      const { findings } = await findingsFromStores(truth, config);
      const report = evaluateFindings(truth, findings);
      for (const c of report.perCode) {
        expect(c.recall, `${c.code} recall`).to.equal(1);
        expect(c.precision, `${c.code} precision (false: ${JSON.stringify(report.falseSamples.filter((f) => f.code === c.code).map((f) => f.explanation).slice(0, 3))})`).to.be.at.least(0.99);
      }
      expect(report.cleanOrdersWithFindings, JSON.stringify(report.falseOnClean)).to.equal(0);
      expect(report.perCode.map((c) => c.code)).to.have.length(15);
    } finally {
      dir.remove();
    }
  });
});
