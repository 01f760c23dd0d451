import { expect } from 'chai';
import { applyContribution, emptySummary } from '../../../src/projections/period-summary';

describe('period summary figures', () => {
  const totals = (gross: string) => ({ scayle: { EUR: { items: { gross, net: '0.00', tax: '0.00' } } }, erp: {}, psp: {} });
  it('adds and takes out contributions exactly on the currency scale, and back to zero', () => {
    const c1 = { period: '2024-05', status: 'matched', findingCodes: [], totals: totals('0.10') };
    const c2 = { period: '2024-05', status: 'matched', findingCodes: [], totals: totals('0.20') };
    const both = applyContribution(applyContribution(emptySummary('2024-05'), c1 as never, 1), c2 as never, 1);
    expect((both.totals.scayle as Record<string, Record<string, Record<string, string>>>).EUR!.items!.gross).to.equal('0.30');
    const less = applyContribution(both, { ...c1, totals: totals('12345678901.99') } as never, -1);
    expect((less.totals.scayle as Record<string, Record<string, Record<string, string>>>).EUR!.items!.gross).to.equal('-12345678901.69');
    const jpy = applyContribution(emptySummary('2024-05'), { ...c1, totals: { scayle: { JPY: { items: { gross: '1500' } } }, erp: {}, psp: {} } } as never, -1);
    expect((jpy.totals.scayle as Record<string, Record<string, Record<string, string>>>).JPY!.items!.gross).to.equal('-1500');
  });

  it('takes a figure off the scale through exact Money arithmetic, as before', () => {
    const c = { period: '2024-05', status: 'matched', findingCodes: [], totals: totals('1.50') };
    const start = { ...emptySummary('2024-05'), totals: { scayle: { EUR: { items: { gross: '1.2500' } } }, erp: {}, psp: {} } };
    const out = applyContribution(start as never, c as never, 1);
    expect((out.totals.scayle as Record<string, Record<string, Record<string, string>>>).EUR!.items!.gross).to.equal('2.75');
  });
});
