/**
 * Text that is not well-formed Unicode is refused at the door (400 problem naming the field, nothing
 * appended, the service keeps serving): a lone UTF-16 surrogate in any string or key of a JSON body
 * (JSON lets `\ud800` be escaped), on every route, and a body whose bytes are not UTF-8 (JSON or
 * CSV). Before, a lone surrogate in an id reached uuid's v5 and answered 500 (`URIError: URI
 * malformed`), one in any other field was stored by SQLite as U+FFFD (not what was sent), and
 * invalid UTF-8 bytes were decoded to U+FFFD and accepted.
 */
import { gzipSync } from 'node:zlib';
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
const LONE = (unit: string) => `must be well-formed Unicode text: it holds a lone UTF-16 surrogate (U+${unit})`;
const CSV_HEADER = 'provider,batchId,batchCurrency,payoutDate,payoutAmount,lineId,type,paymentReference,gross,fee,net,currency,bookedAt';

describe('ingest and commands: text that is not well-formed Unicode', function () {
  this.timeout(30_000);
  const dir = tempDir();
  let service: LedgerService;
  let base: string;

  before(async () => {
    ({ service, base } = await startListeningService(dir.path, { ...INGEST_ENV, LEDGER_INGEST_RATE_LIMIT: '0' }));
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  /** Sends `body` (bytes as given) and answers the status and problem; asserts nothing was appended and the service still answers. */
  async function send(path: string, body: string | Buffer, authorization: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; problem: ProblemBody }> {
    const before = await head(service);
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/json', ...headers }, body });
    const text = await res.text();
    expect(await head(service), `${path}: nothing appended (${text})`).to.equal(before);
    expect((await fetch(`${base}/v1/health`)).status).to.equal(200);
    return { status: res.status, contentType: res.headers.get('content-type'), problem: JSON.parse(text) as ProblemBody };
  }

  describe('a lone surrogate (JSON escape) in any string or key of a JSON body: 400 naming its JSON path', () => {
    const bc = () => JSON.parse(fixtureText('business-central', 'sales-invoice.json')) as Record<string, unknown>;
    const cases: { name: string; path: string; auth: string; body: unknown; field: string; unit: string; message?: string }[] = [
      { name: 'ERP documentNumber (was a 500 from uuid v5)', path: DOCS, auth: bearer('integrator'), body: erpInvoice('UNI-\uD800x', '901'), field: 'documentNumber', unit: 'D800' },
      { name: 'ERP documentNumber, low surrogate', path: DOCS, auth: bearer('integrator'), body: erpInvoice('UNI-\uDC00x', '901'), field: 'documentNumber', unit: 'DC00' },
      { name: 'ERP orderReference (was stored as U+FFFD)', path: DOCS, auth: bearer('integrator'), body: erpInvoice('UNI-OR', '901', { orderReference: '901\uD800' }), field: 'orderReference', unit: 'D800' },
      { name: 'ERP array: a line taxCode of the second document', path: DOCS, auth: bearer('integrator'), body: [erpInvoice('UNI-A1', '901'), erpInvoice('UNI-A2', '901', { lines: [{ ...(erpInvoice('x', '1').lines as object[])[0], taxCode: 'VAT\uDC0019' }] })], field: '[1].lines[0].taxCode', unit: 'DC00' },
      { name: 'PSP batchId', path: PSP, auth: bearer('integrator'), body: { ...pspBatch('B-\uD800', '901') }, field: 'batchId', unit: 'D800' },
      { name: 'PSP lines[0].lineId', path: PSP, auth: bearer('integrator'), body: { ...pspBatch('B-UNI', '901'), lines: [{ ...(pspBatch('B', '901').lines as object[])[0], lineId: 'L\uDBFF' }] }, field: 'lines[0].lineId', unit: 'DBFF' },
      { name: 'Scayle webhook key', path: WEBHOOKS, auth: basicAuth(), body: localeEnvelope('wh-\uD800', 'order-confirmed', scayleFixture('OrderGetResponse.json')), field: 'key', unit: 'D800' },
      { name: 'Scayle webhook, deep in the payload', path: WEBHOOKS, auth: basicAuth(), body: localeEnvelope('wh-uni-2', 'order-confirmed', { ...scayleFixture('OrderGetResponse.json'), customer: { firstName: 'J\uDE00' } }), field: 'payload.customer.firstName', unit: 'DE00' },
      { name: 'Business Central number', path: BC_INVOICES, auth: bearer('integrator'), body: { ...bc(), number: 'SI-\uD800' }, field: 'number', unit: 'D800' },
      { name: 'period close override reason', path: '/v1/periods/2024-05/close', auth: bearer('finance'), body: { override: { reason: 'checked \uD800' } }, field: 'override.reason', unit: 'D800' },
      {
        name: 'a key of a webhook payload',
        path: WEBHOOKS,
        auth: basicAuth(),
        body: localeEnvelope('wh-uni-3', 'order-confirmed', { ...scayleFixture('OrderGetResponse.json'), 'x\uDC00': 1 }),
        field: 'payload.x\uFFFD',
        unit: 'DC00',
        message: 'is a key that is not well-formed Unicode text: it holds a lone UTF-16 surrogate (U+DC00)',
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        // JSON.stringify writes a lone surrogate as its escape (`\ud800`): the body bytes are valid UTF-8.
        const text = JSON.stringify(c.body);
        expect(text).to.match(/\\ud[89a-f][0-9a-f]{2}/);
        const { status, contentType, problem } = await send(c.path, text, c.auth);
        expect(status, JSON.stringify(problem)).to.equal(400);
        expect(contentType).to.match(/^application\/problem\+json/);
        expect(problem.type).to.equal('/problems/validation-error');
        expect(problem.errors).to.deep.equal([{ field: c.field, message: c.message ?? LONE(c.unit) }]);
      });
    }
  });

  describe('a body whose bytes are not UTF-8: 400 naming the body', () => {
    const refused = (problem: ProblemBody) => {
      expect(problem.type).to.equal('/problems/malformed-text');
      expect(problem.errors).to.deep.equal([{ field: 'body', message: 'is not valid UTF-8' }]);
    };
    it('JSON with the bytes FF FE in a string (was decoded to U+FFFD and accepted, 202)', async () => {
      const bytes = Buffer.from(JSON.stringify(erpInvoice('UNI-QQ', '901')));
      bytes.write('\xff\xfe', bytes.indexOf('QQ'), 'latin1');
      expect(bytes.includes(Buffer.from([0xff, 0xfe]))).to.equal(true);
      const { status, problem } = await send(DOCS, bytes, bearer('integrator'));
      expect(status, JSON.stringify(problem)).to.equal(400);
      refused(problem);
    });
    it('JSON with a surrogate encoded as UTF-8 bytes (ED A0 80: CESU-8, not UTF-8), on the webhook route', async () => {
      const [head1, tail] = JSON.stringify(localeEnvelope('wh-cesu-X', 'order-confirmed', scayleFixture('OrderGetResponse.json'))).split('X');
      const { status, problem } = await send(WEBHOOKS, Buffer.concat([Buffer.from(head1!), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(tail!)]), basicAuth());
      expect(status, JSON.stringify(problem)).to.equal(400);
      refused(problem);
    });
    it('a PSP CSV batch with a Latin-1 byte in a line id', async () => {
      const csv = Buffer.from(`${CSV_HEADER}\nadyen,B-CSV-UNI,EUR,2024-06-05,10.70,L\xff1,capture,tx-uni,13.90,3.20,10.70,EUR,2024-06-04T10:00:00Z\n`, 'latin1');
      const { status, problem } = await send(PSP, csv, bearer('integrator'), { 'Content-Type': 'text/csv' });
      expect(status, JSON.stringify(problem)).to.equal(400);
      refused(problem);
    });
  });

  describe('bodies the parser cannot take: a problem that says why', () => {
    it('a body sent as Content-Encoding: gzip that is not gzip data: 400 saying so and which encodings are read (was a bare 400)', async () => {
      const { status, problem } = await send(DOCS, JSON.stringify(erpInvoice('UNI-GZ', '901')), bearer('integrator'), { 'Content-Encoding': 'gzip' });
      expect(status).to.equal(400);
      expect(problem.type).to.equal('/problems/malformed-body');
      expect(problem.detail).to.equal('The request body could not be decompressed as its Content-Encoding (gzip) says. Send it uncompressed (identity) or compressed as gzip, deflate or br.');
      expect(problem.errors).to.deep.equal([{ field: 'Content-Encoding', message: 'does not match the body (not gzip data)' }]);
    });
    it('a gzip body that is gzip data is read (202)', async () => {
      const res = await fetch(`${base}${DOCS}`, { method: 'POST', headers: { Authorization: bearer('integrator'), 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: gzipSync(JSON.stringify(erpInvoice('UNI-GZ-OK', '901'))) });
      expect(res.status, await res.text()).to.equal(202);
    });
    it('an ERP array nested 65 deep: the depth error names where the limit was crossed', async () => {
      const { status, problem } = await send(DOCS, `${'['.repeat(65)}${']'.repeat(65)}`, bearer('integrator'));
      expect(status).to.equal(400);
      expect(problem.errors).to.deep.equal([{ field: '[0]'.repeat(64), message: 'nests objects and arrays more than 64 levels deep' }]);
    });
    it('an ERP array whose item is not an object names the item ([0]), not [0].body', async () => {
      const { status, problem } = await send(DOCS, `${'['.repeat(64)}${']'.repeat(64)}`, bearer('integrator'));
      expect(status).to.equal(400);
      expect(problem.errors).to.deep.equal([{ field: '[0]', message: 'must be a JSON object' }]);
    });
  });
});
