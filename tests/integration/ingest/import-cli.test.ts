import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { formatSummary, runImport } from '../../../src/infrastructure/cli/import.command';
import { DUPLICATE_KEY_MESSAGE } from '../../../src/infrastructure/http/json-body';
import { fixtureText, localeEnvelope, scayleFixture } from '../../support/ingest';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const BIN = join(__dirname, '../../../../bin/scayle-ledger.js');

describe('scayle-ledger import <file.ndjson>', function () {
  this.timeout(30_000);
  const dir = tempDir();
  const file = join(dir.path, 'backfill.ndjson');
  const lines = [
    { kind: 'psp_settlement', body: { provider: 'adyen', batchId: 'IMP-1', currency: 'EUR', payoutDate: '2024-06-05', payoutAmount: '11.52', lines: [{ lineId: 'L1', type: 'capture', paymentReference: 'tx-imp', orderId: '901', gross: '11.90', fee: '0.38', net: '11.52', currency: 'EUR', bookedAt: '2024-06-04T10:00:00Z' }] } },
    { kind: 'erp_document', body: { documentType: 'invoice', documentNumber: 'IMP-SI-1', revision: 0, status: 'posted', orderReference: '901', postingDate: '2024-06-03', documentDate: '2024-06-03', currency: 'EUR', pricesIncludeTax: false, totals: { net: '10.00', tax: '1.90', gross: '11.90' }, lines: [] } },
    { kind: 'scayle_webhook', body: localeEnvelope('imp-confirm-901', 'order-confirmed', scayleFixture('OrderGetResponse.json')) },
    { kind: 'erp_document', body: { documentNumber: 'BROKEN' } },
  ];
  const text = [...lines.map((l) => JSON.stringify(l)), `{"kind":"business_central_invoice","body":${fixtureText('business-central', 'sales-invoice.json').replace(/\n\s*/g, '')}}`, 'not json'].join('\n');

  before(() => writeFileSync(file, `${text}\n`));
  after(() => dir.remove());

  it('imports mixed records (order-independent), reports bad lines, and appends nothing on a re-run', async () => {
    const config = testConfig(dir.path);
    const reported: string[] = [];
    const first = await runImport(config, file, { progress: false, report: (l) => reported.push(l) });
    expect(first.scayle_webhook).to.deep.equal({ accepted: 1, duplicate: 0, failed: 0, rejected: 0 });
    expect(first.erp_document).to.deep.equal({ accepted: 1, duplicate: 0, failed: 0, rejected: 1 });
    expect(first.business_central_invoice).to.deep.equal({ accepted: 1, duplicate: 0, failed: 0, rejected: 0 });
    expect(first.psp_settlement).to.deep.equal({ accepted: 1, duplicate: 0, failed: 0, rejected: 0 });
    expect(first.unknown.rejected).to.equal(1);
    expect(reported).to.have.length(2);
    expect(reported[0]).to.match(/^line 4 \(erp_document\): Request validation failed: /);
    expect(reported[1]).to.match(/^line 6 \(unknown\): /);

    const store = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
    const headAfterFirst = await store.headPosition();
    const order = await store.readStream('order-msde-DE-901');
    // the PSP line and the ERP invoice arrived before the order: both joined its stream when it appeared
    expect(order.map((e) => e.type).sort()).to.deep.equal(['ErpInvoicePosted', 'ErpInvoicePosted', 'PspSettlementLineRecorded', 'ScayleOrderConfirmed']);
    await store.close();

    const second = await runImport(config, file, { progress: false, report: () => undefined });
    expect(second.scayle_webhook).to.deep.equal({ accepted: 0, duplicate: 1, failed: 0, rejected: 0 });
    expect(second.erp_document.duplicate).to.equal(1);
    expect(second.business_central_invoice.duplicate).to.equal(1);
    expect(second.psp_settlement.duplicate).to.equal(1);
    const again = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
    expect(await again.headPosition()).to.equal(headAfterFirst);
    await again.close();
    expect(formatSummary(second)).to.match(/^kind\s+accepted\s+duplicate\s+failed\s+rejected\n/);
  });

  it('runs as a command: prints the summary, exits 1 when a line was rejected', () => {
    const res = spawnSync(process.execPath, [BIN, 'import', file, '--json'], { env: { ...process.env, LEDGER_DATA_DIR: dir.path, LOG_LEVEL: 'silent' }, encoding: 'utf8' });
    expect(res.status).to.equal(1);
    const summary = JSON.parse(res.stdout) as Record<string, { duplicate: number; rejected: number }>;
    expect(summary.scayle_webhook!.duplicate).to.equal(1);
    expect(summary.unknown!.rejected).to.equal(1);
  });
});

