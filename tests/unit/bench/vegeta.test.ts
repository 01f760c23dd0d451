import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { webhookBodies } from '../../../bench/ingest-load.worker';
import { attackAtConstantRate, countAnswers, jsonTarget, type VegetaReport } from '../../../bench/vegeta';

const script = join(__dirname, '../../../../bench/vegeta.sh');

describe('ingest bench: constant-rate load with vegeta', () => {
  it('every body is a new delivery of a new order: the run id and request number replace each __N__', () => {
    const bodies = webhookBodies('{"key":"bench-__N__","order":{"id":__N__}}', '4');
    expect([bodies.next().value, bodies.next().value, bodies.next().value]).to.deep.equal([
      '{"key":"bench-41","order":{"id":41}}',
      '{"key":"bench-42","order":{"id":42}}',
      '{"key":"bench-43","order":{"id":43}}',
    ]);
  });

  it('a JSON target is one line: header values as lists, the body in base64', () => {
    const line = jsonTarget('POST', 'http://127.0.0.1:1/w', { 'Content-Type': 'application/json', Authorization: 'Basic eDp5' }, '{"ü":1}');
    expect(line.endsWith('\n')).to.equal(true);
    expect(line.indexOf('\n')).to.equal(line.length - 1);
    expect(JSON.parse(line)).to.deep.equal({ method: 'POST', url: 'http://127.0.0.1:1/w', header: { 'Content-Type': ['application/json'], Authorization: ['Basic eDp5'] }, body: Buffer.from('{"ü":1}').toString('base64') });
  });

  it('answers by kind: 2xx are ok, any other code is non-2xx, code 0 (no answer) is an error', () => {
    const report = { status_codes: { '202': 10, '201': 1, '302': 1, '429': 2, '500': 1, '0': 3 } } as unknown as VegetaReport;
    expect(countAnswers(report)).to.deep.equal({ ok: 11, non2xx: 4, errors: 3 });
  });

  it('sends distinct webhooks evenly spread over the second, not in a burst (needs the built binary)', async function () {
    const found = spawnSync('bash', [script, 'path'], { encoding: 'utf8' });
    if (found.status !== 0) this.skip(); // `bash bench/vegeta.sh install` builds it (Go)
    this.timeout(15_000);
    const arrivals: number[] = [];
    const keys = new Set<string>();
    const server = createServer((req, res) => {
      arrivals.push(performance.now());
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        keys.add((JSON.parse(body) as { key: string }).key);
        res.writeHead(arrivals.length % 50 === 0 ? 500 : 202).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w`;
      function* targets(): Generator<string> {
        for (const body of webhookBodies('{"key":"k-__N__"}', '7')) yield jsonTarget('POST', url, { 'Content-Type': 'application/json' }, body);
      }
      const { report } = await attackAtConstantRate({ bin: found.stdout.trim(), rate: 200, durationSeconds: 1, targets: targets() });
      expect(report.requests).to.equal(200);
      expect(arrivals).to.have.length(200);
      expect(keys.size).to.equal(200);
      expect(countAnswers(report)).to.deep.equal({ ok: 196, non2xx: 4, errors: 0 });
      // 200/s is 10 per 50 ms; autocannon's overallRate would put all 200 into the first window
      const t0 = arrivals[0]!;
      const perWindow = new Map<number, number>();
      for (const t of arrivals) perWindow.set(Math.floor((t - t0) / 50), (perWindow.get(Math.floor((t - t0) / 50)) ?? 0) + 1);
      expect(Math.max(...perWindow.values())).to.be.at.most(25);
      expect(perWindow.size).to.be.at.least(18);
    } finally {
      server.close();
    }
  });
});
