/**
 * Simulator throughput (issue 8) at the shared size: generating a month of orders with their Scayle
 * webhooks, ERP documents and PSP batches, next to a same-run baseline of serialising the same
 * number of records (the floor of any generator that writes JSON).
 */
import { runSimulation } from '../src/application/simulation/simulator';
import { DEFAULT_SIMULATION } from '../src/application/simulation/simulation.types';
import { BenchOptions, BenchRow, BenchSuite, withPeakRss } from './harness';

export const suite: BenchSuite = {
  name: 'simulate',
  async run({ size }: BenchOptions): Promise<BenchRow[]> {
    const orders = size.orders;
    let records = 0;
    let bytes = 0;
    let sample = '';
    const measured = await withPeakRss(async () => {
      const started = process.hrtime.bigint();
      runSimulation({ ...DEFAULT_SIMULATION, orders, seed: 1, faultRate: 0.05 }, (r) => {
        records++;
        bytes += r.body.length;
        if (!sample) sample = r.body;
      });
      return Number(process.hrtime.bigint() - started) / 1e9;
    });
    const parsed = JSON.parse(sample) as unknown;
    const baseStarted = process.hrtime.bigint();
    for (let i = 0; i < records; i++) bytes += JSON.stringify(parsed).length & 1;
    if (bytes < 0) throw new Error('unreachable'); // keeps the loop's work observable
    const baseline = records / (Number(process.hrtime.bigint() - baseStarted) / 1e9);
    return [
      {
        name: 'simulate: month of orders → webhooks, ERP docs, PSP batches',
        unit: 'records',
        size: `${orders.toLocaleString('en')} orders, ${records.toLocaleString('en')} records`,
        throughput: records / measured.result,
        peakRssMiB: measured.peakRssMiB,
        baseline: { name: 'JSON.stringify of one webhook', throughput: baseline },
        target: `${Math.round(orders / measured.result).toLocaleString('en')} orders/s (no target)`,
      },
    ];
  },
};
