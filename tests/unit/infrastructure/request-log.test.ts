import { expect } from 'chai';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { constantHeaders, createApp } from '../../../src/infrastructure/http/app';
import { createLogger } from '../../../src/infrastructure/logging/logger';

describe('HTTP request log and security headers', () => {
  it('one line per request: req without the query, correlationId, res, responseTime; 5xx as "request errored"; req.log bound to the request; health not logged', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const routes = [
      {
        register(r: express.Router) {
          r.get('/x', (req, res) => {
            req.log?.info({ a: 1 }, 'inside');
            res.json({ ok: true });
          });
          r.get('/boom', (_req, res) => {
            res.status(503).json({});
          });
        },
      },
    ];
    const app = createApp({ logger, bodyLimit: '1mb', routes, healthChecks: [], version: 't' });
    await request(app).get('/x?secret=1').set('X-Correlation-Id', 'c-1').expect(200);
    await request(app).get('/boom').set('X-Correlation-Id', 'c-2').expect(503);
    await request(app).get('/v1/health').set('X-Correlation-Id', 'c-3');
    const strip = ({ time: _t, responseTime, ...rest }: Record<string, unknown>) => ({ ...rest, responseTime: typeof responseTime });
    expect(lines.map(strip)).to.deep.equal([
      { level: 'info', service: 'scayle-erp-ledger', req: { method: 'GET', url: '/x' }, correlationId: 'c-1', a: 1, msg: 'inside', responseTime: 'undefined' },
      { level: 'info', service: 'scayle-erp-ledger', req: { method: 'GET', url: '/x' }, correlationId: 'c-1', res: { statusCode: 200 }, responseTime: 'number', msg: 'request completed' },
      {
        level: 'info',
        service: 'scayle-erp-ledger',
        req: { method: 'GET', url: '/boom' },
        correlationId: 'c-2',
        res: { statusCode: 503 },
        err: (lines[2] as { err: unknown }).err,
        responseTime: 'number',
        msg: 'request errored',
      },
    ]);
    expect(lines[2]).to.have.nested.property('err.message', 'failed with status code 503');
  });

  it("constantHeaders sets exactly the headers helmet's own middleware sets", async () => {
    const viaHelmet = express().use(helmet()).get('/', (_req, res) => res.send('x'));
    const viaConstant = express().use(constantHeaders(helmet())).get('/', (_req, res) => res.send('x'));
    const [a, b] = await Promise.all([request(viaHelmet).get('/'), request(viaConstant).get('/')]);
    const strip = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'date' && k !== 'etag'));
    expect(strip(b.headers as Record<string, string>)).to.deep.equal(strip(a.headers as Record<string, string>));
    expect(b.headers).to.have.property('content-security-policy');
  });
});
