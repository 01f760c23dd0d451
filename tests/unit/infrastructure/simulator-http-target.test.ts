import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimRecord } from '../../../src/application/simulation/simulation.types';
import { postRecord } from '../../../src/infrastructure/simulator/http-target';

describe('simulator HTTP target', () => {
  let server: Server;
  let base: string;
  let answers: { status: number; headers?: Record<string, string> }[];
  let calls: number;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const a = answers[Math.min(calls, answers.length - 1)]!;
        calls++;
        res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) });
        res.end(JSON.stringify(a.status === 202 ? { status: 'accepted', position: '7' } : { title: 'Too Many Requests' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (calls = 0));

  const record: SimRecord = { kind: 'psp_settlement', body: '{}', deliverAt: 0, seq: 0 };
  const creds = { webhookAuth: 'Basic eDp5', apiKey: 'k' };

  it('waits out the ingest rate limit as Retry-After asks, past the 5xx retry budget, and delivers', async () => {
    answers = [...Array.from({ length: 6 }, () => ({ status: 429, headers: { 'retry-after': '0' } })), { status: 202 }];
    const res = await postRecord(base, creds, record);
    expect(res.status).to.equal(202);
    expect(calls).to.equal(7);
  });

  it('gives up on 429 once its patience is used up and answers the 429', async () => {
    answers = [{ status: 429, headers: { 'retry-after': '0' } }];
    const res = await postRecord(base, creds, record, 300);
    expect(res.status).to.equal(429);
    expect(calls).to.be.within(3, 5);
  });
});
