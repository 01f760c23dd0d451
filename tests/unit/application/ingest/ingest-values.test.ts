import { expect } from 'chai';
import { percentToFraction } from '../../../../src/application/ingest/erp/business-central.mapper';
import { decimalText, expandExponent, minorUnits } from '../../../../src/application/ingest/scayle/scayle-values';
import { MappingFailure } from '../../../../src/application/ingest/ingest-outcome';

describe('ingest: exact conversions of source values', () => {
  it('writes Scayle VAT fractions as the shortest decimal of the JSON number', () => {
    expect(decimalText(JSON.parse('0.19'), 'rate')).to.equal('0.19');
    expect(decimalText(JSON.parse('0.077'), 'rate')).to.equal('0.077');
    expect(decimalText(JSON.parse('1'), 'rate')).to.equal('1');
    expect(decimalText(JSON.parse('1e-7'), 'rate')).to.equal('0.0000001');
    expect(() => decimalText('19 %', 'rate')).to.throw(MappingFailure);
  });

  it('expands exponent forms by moving the decimal point in the digit string', () => {
    expect(expandExponent('1.5e-3')).to.equal('0.0015');
    expect(expandExponent('2E+2')).to.equal('200');
    expect(expandExponent('-1.25e1')).to.equal('-12.5');
    expect(expandExponent('54.9')).to.equal('54.9');
    expect(expandExponent('abc')).to.equal(undefined);
  });

  it('takes minor units only as safe integers', () => {
    expect(minorUnits(1190, 'amount')).to.equal('1190');
    expect(minorUnits(-500, 'amount')).to.equal('-500');
    expect(minorUnits(Number.MAX_SAFE_INTEGER, 'amount')).to.equal('9007199254740991');
    expect(() => minorUnits(11.9, 'amount')).to.throw(MappingFailure, /^amount: must be integer minor units \(a JSON integer\), got 11\.9$/);
    expect(() => minorUnits(2 ** 53, 'amount')).to.throw(MappingFailure, /^amount: must be integer minor units no larger than 9007199254740991 in magnitude/);
    expect(() => minorUnits(-(2 ** 60), 'amount')).to.throw(MappingFailure, /no larger than 9007199254740991 in magnitude/);
    expect(() => minorUnits(JSON.parse('1e400'), 'amount')).to.throw(MappingFailure, /no larger than 9007199254740991 in magnitude/);
  });

  it('refuses minor units sent as a JSON string, digits or not', () => {
    expect(() => minorUnits('1190', 'amount')).to.throw(MappingFailure, /^amount: must be integer minor units \(a JSON integer\), got the string "1190"$/);
    expect(() => minorUnits('-500', 'amount')).to.throw(MappingFailure, /got the string "-500"$/);
    expect(() => minorUnits('11.90', 'amount')).to.throw(MappingFailure, /got the string "11\.90"$/);
  });

  it('takes an amount the mapper derived from integers (a bigint; JSON.parse never gives one)', () => {
    expect(minorUnits(-500n, 'amount')).to.equal('-500');
    expect(minorUnits(2n ** 64n, 'amount')).to.equal('18446744073709551616');
  });

  it('turns Business Central percentages into fractions without a float', () => {
    expect(percentToFraction('19')).to.equal('0.19');
    expect(percentToFraction('7.5')).to.equal('0.075');
    expect(percentToFraction('0')).to.equal('0');
    expect(percentToFraction('100')).to.equal('1');
    expect(percentToFraction('20')).to.equal('0.2');
  });
});
