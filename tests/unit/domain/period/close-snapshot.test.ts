import { expect } from 'chai';
import { buildCloseSnapshot } from '../../../../src/domain/period/close-snapshot';
import { subtractTotals } from '../../../../src/domain/period/post-close-adjustments';
import { diffJson } from '../../../../src/domain/period/snapshot-diff';

const SETTINGS = { timezone: 'Europe/Berlin', erpProfile: { level: 'per_document' as const, mode: 'half_up' as const, pricesIncludeTax: true } };

describe('close snapshot', () => {
  const base = {
    period: '2024-06',
    version: 1,
    timezone: 'Europe/Berlin',
    position: 42n,
    cutAt: '2024-07-02T08:00:00.000Z',
    rulesVersion: 'r1',
    policy: { settings: SETTINGS, mappings: { taxCodes: 0, items: 0 } },
    previousHash: null,
    close: { startedBy: 'finance:k1', blockingCodes: ['AMOUNT_MISMATCH'] },
    totals: { scayle: { EUR: { items: { gross: '119.00' } } }, erp: {}, psp: {} },
    counts: { orders: 2, byStatus: { drift: 1, matched: 1 }, byFindingCode: { AMOUNT_MISMATCH: 1, TAX_MISMATCH: 0 } },
  };
  const exception = (id: string, openedAt: string) => ({ exceptionId: id, code: 'AMOUNT_MISMATCH', owner: 'finance', severity: 'error', subject: 's', component: 'items', status: 'open', openedAt, explanation: 'x' });

  it('measures ages at the cut, sorts exceptions, fills every status and drops zero codes', () => {
    const s = buildCloseSnapshot({ ...base, openExceptions: [exception('b', '2024-07-01T08:00:00.000Z'), exception('a', '2024-07-02T07:59:59.500Z')] });
    expect(s.snapshotId).to.equal('2024-06-v1');
    expect(s.position).to.equal('42');
    expect(s.openExceptions.map((e) => [e.exceptionId, e.ageSeconds])).to.deep.equal([
      ['a', 0],
      ['b', 86400],
    ]);
    expect(s.counts.byStatus).to.deep.equal({ matched: 1, matched_with_rounding: 0, pending: 0, drift: 1 });
    expect(s.counts.byFindingCode).to.deep.equal({ AMOUNT_MISMATCH: 1 });
  });

  it('itemises differences as JSON paths with both values, exceptions matched by id', () => {
    const a = buildCloseSnapshot({ ...base, openExceptions: [exception('a', '2024-07-01T08:00:00.000Z'), exception('b', '2024-07-01T08:00:00.000Z')] });
    const b = JSON.parse(JSON.stringify(a)) as typeof a;
    b.totals.scayle.EUR!.items!.gross = '118.00';
    b.openExceptions.shift();
    expect(diffJson(a, b)).to.deep.equal([
      { path: '$.openExceptions[exceptionId="a"]', expected: a.openExceptions[0] },
      { path: '$.totals.scayle.EUR.items.gross', expected: '119.00', actual: '118.00' },
    ]);
    expect(diffJson(a, a)).to.deep.equal([]);
  });

  it('subtracts totals figure by figure, keeping only what changed', () => {
    expect(subtractTotals({ EUR: { items: { gross: '150.00', net: '126.05' }, shipping: { gross: '4.95' } } }, { EUR: { items: { gross: '119.00', net: '126.05' }, shipping: { gross: '4.95' } } })).to.deep.equal({
      EUR: { items: { gross: '31.00' } },
    });
  });
});
