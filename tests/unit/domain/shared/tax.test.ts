import { expect } from 'chai';
import { Money } from '../../../../src/domain/shared/money';
import { expectedErpDocument, netFromGross, taxOfNet, parseRate } from '../../../../src/domain/shared/tax';
import type { ErpRoundingProfile } from '../../../../src/domain/shared/rounding';
import { DomainError } from '../../../../src/domain/shared/errors';

const lines = (cur: string, rate: string, ...amounts: string[]) => amounts.map((a, i) => ({ key: String(i + 1), amount: Money.parse(a, cur), rate }));
const view = (d: ReturnType<typeof expectedErpDocument>) => ({
  lines: d.lines.map((l) => [l.net.toString(), l.tax.toString(), l.gross.toString()]),
  totals: [d.totals.net.toString(), d.totals.tax.toString(), d.totals.gross.toString()],
  rounded: d.roundedAmounts,
});
const P = (level: ErpRoundingProfile['level'], mode: ErpRoundingProfile['mode'], pricesIncludeTax: boolean): ErpRoundingProfile => ({ level, mode, pricesIncludeTax });

describe('domain/shared/tax', () => {
  it('net from gross and tax of net with a fraction rate', () => {
    expect(netFromGross(Money.parse('19.99', 'EUR'), '0.19', 'half_up').toString()).to.equal('16.80');
    expect(taxOfNet(Money.parse('7.50', 'EUR'), '0.23', 'half_up').toString()).to.equal('1.73');
    expect(taxOfNet(Money.parse('7.50', 'EUR'), '0.23', 'down').toString()).to.equal('1.72');
    expect(taxOfNet(Money.parse('1000', 'JPY'), '0.1', 'half_up').toString()).to.equal('100');
    expect(netFromGross(Money.parse('1.000', 'KWD'), '0.07', 'half_even').toString()).to.equal('0.935');
  });
  it('rejects percent and negative rates', () => {
    expect(() => parseRate('19')).to.throw(DomainError, /between 0 and 1/);
    expect(() => parseRate('-0.1')).to.throw(DomainError);
    expect(() => parseRate('0,19')).to.throw(DomainError);
  });
  it('C1 kind: net prices, per_document rounds the summed tax once (15.00 × 0.23 = 3.45)', () => {
    const d = expectedErpDocument(lines('EUR', '0.23', '7.50', '7.50'), P('per_document', 'half_up', false), 'EUR');
    expect(view(d)).to.deep.equal({ lines: [['7.50', '1.73', '9.23'], ['7.50', '1.72', '9.22']], totals: ['15.00', '3.45', '18.45'], rounded: 1 });
    const l = expectedErpDocument(lines('EUR', '0.23', '7.50', '7.50'), P('per_line', 'half_up', false), 'EUR');
    expect(view(l).totals).to.deep.equal(['15.00', '3.46', '18.46']);
    expect(l.roundedAmounts).to.equal(2);
  });
  it('C2 kind: gross prices, per_document extracts net once (59.97 / 1.19 = 50.39)', () => {
    const d = expectedErpDocument(lines('EUR', '0.19', '19.99', '19.99', '19.99'), P('per_document', 'half_up', true), 'EUR');
    expect(view(d).totals).to.deep.equal(['50.39', '9.58', '59.97']);
    expect(d.lines.map((x) => x.net.toString())).to.deep.equal(['16.80', '16.80', '16.79']);
    const l = expectedErpDocument(lines('EUR', '0.19', '19.99', '19.99', '19.99'), P('per_line', 'half_up', true), 'EUR');
    expect(view(l).totals).to.deep.equal(['50.40', '9.57', '59.97']);
  });
  it('per_document distributes the running remainder so lines sum to the document tax', () => {
    const d = expectedErpDocument(lines('EUR', '0.19', '0.05', '0.05', '0.05', '0.05'), P('per_document', 'half_up', false), 'EUR');
    // running: 0.0095→0.01, 0.019→0.02, 0.0285→0.03, 0.038→0.04
    expect(d.lines.map((x) => x.tax.toString())).to.deep.equal(['0.01', '0.01', '0.01', '0.01']);
    const e = expectedErpDocument(lines('EUR', '0.07', '0.10', '0.10', '0.10'), P('per_document', 'half_up', false), 'EUR');
    // running: 0.007→0.01, 0.014→0.01, 0.021→0.02
    expect(e.lines.map((x) => x.tax.toString())).to.deep.equal(['0.01', '0.00', '0.01']);
    expect(e.totals.tax.toString()).to.equal('0.02');
  });
  it('groups tax by rate like BC per VAT identifier', () => {
    const input = [
      { key: 'a', amount: Money.parse('10.05', 'EUR'), rate: '0.2' },
      { key: 'b', amount: Money.parse('10.05', 'EUR'), rate: '0.25' },
      { key: 'c', amount: Money.parse('10.05', 'EUR'), rate: '0.20' },
    ];
    const d = expectedErpDocument(input, P('per_document', 'half_even', false), 'EUR');
    expect(d.groups.map((g) => [g.rate, g.net.toString(), g.tax.toString(), g.lineKeys.join()])).to.deep.equal([
      ['0.2', '20.10', '4.02', 'a,c'],
      ['0.25', '10.05', '2.51', 'b'],
    ]);
    expect(d.roundedAmounts).to.equal(2);
    expect(d.totals.tax.toString()).to.equal('6.53');
  });
  it('each mode changes the document tax as it should', () => {
    const got = (['half_up', 'half_even', 'up', 'down'] as const).map((m) =>
      expectedErpDocument(lines('EUR', '0.25', '0.10', '0.08'), P('per_document', m, false), 'EUR').totals.tax.toString(),
    );
    // 0.18 × 0.25 = 0.045
    expect(got).to.deep.equal(['0.05', '0.04', '0.05', '0.04']);
  });
  it('JPY and KWD round on their own exponent', () => {
    expect(view(expectedErpDocument(lines('JPY', '0.1', '1999', '1999'), P('per_document', 'down', true), 'JPY')).totals).to.deep.equal(['3634', '364', '3998']);
    expect(view(expectedErpDocument(lines('KWD', '0.05', '1.005', '2.001'), P('per_line', 'half_up', false), 'KWD')).totals).to.deep.equal(['3.006', '0.150', '3.156']);
  });
});
