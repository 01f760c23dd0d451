import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { StoredSnapshot } from '../../../src/application/period/period-stream';
import { csvSafeCell, snapshotCsv, snapshotXlsx } from '../../../src/infrastructure/http/periods/snapshot-export';

/** A snapshot whose texts come from the sources: an ERP document naming the order `=1+2`. */
function snapshotWith(orderId: string, explanation: string, overrideReason?: string): StoredSnapshot {
  return {
    snapshotId: '2024-06-v1',
    version: 1,
    hash: 'sha256:00',
    current: true,
    closedPosition: 9n,
    closed: {} as StoredSnapshot['closed'],
    snapshot: {
      period: '2024-06',
      position: '7',
      previousHash: null,
      cutAt: '2024-07-01T08:00:00.000Z',
      timezone: 'Europe/Berlin',
      rulesVersion: 'reconcile/test',
      close: {
        startedBy: 'finance:0123456789ab',
        blockingCodes: ['MISSING_IN_SCAYLE'],
        ...(overrideReason !== undefined ? { override: { reason: overrideReason, exceptions: [{ exceptionId: `order-unknown-${orderId}/MISSING_IN_SCAYLE/order/SI-1`, code: 'MISSING_IN_SCAYLE', subject: `order-unknown-${orderId}` }] } } : {}),
      },
      totals: { scayle: {}, erp: { EUR: { order: { gross: '-4.23', net: '-3.55', tax: '-0.68' } } }, psp: {} },
      counts: { orders: 1, byStatus: { drift: 1 }, byFindingCode: { MISSING_IN_SCAYLE: 1 } },
      openExceptions: [
        {
          exceptionId: `order-unknown-${orderId}/MISSING_IN_SCAYLE/order/SI-1`,
          code: 'MISSING_IN_SCAYLE',
          owner: 'finance',
          severity: 'error',
          subject: `order-unknown-${orderId}`,
          orderId,
          component: 'order',
          status: 'open',
          openedAt: '2024-06-30T10:00:00.000Z',
          ageSeconds: 60,
          delta: { currency: 'EUR', gross: '-4.23' },
          explanation,
        },
      ],
    } as unknown as StoredSnapshot['snapshot'],
  };
}

describe('close snapshot CSV export', () => {
  it('neutralises cells a spreadsheet would run as a formula (=, +, -, @) with a leading apostrophe', () => {
    for (const evil of ['=1+2', '+cmd|calc', '-2+3', '@SUM(A1)']) {
      const csv = snapshotCsv(snapshotWith(evil, `${evil} is not known`));
      const row = csv.split('\r\n').find((l) => l.startsWith('open_exception,order-unknown-'))!;
      expect(row, evil).to.include(`,'${evil},`);
      expect(csv, evil).to.include(`'${evil} is not known`);
    }
  });

  it('also neutralises a leading tab or carriage return, and never a number', () => {
    expect(csvSafeCell('\t=1')).to.equal("'\t=1");
    expect(csvSafeCell('\r=1')).to.equal("'\r=1");
    expect(csvSafeCell('-4.23')).to.equal('-4.23');
    expect(csvSafeCell('+7')).to.equal('+7');
    expect(csvSafeCell(-3)).to.equal(-3);
  });

  it('leaves money, dates and ordinary ids as they are (a negative amount is no formula)', () => {
    const csv = snapshotCsv(snapshotWith('20000210', 'ERP invoice SI-1 names order 20000210'));
    const lines = csv.split('\r\n');
    expect(lines).to.include('totals,erp,EUR,order,-4.23,-3.55,-0.68,');
    const row = lines.find((l) => l.startsWith('open_exception,order-unknown-'))!;
    expect(row).to.equal('open_exception,order-unknown-20000210/MISSING_IN_SCAYLE/order/SI-1,MISSING_IN_SCAYLE,finance,error,order-unknown-20000210,20000210,order,open,2024-06-30T10:00:00.000Z,60,EUR,-4.23,,,ERP invoice SI-1 names order 20000210');
  });

  it('says in its header block who closed the period and whether over blocking exceptions, and why', () => {
    const plain = snapshotCsv(snapshotWith('20000210', 'x')).split('\r\n');
    expect(plain).to.include.members(['# closed_by: finance:0123456789ab', '# override_reason: ', '# overridden_exceptions: 0']);
    const forced = snapshotCsv(snapshotWith('20000210', 'x', 'two orders under review\r\nwith the ERP team')).split('\r\n');
    expect(forced).to.include.members(['# closed_by: finance:0123456789ab', '# override_reason: two orders under review with the ERP team', '# overridden_exceptions: 1']);
  });
});

