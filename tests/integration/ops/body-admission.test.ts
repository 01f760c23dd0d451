/**
 * What is decided about a request body from its headers, before a byte of it is read: a declared
 * charset other than UTF-8 (RFC 8259 §8.1) is a 415, a `Content-Encoding` the service does not
 * decompress a 415 naming those it does, and a `Content-Length` over `LEDGER_BODY_LIMIT` a 413 sent
 * at once with `Connection: close`. Before, a UTF-16 or Latin-1 body was decoded as declared and
 * taken (Business Central routes read it as UTF-8 regardless), an unknown encoding was a 415 saying
 * only "Unsupported body encoding or charset.", and a body declared too large was read to its end
 * before the 413. Each test sends headers and at most a few bytes where "before reading" matters:
 * an answer that waits for the rest of the body never comes, and the test fails on its timeout.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'chai';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, fixtureText, head, INGEST_ENV, localeEnvelope, scayleFixture } from '../../support/ingest';
import { erpInvoice, pspBatch } from '../../support/ops';
import { startListeningService, type ProblemBody } from '../../support/listening-service';
import { tempDir } from '../../support/temp-dir';

const DOCS = '/v1/ingest/erp/documents';
const PSP = '/v1/ingest/psp/settlements';
const WEBHOOKS = '/v1/ingest/scayle/webhooks';
const BC_INVOICES = '/v1/ingest/erp/business-central/sales-invoices';
const LIMIT = 64 * 1024;
const CSV_HEADER = 'provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,gross,fee,net,currency,bookedAt';
const csvBatch = (batchId: string, lineId: string) => `${CSV_HEADER}\nadyen,${batchId},EUR,2024-06-05,10.70,${lineId},capture,tx-${batchId},13.90,3.20,10.70,EUR,2024-06-04T10:00:00Z\n`;
const UTF8_ONLY = (charset: string) => `The request body must be UTF-8 (RFC 8259 §8.1 for JSON): send it UTF-8 encoded, with charset=utf-8 or no charset parameter; charset ${charset} is not taken.`;
const ENCODINGS_DETAIL = (coding: string) => `Content-Encoding ${coding} is not supported: send the body uncompressed (identity) or compressed as gzip, deflate or br (one coding).`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  problem: ProblemBody;
  /** Whether the server closed the connection after answering (the rest of the upload is not received). */
  closed: boolean;
}

