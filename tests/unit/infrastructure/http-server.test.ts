import { expect } from 'chai';
import { IncomingMessage, ServerResponse } from 'node:http';
import express, { Router } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/infrastructure/http/app';
import { createExpressServer } from '../../../src/infrastructure/http/http-server';
import { createLogger } from '../../../src/infrastructure/logging/logger';

describe('HTTP server of an express app (createExpressServer)', () => {
  it("builds each request and response with the app's prototypes, so express changes no prototype; express's helpers and Node's classes still answer", async () => {
    const app = express();
    const seen: { reqProto: unknown; resProto: unknown; isRequest: boolean; isResponse: boolean; header: string | undefined }[] = [];
    app.get('/x', (req, res) => {
      seen.push({ reqProto: Object.getPrototypeOf(req), resProto: Object.getPrototypeOf(res), isRequest: req instanceof IncomingMessage, isResponse: res instanceof ServerResponse, header: req.get('x-probe') });
      res.status(201).json({ ok: true });
    });
    const before: unknown[] = [];
    const server = createExpressServer(app, (req, res) => {
      before.push(Object.getPrototypeOf(req), Object.getPrototypeOf(res)); // as Node built them, before express saw them
      app(req, res);
    });
    const res = await request(server).get('/x').set('X-Probe', 'p');
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.equal({ ok: true });
    expect(before).to.deep.equal([app.request, app.response]);
    expect(seen).to.deep.equal([{ reqProto: app.request, resProto: app.response, isRequest: true, isResponse: true, header: 'p' }]);
  });

  it('answers through the listener given (a wrapper around the app)', async () => {
    const app = express().get('/x', (_req, res) => res.json({ via: 'app' }));
    const server = createExpressServer(app, (req, res) => {
      res.setHeader('X-Wrapped', '1');
      app(req, res);
    });
    const res = await request(server).get('/x').expect(200);
    expect(res.headers['x-wrapped']).to.equal('1');
    expect(res.body).to.deep.equal({ via: 'app' });
  });

  it("req.log is one accessor on the requests' prototype, bound per request (no accessor of the request's own)", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const own: (PropertyDescriptor | undefined)[] = [];
    const routes = [
      {
        register(r: Router) {
          r.get('/log/:n', (req, res) => {
            own.push(Object.getOwnPropertyDescriptor(req, 'log'));
            req.log?.info({ n: req.params.n }, 'inside');
            res.json({});
          });
        },
      },
    ];
    const app = createApp({ logger, bodyLimit: '1mb', routes, healthChecks: [], version: 't' });
    const server = createExpressServer(app);
    await Promise.all([request(server).get('/log/1').set('X-Correlation-Id', 'c-1').expect(200), request(server).get('/log/2').set('X-Correlation-Id', 'c-2').expect(200)]);
    expect(own).to.deep.equal([undefined, undefined]);
    const inside = lines.filter((l) => l.msg === 'inside').map((l) => [l.n, l.correlationId, (l.req as { url: string }).url]);
    expect(inside).to.have.deep.members([
      ['1', 'c-1', '/log/1'],
      ['2', 'c-2', '/log/2'],
    ]);
  });
});