describe('close snapshot xlsx export', () => {
  /** The snapshot of {@link snapshotWith} with totals in EUR, JPY and KWD. */
  const multiCurrency = (): StoredSnapshot => {
    const s = snapshotWith('20000210', 'x');
    (s.snapshot as unknown as { totals: unknown }).totals = {
      scayle: { JPY: { order: { gross: '1234567', net: '1122334', tax: '112233' } }, KWD: { order: { gross: '-1.005', net: '0.100', tax: '12345678901.234' } } },
      erp: { EUR: { order: { gross: '-4.23', net: '-3.55', tax: '-0.68' } } },
      psp: { EUR: { order: { gross: '1234567890123.45', fee: '0.10' } } },
    };
    return s;
  };
  const load = async (s: StoredSnapshot) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await snapshotXlsx(s)) as unknown as ExcelJS.Buffer);
    return wb;
  };
  /** Cells of the Totals row of `side`/`currency`, by header name. */
  const totalsRow = (wb: ExcelJS.Workbook, side: string, cur: string): Record<string, ExcelJS.Cell> => {
    const ws = wb.getWorksheet('Totals')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    let found: ExcelJS.Row | undefined;
    ws.eachRow((row, n) => {
      if (n > 1 && row.getCell(1).value === side && row.getCell(2).value === cur) found = row;
    });
    expect(found, `${side} ${cur}`).to.not.equal(undefined);
    return Object.fromEntries(header.map((h, i) => [h, found!.getCell(i + 1)]));
  };
  const expectMoney = (cell: ExcelJS.Cell, value: number, numFmt: string) => {
    expect(cell.type, String(cell.address)).to.equal(ExcelJS.ValueType.Number);
    expect(cell.value, String(cell.address)).to.equal(value);
    expect(cell.numFmt, String(cell.address)).to.equal(numFmt);
  };

  it('writes money as numeric cells with the number format of the currency exponent', async () => {
    const wb = await load(multiCurrency());
    const eur = totalsRow(wb, 'erp', 'EUR');
    expectMoney(eur.gross!, -4.23, '#,##0.00');
    expectMoney(eur.net!, -3.55, '#,##0.00');
    expectMoney(eur.tax!, -0.68, '#,##0.00');
    expect(eur.fee!.value).to.equal('');
    const jpy = totalsRow(wb, 'scayle', 'JPY');
    expectMoney(jpy.gross!, 1234567, '#,##0');
    const kwd = totalsRow(wb, 'scayle', 'KWD');
    expectMoney(kwd.gross!, -1.005, '#,##0.000');
    expectMoney(kwd.net!, 0.1, '#,##0.000');
    expectMoney(kwd.tax!, 12345678901.234, '#,##0.000');
    const psp = totalsRow(wb, 'psp', 'EUR');
    expectMoney(psp.gross!, 1234567890123.45, '#,##0.00');
    expectMoney(psp.fee!, 0.1, '#,##0.00');
  });

  it('writes exception deltas as numeric cells in the delta currency', async () => {
    const ws = (await load(multiCurrency())).getWorksheet('Open exceptions')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    const cell = ws.getRow(2).getCell(header.indexOf('delta_gross') + 1);
    expectMoney(cell, -4.23, '#,##0.00');
    expect(ws.getRow(2).getCell(header.indexOf('delta_net') + 1).value).to.equal('');
  });

  it('keeps an amount of more than 15 significant digits as text rather than round it', async () => {
    const s = multiCurrency();
    (s.snapshot.totals as unknown as { erp: { EUR: { order: { gross: string } } } }).erp.EUR.order.gross = '12345678901234.56';
    const cell = totalsRow(await load(s), 'erp', 'EUR').gross!;
    expect(cell.type).to.equal(ExcelJS.ValueType.String);
    expect(cell.value).to.equal('12345678901234.56');
  });

  it('keeps the CSV as the exact decimal strings', () => {
    const lines = snapshotCsv(multiCurrency()).split('\r\n');
    expect(lines).to.include.members(['totals,scayle,KWD,order,-1.005,0.100,12345678901.234,', 'totals,scayle,JPY,order,1234567,1122334,112233,', 'totals,psp,EUR,order,1234567890123.45,,,0.10']);
  });
});
