import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { formatTable, machineDescription, runSuites } from '../../../bench/run';
import { benchSize, withPeakRss, type BenchSuite } from '../../../bench/harness';

describe('bench runner', () => {
  it('a suite that throws becomes an error row and the next suite still runs, with the shared size', async () => {
    const seen: number[] = [];
    const failing: BenchSuite = { name: 'broken', run: () => Promise.reject(new Error('database is locked')) };
    const working: BenchSuite = {
      name: 'fine',
      run: ({ size }) => {
        seen.push(size.orders, size.events);
        return Promise.resolve([{ name: 'fine: op', unit: 'ops', throughput: 1234, baseline: { name: 'bare', throughput: 2468 } }]);
      },
    };
    const rows = await runSuites([failing, working], true, () => undefined);
    expect(rows.map((r) => r.name)).to.deep.equal(['broken: FAILED', 'fine: op']);
    expect(rows[0]!.error).to.equal('error: database is locked');
    expect(seen).to.deep.equal([10_000, 100_000]);
    const table = formatTable(rows);
    expect(table).to.include('database is locked').and.include('1,234 ops/s').and.include('0.50×');
  });
  it('sizes: full 100,000 orders ≈ 1,000,000 events, quick a tenth; the machine is described', () => {
    expect(benchSize(false)).to.deep.equal({ orders: 100_000, events: 1_000_000 });
    expect(benchSize(true)).to.deep.equal({ orders: 10_000, events: 100_000 });
    const m = machineDescription();
    expect(m).to.include.keys('cpus', 'cpuModel', 'totalMemMiB', 'node', 'os', 'arch');
  });

  it('withPeakRss counts a peak that never returns to the event loop', async function () {
    if (process.platform !== 'linux') this.skip();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const { result, peakRssMiB } = await withPeakRss(async () => {
      // 256 MiB touched and freed again without an event-loop turn: a 20 ms sampler cannot see it.
      let buffer: Buffer | undefined = Buffer.alloc(256 * 1024 * 1024, 1);
      const sum = buffer[0]! + buffer[buffer.length - 1]!;
      buffer = undefined;
      gc();
      return sum;
    });
    // Against the RSS after the buffer is gone, not before the call: background threads may still
    // return memory between a reading before and the high-water mark's reset (a flaky 157 MiB step).
    const after = process.memoryUsage.rss() / (1024 * 1024);
    expect(result).to.equal(2);
    expect(peakRssMiB).to.be.greaterThan(after + 200);
  });
});

describe('bench command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(__dirname, '../../../bench/run.js'), ...args], { encoding: 'utf8' });

  it('refuses an unknown suite or option in one line with exit code 2, without a stack trace', () => {
    for (const [args, message] of [
      [['--only', 'nosuch'], /^bench: unknown suite\(s\) nosuch; known: eventstore, /],
      [['--onyl', 'reconcile'], /^bench: Unknown option '--onyl'/],
      [['--only', ''], /^bench: --only needs suite names separated by commas; known: eventstore, /],
    ] as const) {
      const r = run(...args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stderr).to.match(message);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stdout).to.equal('');
    }
  });
});