describe('scayle-ledger import: amounts beyond the currency scale', function () {
  this.timeout(30_000);
  const dir = tempDir();
  after(() => dir.remove());

  it('a byte order mark may start the file; a line giving a key twice is rejected naming the key, whether or not the values are equal (lossless-json took equal ones)', async () => {
    const sub = tempDir();
    try {
      const doc = (n: string) => JSON.stringify({ kind: 'erp_document', body: { documentType: 'invoice', documentNumber: n, revision: 0, status: 'posted', orderReference: '902', postingDate: '2024-06-03', documentDate: '2024-06-03', currency: 'EUR', pricesIncludeTax: false, totals: { net: '10.00', tax: '1.90', gross: '11.90' }, lines: [] } });
      const bomFile = join(sub.path, 'bom.ndjson');
      writeFileSync(
        bomFile,
        `\uFEFF${[doc('BOM-1'), doc('DUP-SAME').replace('"currency":"EUR"', '"currency":"EUR","currency":"EUR"'), doc('DUP-DIFF').replace('"currency":"EUR"', '"currency":"EUR","currency":"CHF"'), doc('BOM-2')].join('\n')}\n`,
      );
      const reported: string[] = [];
      const summary = await runImport(testConfig(sub.path), bomFile, { progress: false, report: (l) => reported.push(l) });
      expect(summary.erp_document).to.deep.equal({ accepted: 2, duplicate: 0, failed: 0, rejected: 2 });
      expect(reported).to.deep.equal([
        `line 2 (erp_document): Request validation failed: body.currency ${DUPLICATE_KEY_MESSAGE}`,
        `line 3 (erp_document): Request validation failed: body.currency ${DUPLICATE_KEY_MESSAGE}`,
      ]);
      // the mark before a first line that is refused: its kind is still told
      const markedFile = join(sub.path, 'bom-dup.ndjson');
      writeFileSync(markedFile, `\uFEFF${doc('DUP-FIRST').replace('"currency":"EUR"', '"currency":"EUR","currency":"EUR"')}\n`);
      const marked: string[] = [];
      expect((await runImport(testConfig(sub.path), markedFile, { progress: false, report: (l) => marked.push(l) })).erp_document.rejected).to.equal(1);
      expect(marked).to.deep.equal([`line 1 (erp_document): Request validation failed: body.currency ${DUPLICATE_KEY_MESSAGE}`]);
    } finally {
      sub.remove();
    }
  });

  it('rejects a line whose amounts carry zeros beyond the scale ("11.680" EUR, "5.000" CHF), naming the field; nothing of it is appended', async () => {
    const file = join(dir.path, 'zeros.ndjson');
    const document = { documentType: 'invoice', documentNumber: 'IMP-Z-1', revision: 0, status: 'posted', orderReference: '901', postingDate: '2024-06-03', documentDate: '2024-06-03', currency: 'EUR', pricesIncludeTax: false, totals: { net: '11.680', tax: '2.22', gross: '13.90' }, lines: [] };
    const settlement = { provider: 'adyen', batchId: 'IMP-Z-2', currency: 'CHF', payoutAmount: '5.000', payoutDate: '2024-06-05', lines: [{ lineId: 'L1', type: 'capture', paymentReference: 'tx-z', gross: '5.00', fee: '0.00', net: '5.00', currency: 'CHF', bookedAt: '2024-06-04T10:00:00Z' }] };
    writeFileSync(file, `${JSON.stringify({ kind: 'erp_document', body: document })}\n${JSON.stringify({ kind: 'psp_settlement', body: settlement })}\n`);
    const reported: string[] = [];
    const summary = await runImport(testConfig(dir.path), file, { progress: false, report: (l) => reported.push(l) });
    expect(summary.erp_document).to.deep.equal({ accepted: 0, duplicate: 0, failed: 0, rejected: 1 });
    expect(summary.psp_settlement).to.deep.equal({ accepted: 0, duplicate: 0, failed: 0, rejected: 1 });
    expect(reported).to.deep.equal([
      'line 1 (erp_document): Invalid request: totals.net 11.680 has more decimals than EUR allows (2): write it as 11.68',
      'line 2 (psp_settlement): Invalid request: payoutAmount 5.000 has more decimals than CHF allows (2): write it as 5.00',
    ]);
    const store = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
    expect(await store.headPosition()).to.equal(0n);
    await store.close();
  });
});