describe('request bodies: what the headers decide before the body is read', function () {
  this.timeout(30_000);
  const dir = tempDir();
  let service: LedgerService;
  let port: number;

  before(async () => {
    ({ service, port } = await startListeningService(dir.path, { ...INGEST_ENV, LEDGER_INGEST_RATE_LIMIT: '0', LEDGER_BODY_LIMIT: '64kb' }));
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  /**
   * Sends the headers and `sent` (all of the body, or its first bytes when `headers` announce more)
   * and never the rest: resolves with the answer, or fails when none comes within 3 s (the server
   * waits for a body that will not come).
   */
  function exchange(path: string, headers: Record<string, string | number>, sent: Buffer | string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers, agent: false });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`${path}: no answer within 3 s — the server is waiting for the rest of the body`));
      }, 3_000);
      let settled = false;
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const socket = req.socket;
          const finish = (closed: boolean) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            req.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, problem: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProblemBody, closed });
          };
          if (!socket || socket.destroyed || socket.readableEnded) finish(true);
          else {
            socket.once('end', () => finish(true));
            socket.once('close', () => finish(true));
            setTimeout(() => finish(false), 500);
          }
        });
      });
      // Writing the rest fails once the server has closed: that is the point, not an error of the test.
      req.on('error', (err) => {
        if (!settled && (err as NodeJS.ErrnoException).code !== 'EPIPE' && (err as NodeJS.ErrnoException).code !== 'ECONNRESET') {
          settled = true;
          clearTimeout(timer);
          reject(err);
        }
      });
      req.write(sent);
      if (Number(headers['Content-Length']) === Buffer.byteLength(sent)) req.end();
    });
  }

  /** {@link exchange} of a whole body; asserts nothing was appended and the service still answers. */
  async function send(path: string, headers: Record<string, string>, body: Buffer | string): Promise<Answer> {
    const before = await head(service);
    const answer = await exchange(path, { ...headers, 'Content-Length': Buffer.byteLength(body) }, body);
    expect(await head(service), `${path}: nothing appended`).to.equal(before);
    expect((await fetch(`http://127.0.0.1:${port}/v1/health`)).status).to.equal(200);
    return answer;
  }

  const refusedCharset = (a: Answer, charset: string) => {
    expect(a.status, JSON.stringify(a.problem)).to.equal(415);
    expect(a.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(a.problem.type).to.equal('/problems/unsupported-media-type');
    expect(a.problem.detail).to.equal(UTF8_ONLY(charset));
    expect(a.problem.errors).to.deep.equal([{ field: 'Content-Type', message: `charset must be utf-8 (or absent), not ${charset}` }]);
  };

  describe('a declared charset other than UTF-8: 415 before the body is read (RFC 8259 §8.1)', () => {
    it('canonical ERP document as UTF-16LE (was decoded and taken, 202)', async () => {
      const body = Buffer.from(JSON.stringify(erpInvoice('CS-UTF16', '901')), 'utf16le');
      refusedCharset(await send(DOCS, { Authorization: bearer('integrator'), 'Content-Type': 'application/json; charset=utf-16le' }, body), 'utf-16le');
    });
    it('Business Central invoice as UTF-16LE (its route read the raw bytes as UTF-8)', async () => {
      const body = Buffer.from(fixtureText('business-central', 'sales-invoice.json'), 'utf16le');
      refusedCharset(await send(BC_INVOICES, { Authorization: bearer('integrator'), 'Content-Type': 'application/json; charset=UTF-16LE' }, body), 'utf-16le');
    });
    it('Scayle webhook declared latin1 (was a 415 saying only "Unsupported body encoding or charset.")', async () => {
      const body = JSON.stringify(localeEnvelope('cs-latin1', 'order-confirmed', scayleFixture('OrderGetResponse.json')));
      refusedCharset(await send(WEBHOOKS, { Authorization: basicAuth(), 'Content-Type': 'application/json; charset=latin1' }, body), 'latin1');
    });
    it('PSP CSV batch as ISO-8859-1 (was decoded as Latin-1 and taken, 202)', async () => {
      const body = Buffer.from(csvBatch('B-CS-LATIN1', 'L\u00e91'), 'latin1');
      refusedCharset(await send(PSP, { Authorization: bearer('integrator'), 'Content-Type': 'text/csv; charset=iso-8859-1' }, body), 'iso-8859-1');
    });
    it('PSP JSON batch declared utf8 (no hyphen: not the registered name)', async () => {
      refusedCharset(await send(PSP, { Authorization: bearer('integrator'), 'Content-Type': 'application/json; charset=utf8' }, JSON.stringify(pspBatch('B-CS-UTF8', '901'))), 'utf8');
    });
    it('a charset given twice, utf-8 first (the parser may read either): 415 naming the other', async () => {
      const body = Buffer.from(JSON.stringify(erpInvoice('CS-TWICE', '901')), 'utf16le');
      refusedCharset(await send(DOCS, { Authorization: bearer('integrator'), 'Content-Type': 'application/json; charset=utf-8; charset=utf-16le' }, body), 'utf-16le');
    });
    it('the answer comes before the body: 10 bytes of a 60,000-byte UTF-16 body sent', async () => {
      const a = await exchange(DOCS, { Authorization: bearer('integrator'), 'Content-Type': 'application/json; charset=utf-16le', 'Content-Length': 60_000 }, Buffer.from('{"a":', 'utf16le'));
      refusedCharset(a, 'utf-16le');
    });
    it('charset=UTF-8 (any case, quoted or not) and no charset are taken: 202', async () => {
      const cases: [string, string, string | Buffer][] = [
        [DOCS, 'application/json; charset=UTF-8', JSON.stringify(erpInvoice('CS-OK-1', '901'))],
        [DOCS, 'application/json;charset="utf-8"', JSON.stringify(erpInvoice('CS-OK-2', '901'))],
        [DOCS, 'application/json', JSON.stringify(erpInvoice('CS-OK-3', '901'))],
        [PSP, 'text/csv; charset=utf-8', csvBatch('B-CS-OK-1', 'L\u00e91')],
        [PSP, 'text/csv', csvBatch('B-CS-OK-2', 'L1')],
      ];
      for (const [path, type, body] of cases) {
        const a = await exchange(path, { Authorization: bearer('integrator'), 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }, body);
        expect(a.status, `${type}: ${JSON.stringify(a.problem)}`).to.equal(202);
      }
    });
  });

  describe('a Content-Encoding the service does not decompress: 415 naming those it does and the one refused', () => {
    for (const coding of ['compress', 'zstd', 'gzip, br']) {
      it(`Content-Encoding: ${coding}`, async () => {
        const a = await send(DOCS, { Authorization: bearer('integrator'), 'Content-Type': 'application/json', 'Content-Encoding': coding }, JSON.stringify(erpInvoice('CE-1', '901')));
        expect(a.status).to.equal(415);
        expect(a.problem.type).to.equal('/problems/unsupported-media-type');
        expect(a.problem.detail).to.equal(ENCODINGS_DETAIL(coding));
        expect(a.problem.errors).to.deep.equal([{ field: 'Content-Encoding', message: `must be identity, gzip, deflate or br, not ${coding}` }]);
      });
    }
    it('on the CSV route too', async () => {
      const a = await send(PSP, { Authorization: bearer('integrator'), 'Content-Type': 'text/csv', 'Content-Encoding': 'x-foo' }, csvBatch('B-CE', 'L1'));
      expect(a.status).to.equal(415);
      expect(a.problem.detail).to.equal(ENCODINGS_DETAIL('x-foo'));
    });
  });

  describe('a Content-Length over LEDGER_BODY_LIMIT: 413 at once, the connection closed', () => {
    const refusedSize = (a: Answer, length: number) => {
      expect(a.status, JSON.stringify(a.problem)).to.equal(413);
      expect(a.problem.type).to.equal('/problems/payload-too-large');
      expect(a.problem.detail).to.equal(`The request body (Content-Length ${length} bytes) exceeds the limit of ${LIMIT} bytes (LEDGER_BODY_LIMIT); it was not read.`);
      expect(a.problem.errors).to.deep.equal([{ field: 'Content-Length', message: `must be at most ${LIMIT}` }]);
      expect(a.headers.connection).to.equal('close');
      expect(a.closed, 'the server closes the connection instead of receiving the rest').to.equal(true);
    };
    it('ERP documents: 10 MB announced, 1 KB sent (was read to the end before the 413)', async () => {
      refusedSize(await exchange(DOCS, { Authorization: bearer('integrator'), 'Content-Type': 'application/json', 'Content-Length': 10_000_000 }, Buffer.alloc(1024, 0x20)), 10_000_000);
    });
    it('the webhook route with valid Basic credentials, and the CSV route', async () => {
      refusedSize(await exchange(WEBHOOKS, { Authorization: basicAuth(), 'Content-Type': 'application/json', 'Content-Length': 10_000_000 }, Buffer.alloc(1024, 0x20)), 10_000_000);
      refusedSize(await exchange(PSP, { Authorization: bearer('integrator'), 'Content-Type': 'text/csv', 'Content-Length': LIMIT + 1 }, Buffer.from(CSV_HEADER)), LIMIT + 1);
    });
    it('nothing appended, and the service keeps serving', async () => {
      const before = await head(service);
      refusedSize(await exchange(DOCS, { Authorization: bearer('integrator'), 'Content-Type': 'application/json', 'Content-Length': 50_000_000 }, Buffer.alloc(1024, 0x20)), 50_000_000);
      expect(await head(service)).to.equal(before);
      expect((await fetch(`http://127.0.0.1:${port}/v1/health`)).status).to.equal(200);
    });
    it('without credentials it is still the 401 first', async () => {
      const a = await exchange(DOCS, { 'Content-Type': 'application/json', 'Content-Length': 10_000_000 }, Buffer.alloc(1024, 0x20));
      expect(a.status).to.equal(401);
    });
    it('a body of exactly the limit is read (400 for what it holds, not 413); a chunked body over it keeps the streaming 413', async () => {
      const exact = await send(DOCS, { Authorization: bearer('integrator'), 'Content-Type': 'application/json' }, `{"pad":"${'x'.repeat(LIMIT - 10)}"}`);
      expect(exact.status, JSON.stringify(exact.problem)).to.equal(400);
      const chunked = await fetch(`http://127.0.0.1:${port}${DOCS}`, {
        method: 'POST',
        headers: { Authorization: bearer('integrator'), 'Content-Type': 'application/json' },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`{"pad":"${'x'.repeat(LIMIT)}"}`));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).to.equal(413);
      const problem = (await chunked.json()) as ProblemBody;
      expect(problem.type).to.equal('/problems/payload-too-large');
      expect(problem.detail).to.equal(`The request body exceeds the limit of ${LIMIT} bytes (LEDGER_BODY_LIMIT) once read (sent without a Content-Length, or compressed); nothing of it was recorded.`);
      expect(problem.errors).to.deep.equal([{ field: 'body', message: `must be at most ${LIMIT} bytes (decompressed)` }]);
    });
  });
});
