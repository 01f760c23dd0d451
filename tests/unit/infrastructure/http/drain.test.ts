import { once } from 'node:events';
import { Agent, createServer, IncomingMessage, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { HttpDrain } from '../../../../src/infrastructure/http/drain';

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  reusedSocket: boolean;
}

function get(port: number, agent: Agent, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end('{"amount":"1.00"}');
  });
}

describe('HttpDrain (graceful stop of the HTTP server)', () => {
  let server: Server;
  let agent: Agent;
  let served: string[];
  let release: (() => void) | undefined;
  let arrived: (() => void) | undefined;
  const drain = () => new HttpDrain(7);
  let current: HttpDrain;

  beforeEach(async () => {
    served = [];
    current = drain();
    server = createServer(
      current.listener((req, res) => {
        served.push(req.url!);
        const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('served');
        if (req.url === '/slow') {
          release = answer;
          arrived?.();
        } else if (req.url === '/stream') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('part ');
          release = () => res.end('end');
          arrived?.();
        } else answer();
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  });

  afterEach(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a request on a kept-alive connection after begin() is a 503 problem with Retry-After and Connection: close; the app never sees it', async () => {
    const port = (server.address() as AddressInfo).port;
    const first = await get(port, agent, '/v1/ingest/scayle/webhooks');
    expect(first).to.include({ status: 200, body: 'served' });
    expect(first.headers.connection).to.equal('keep-alive');

    current.begin();
    const second = await get(port, agent, '/v1/ingest/scayle/webhooks?x=1');
    expect(second.reusedSocket, 'sent on the kept-alive connection').to.equal(true);
    expect(second.status).to.equal(503);
    expect(second.headers['content-type']).to.equal('application/problem+json');
    expect(second.headers['retry-after']).to.equal('7');
    expect(second.headers.connection).to.equal('close');
    expect(JSON.parse(second.body)).to.deep.equal({
      type: '/problems/shutting-down',
      title: 'The service is shutting down',
      status: 503,
      detail: 'This instance is stopping and serves no new requests; send the request again in 7 s (on a new connection). Nothing of it was recorded.',
      instance: '/v1/ingest/scayle/webhooks',
    });
    expect(served).to.deep.equal(['/v1/ingest/scayle/webhooks']);
    expect(current.inFlightCount).to.equal(0);
  });

  it('a request in flight when begin() is called is served to the end, with Connection: close', async () => {
    const port = (server.address() as AddressInfo).port;
    const inApp = new Promise<void>((resolve) => (arrived = resolve));
    const answer = get(port, agent, '/slow');
    await inApp;
    expect(current.inFlightCount).to.equal(1);
    current.begin();
    expect(current.isDraining).to.equal(true);
    release!();
    const slow = await answer;
    expect(slow).to.include({ status: 200, body: 'served' });
    expect(slow.headers.connection).to.equal('close');
    expect(served).to.deep.equal(['/slow']);
  });

  it('a request in flight whose headers went out before begin() has its connection ended once answered; a second connection is tracked apart', async () => {
    const port = (server.address() as AddressInfo).port;
    const other = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, other, '/warm')).to.include({ status: 200 }); // an idle kept-alive connection
      const inApp = new Promise<void>((resolve) => (arrived = resolve));
      const closed = new Promise<boolean>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/stream', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => req.socket!.once('close', () => resolve(true)));
        });
        req.end('{}');
      });
      await inApp;
      expect(current.inFlightCount).to.equal(1);
      current.begin();
      release!();
      expect(await closed).to.equal(true);
      expect(current.inFlightCount).to.equal(0);
    } finally {
      other.destroy();
    }
  });
});