describe('scayle-ledger import: text that is not well-formed Unicode', function () {
  this.timeout(30_000);
  const dir = tempDir();
  after(() => dir.remove());

  it('rejects a line with a lone surrogate in an id or any other field, naming the field (was a bare "URI malformed"); nothing of it is appended', async () => {
    const file = join(dir.path, 'surrogates.ndjson');
    const document = { documentType: 'invoice', documentNumber: 'UNI-\uD800x', revision: 0, status: 'posted', orderReference: '901', postingDate: '2024-06-03', documentDate: '2024-06-03', currency: 'EUR', pricesIncludeTax: false, totals: { net: '10.00', tax: '1.90', gross: '11.90' }, lines: [] };
    const settlement = { provider: 'adyen', batchId: 'IMP-U-2', currency: 'EUR', payoutAmount: '5.00', payoutDate: '2024-06-05', lines: [{ lineId: 'L\uDC00', type: 'capture', paymentReference: 'tx-u', gross: '5.00', fee: '0.00', net: '5.00', currency: 'EUR', bookedAt: '2024-06-04T10:00:00Z' }] };
    const bc = JSON.parse(fixtureText('business-central', 'sales-invoice.json')) as Record<string, unknown>;
    writeFileSync(file, [{ kind: 'erp_document', body: document }, { kind: 'psp_settlement', body: settlement }, { kind: 'business_central_invoice', body: { ...bc, number: 'SI-\uD800' } }].map((l) => JSON.stringify(l)).join('\n'));
    const reported: string[] = [];
    const summary = await runImport(testConfig(dir.path), file, { progress: false, report: (l) => reported.push(l) });
    expect(summary.erp_document).to.deep.equal({ accepted: 0, duplicate: 0, failed: 0, rejected: 1 });
    expect(summary.psp_settlement).to.deep.equal({ accepted: 0, duplicate: 0, failed: 0, rejected: 1 });
    expect(summary.business_central_invoice).to.deep.equal({ accepted: 0, duplicate: 0, failed: 0, rejected: 1 });
    expect(reported).to.deep.equal([
      'line 1 (erp_document): Request validation failed: documentNumber must be well-formed Unicode text: it holds a lone UTF-16 surrogate (U+D800)',
      'line 2 (psp_settlement): Request validation failed: lines[0].lineId must be well-formed Unicode text: it holds a lone UTF-16 surrogate (U+DC00)',
      'line 3 (business_central_invoice): Request validation failed: number must be well-formed Unicode text: it holds a lone UTF-16 surrogate (U+D800)',
    ]);
    const store = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
    expect(await store.headPosition()).to.equal(0n);
    await store.close();
  });

  it('rejects a line whose bytes are not UTF-8, with its line number (was decoded to U+FFFD and imported); the lines around it are imported', async () => {
    const sub = tempDir();
    try {
      const file = join(sub.path, 'bytes.ndjson');
      const settlement = (batchId: string, lineId: string) => ({ provider: 'adyen', batchId, currency: 'EUR', payoutAmount: '5.00', payoutDate: '2024-06-05', lines: [{ lineId, type: 'capture', paymentReference: `tx-${batchId}`, gross: '5.00', fee: '0.00', net: '5.00', currency: 'EUR', bookedAt: '2024-06-04T10:00:00Z' }] });
      const line = (batchId: string, lineId: string) => Buffer.from(JSON.stringify({ kind: 'psp_settlement', body: settlement(batchId, lineId) }));
      // Line 2 holds the Latin-1 byte E9 (not UTF-8); line 3 the CESU-8 bytes of a surrogate (ED A0 80); line 4 the same text as UTF-8 (C3 A9).
      const latin1 = Buffer.from(JSON.stringify({ kind: 'psp_settlement', body: settlement('IMP-B-2', 'L\u00e9') }), 'latin1');
      const [cesuHead, cesuTail] = line('IMP-B-3', 'LX').toString('utf8').split('LX');
      const cesu = Buffer.concat([Buffer.from(`${cesuHead}L`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(cesuTail!)]);
      writeFileSync(file, Buffer.concat([line('IMP-B-1', 'L1'), Buffer.from('\n'), latin1, Buffer.from('\r\n'), cesu, Buffer.from('\n'), line('IMP-B-4', 'L\u00e9'), Buffer.from('\n')]));
      const reported: string[] = [];
      const summary = await runImport(testConfig(sub.path), file, { progress: false, report: (l) => reported.push(l) });
      expect(reported).to.deep.equal(['line 2 (psp_settlement): Malformed text: line is not valid UTF-8', 'line 3 (psp_settlement): Malformed text: line is not valid UTF-8']);
      expect(summary.psp_settlement).to.deep.equal({ accepted: 2, duplicate: 0, failed: 0, rejected: 2 });
      const store = new SqliteEventStore({ filename: join(sub.path, 'events.db') });
      const batches: string[] = [];
      for await (const e of store.readAll()) if (e.type === 'PspSettlementBatchRecorded') batches.push((e.data as { batch: { batchId: string; lines: { lineId: string }[] } }).batch.batchId);
      await store.close();
      expect(batches.filter((b) => b.startsWith('IMP-B')).sort()).to.deep.equal(['IMP-B-1', 'IMP-B-4']);
    } finally {
      sub.remove();
    }
  });
});
