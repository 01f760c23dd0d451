import { expect } from 'chai';
import { amountValue, decimalValue, describeDifferences, instantValue, valueDifferences, type LeafReading } from '../../../../src/application/shared/value-comparison';

describe('value comparison of re-sent source records (value-comparison)', () => {
  it('decimals that are no money compare by value: 0.190 = 0.19, 01 = 1 = 1.0, 1.10 = 1.1; other values stay different', () => {
    expect(decimalValue('0.190')).to.equal(decimalValue('0.19'));
    expect(decimalValue('01')).to.equal('1');
    expect(decimalValue('1.0')).to.equal('1');
    expect(decimalValue('1.10')).to.equal('1.1');
    expect(decimalValue('-0.00')).to.equal('0');
    expect(decimalValue('0.1900001')).to.not.equal(decimalValue('0.19'));
    expect(decimalValue('12345678901234567890.12345678901234567890')).to.equal('12345678901234567890.1234567890123456789');
    expect(decimalValue('1e3')).to.equal('1e3'); // no decimal string: compared as sent
    expect(decimalValue(1)).to.equal(1);
  });

  it('instants compare by the instant they name: an offset or trailing zeros of the fraction are spelling; dates are not read', () => {
    expect(instantValue('2024-06-04T12:00:00+02:00')).to.equal(instantValue('2024-06-04T10:00:00Z'));
    expect(instantValue('2024-06-04T10:00:00.000Z')).to.equal(instantValue('2024-06-04T10:00:00Z'));
    expect(instantValue('2024-06-04T10:00:00.1234Z')).to.equal(instantValue('2024-06-04T12:00:00.123400+02:00'));
    expect(instantValue('2024-06-04T10:00:00.1234Z')).to.not.equal(instantValue('2024-06-04T10:00:00.1235Z'));
    expect(instantValue('2024-06-04T10:00:01Z')).to.not.equal(instantValue('2024-06-04T10:00:00Z'));
    expect(instantValue('2024-06-04')).to.equal('2024-06-04');
    expect(instantValue('yesterday')).to.equal('yesterday');
  });

  it('amounts compare by value in their currency (13.9 = 13.90 EUR), as before', () => {
    expect(amountValue('13.9', 'EUR')).to.equal('13.90');
    expect(amountValue('13.9', 'XXY')).to.equal('13.9');
  });

  it('names each differing leaf with both values as written; absent and null are one', () => {
    const read: LeafReading = (path, value) => (path[path.length - 1] === 'rate' ? decimalValue(value) : value);
    const a = { id: 'x', lines: [{ rate: '0.19', note: null }, { rate: '0.07' }] };
    const b = { id: 'x', lines: [{ rate: '0.190' }, { rate: '0.070' }] };
    expect(valueDifferences(a, b, read)).to.deep.equal([]);
    const c = { id: 'y', lines: [{ rate: '0.20' }] };
    expect(valueDifferences(a, c, read)).to.deep.equal([
      { path: 'id', recorded: 'x', posted: 'y' },
      { path: 'lines[0].rate', recorded: '0.19', posted: '0.20' },
      { path: 'lines[1]', recorded: { rate: '0.07' }, posted: undefined },
    ]);
    expect(describeDifferences(valueDifferences(a, c, read))).to.equal('id: x vs y, lines[0].rate: 0.19 vs 0.20, lines[1]: {"rate":"0.07"} vs absent');
    expect(describeDifferences(valueDifferences(a, c, read), 1)).to.equal('id: x vs y, 2 more');
  });
});
