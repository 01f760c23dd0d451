import { once } from 'node:events';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { canonicalJson, sha256Hex } from '../../../src/application/shared/canonical-json';
import type { ErpExportCall } from '../../../src/application/ports/erp-gateway.port';
import type { ErpDocument } from '../../../src/domain/erp/erp-document';
import { NdjsonFileGateway } from '../../../src/infrastructure/erp/ndjson/ndjson-file.gateway';
import { NdjsonHttpGateway } from '../../../src/infrastructure/erp/ndjson/ndjson-http.gateway';
import { loadOpenApi } from '../../../src/infrastructure/http/openapi';
import { tempDir } from '../../support/temp-dir';

function doc(number: string, postingDate = '2024-05-02'): ErpDocument {
  return {
    documentType: 'invoice',
    documentNumber: number,
    revision: 0,
    status: 'open',
    orderReference: number.split('-')[0]!,
    postingDate,
    documentDate: postingDate,
    currency: 'EUR',
    pricesIncludeTax: false,
    totals: { net: '100.00', tax: '19.00', gross: '119.00' },
    lines: [{ lineNumber: 10000, kind: 'item', orderItemIds: ['1'], variantReferenceKey: 'A', erpItemNumber: 'I-A', quantity: '1', net: '100.00', tax: '19.00', gross: '119.00', taxCode: 'DE19', taxRate: '0.19', description: 'Variant A' }],
  };
}
const call = (d: ErpDocument, mayExist = false): ErpExportCall => ({ exportId: `x-${d.documentNumber}`, document: d, canonical: canonicalJson(d), mayExist, knownErpNumbers: [] });

/** Validates a value against the canonical ErpDocument schema of openapi/openapi.yaml (what /v1/ingest/erp/documents takes). */
function erpDocumentValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...loadOpenApi(), $id: 'urn:scayle-erp-ledger:export-spec' });
  return ajv.compile({ $ref: 'urn:scayle-erp-ledger:export-spec#/components/schemas/ErpDocument' });
}

describe('NDJSON export to a directory', () => {
  const dir = tempDir();
  after(() => dir.remove());

  it('writes one canonical ERP document per line, one file per posting period, each line valid JSON of the canonical schema', async () => {
    const gateway = new NdjsonFileGateway(join(dir.path, 'out'));
    const results = await gateway.exportDocuments([call(doc('901-INV1')), call(doc('902-INV1', '2024-06-01')), call(doc('903-INV1'))]);
    expect(results).to.deep.equal([
      { ok: true, receipt: { erpDocumentNumber: '901-INV1', readBack: false } },
      { ok: true, receipt: { erpDocumentNumber: '902-INV1', readBack: false } },
      { ok: true, receipt: { erpDocumentNumber: '903-INV1', readBack: false } },
    ]);
    expect(readdirSync(join(dir.path, 'out')).sort()).to.deep.equal(['erp-documents-2024-05.ndjson', 'erp-documents-2024-06.ndjson']);
    const may = readFileSync(join(dir.path, 'out', 'erp-documents-2024-05.ndjson'), 'utf8');
    expect(may.endsWith('\n')).to.equal(true);
    const lines = may.split('\n').filter(Boolean);
    expect(lines).to.have.length(2);
    const validate = erpDocumentValidator();
    for (const line of lines) {
      const parsed = JSON.parse(line) as ErpDocument;
      expect(validate(parsed), JSON.stringify(validate.errors)).to.equal(true);
      expect(canonicalJson(parsed), 'the line is canonical JSON').to.equal(line);
    }
    expect(sha256Hex(lines[0]!)).to.equal(sha256Hex(canonicalJson(doc('901-INV1'))));
  });

  it('a repeated attempt finds its line and writes nothing twice; a line cut short by a crash is closed before the next append', async () => {
    const gateway = new NdjsonFileGateway(join(dir.path, 'again'));
    await gateway.exportDocuments([call(doc('911-INV1'))]);
    const file = join(dir.path, 'again', 'erp-documents-2024-05.ndjson');
    appendFileSync(file, '{"documentType":"invoice","documentNu');
    const results = await gateway.exportDocuments([call(doc('911-INV1'), true), call(doc('912-INV1'), true)]);
    expect(results.map((r) => r.ok && r.receipt.readBack)).to.deep.equal([true, false]);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.filter((l) => l.includes('"911-INV1"'))).to.have.length(1);
    expect(lines.filter((l) => l.includes('"912-INV1"'))).to.have.length(1);
    expect(lines.filter(Boolean).map((l) => { try { return (JSON.parse(l) as ErpDocument).documentNumber; } catch { return 'torn'; } })).to.deep.equal(['911-INV1', 'torn', '912-INV1']);
  });

  it('reports an unwritable directory as a retriable I/O error', async () => {
    const blocker = join(dir.path, 'a-file');
    appendFileSync(blocker, 'x');
    const [r] = await new NdjsonFileGateway(join(blocker, 'sub')).exportDocuments([call(doc('921-INV1'))]);
    expect(!r!.ok && r!.error).to.deep.include({ status: 0, errorKey: 'io_error', retriable: true });
  });
});

describe('NDJSON export to an HTTP endpoint', () => {
  it('POSTs the batch as application/x-ndjson with an Idempotency-Key and takes the ERP numbers it answers', async () => {
    const seen: { headers: Record<string, unknown>; body: string }[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '3' } : {}) });
        res.end(JSON.stringify({ documents: [{ documentNumber: '931-INV1', erpDocumentNumber: 'SI-77' }] }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/import`;
      const gateway = new NdjsonHttpGateway({ url, token: 'hook-token', timeoutMs: 1000 });
      const results = await gateway.exportDocuments([call(doc('931-INV1')), call(doc('932-INV1'))]);
      expect(results.map((r) => r.ok && r.receipt.erpDocumentNumber)).to.deep.equal(['SI-77', '932-INV1']);
      expect(seen[0]!.headers).to.deep.include({ 'content-type': 'application/x-ndjson', authorization: 'Bearer hook-token' });
      expect(seen[0]!.headers['idempotency-key']).to.match(/^[0-9a-f]{64}$/);
      expect(seen[0]!.body).to.equal(`${canonicalJson(doc('931-INV1'))}\n${canonicalJson(doc('932-INV1'))}\n`);
      status = 503;
      const [failed] = await gateway.exportDocuments([call(doc('933-INV1'))]);
      expect(!failed!.ok && failed!.error).to.deep.include({ status: 503, retriable: true, retryAfterMs: 3000 });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
