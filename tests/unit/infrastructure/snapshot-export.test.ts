import { expect } from 'chai';
import type { StoredSnapshot } from '../../../src/application/period/period-stream';
import { csvSafeCell, snapshotCsv } from '../../../src/infrastructure/http/periods/snapshot-export';

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
