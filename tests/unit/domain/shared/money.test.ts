import { expect } from 'chai';
import * as fc from 'fast-check';
import { Money } from '../../../../src/domain/shared/money';
import { currency } from '../../../../src/domain/shared/currency';
import { DomainError, CurrencyMismatchError } from '../../../../src/domain/shared/errors';
import { dec } from '../../../../src/domain/shared/decimal';
import { ROUNDING_MODES } from '../../../../src/domain/shared/rounding';

function throwsDomain(fn: () => unknown, code: string): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(DomainError);
    expect((e as DomainError).code).to.equal(code);
    return e as DomainError;
  }
  expect.fail(`expected DomainError ${code}`);
}

describe('domain/shared/money', () => {
  describe('currencies (ISO 4217 via currency-codes)', () => {
    it('knows the exponents of EUR, JPY, KWD and CLF', () => {
      expect(currency('EUR').exponent).to.equal(2);
      expect(currency('JPY').exponent).to.equal(0);
      expect(currency('KWD').exponent).to.equal(3);
      expect(currency('CLF').exponent).to.equal(4);
    });
    it('rejects unknown and lower-case codes', () => {
      throwsDomain(() => currency('EUX'), 'unknown_currency');
      throwsDomain(() => currency('eur'), 'unknown_currency');
    });
  });

  describe('construction', () => {
    it('converts Scayle minor units exactly', () => {
      expect(Money.fromMinorUnits(1999n, 'EUR').toString()).to.equal('19.99');
      expect(Money.fromMinorUnits('-5', 'EUR').toString()).to.equal('-0.05');
      expect(Money.fromMinorUnits(1000n, 'JPY').toString()).to.equal('1000');
      expect(Money.fromMinorUnits('1234', 'KWD').toString()).to.equal('1.234');
      expect(Money.fromMinorUnits('9007199254740993123', 'EUR').toString()).to.equal('90071992547409931.23');
    });
    it('refuses non-integer minor units and JS numbers', () => {
      throwsDomain(() => Money.fromMinorUnits('19.9', 'EUR'), 'not_an_integer');
      throwsDomain(() => Money.fromMinorUnits(1999 as unknown as bigint, 'EUR'), 'not_an_integer');
      throwsDomain(() => Money.of(19.9 as unknown as string, 'EUR'), 'not_a_decimal');
      throwsDomain(() => dec(0.1 as unknown as string), 'not_a_decimal');
    });
    it('parses ERP decimal strings on scale and writes exactly the exponent digits', () => {
      expect(Money.parse('19.9', 'EUR').toString()).to.equal('19.90');
      expect(Money.parse('19.900', 'EUR').toString()).to.equal('19.90');
      expect(Money.parse('1000', 'JPY').toString()).to.equal('1000');
      expect(Money.parse('1.234', 'KWD').toString()).to.equal('1.234');
      expect(Money.parse('-0', 'EUR').toString()).to.equal('0.00');
    });
    it('rejects more decimals than the currency allows, naming the field', () => {
      const e = throwsDomain(() => Money.parse('19.995', 'EUR', 'lines[0].net'), 'too_many_decimals');
      expect(e.kind).to.equal('invalid');
      expect(e.field).to.equal('lines[0].net');
      throwsDomain(() => Money.parse('10.5', 'JPY'), 'too_many_decimals');
      throwsDomain(() => Money.parse('1e3', 'EUR'), 'not_a_decimal');
      throwsDomain(() => Money.parse(' 1.00', 'EUR'), 'not_a_decimal');
    });
    it('boundary input (Money.parseInput): more fractional digits than the currency has are refused even when they are zeros', () => {
      const eur = throwsDomain(() => Money.parseInput('11.680', 'EUR', 'lines[2].net'), 'too_many_decimals');
      expect(eur.kind).to.equal('invalid');
      expect(eur.field).to.equal('lines[2].net');
      expect(eur.message).to.equal('11.680 has more decimals than EUR allows (2): write it as 11.68');
      expect(throwsDomain(() => Money.parseInput('5.000', 'CHF', 'amount'), 'too_many_decimals').message).to.equal('5.000 has more decimals than CHF allows (2): write it as 5.00');
      expect(throwsDomain(() => Money.parseInput('1390.0', 'JPY'), 'too_many_decimals').message).to.equal('1390.0 has more decimals than JPY allows (0): write it as 1390');
      throwsDomain(() => Money.parseInput('1.2340', 'KWD'), 'too_many_decimals');
      throwsDomain(() => Money.parseInput('-0.000', 'EUR'), 'too_many_decimals');
      // non-zero extra digits keep the message they always had
      expect(throwsDomain(() => Money.parseInput('19.995', 'EUR'), 'too_many_decimals').message).to.equal('19.995 has more decimals than EUR allows (2)');
      throwsDomain(() => Money.parseInput('1e3', 'EUR'), 'not_a_decimal');
      throwsDomain(() => Money.parseInput('1000000000000000.000', 'EUR'), 'amount_out_of_range');
      expect(Money.parseInput('11.68', 'EUR').toString()).to.equal('11.68');
      expect(Money.parseInput('11.6', 'EUR').toString()).to.equal('11.60');
      expect(Money.parseInput('11', 'EUR').toString()).to.equal('11.00');
      expect(Money.parseInput('1390', 'JPY').toString()).to.equal('1390');
      expect(Money.parseInput('1.230', 'KWD').toString()).to.equal('1.230');
      expect(Money.parseInput('-4.95', 'EUR').toString()).to.equal('-4.95');
    });
    it('the reader of recorded facts (Money.parse) keeps taking trailing zeros beyond the scale, so old logs replay', () => {
      expect(Money.parse('11.680', 'EUR', 'lines[2].net').toString()).to.equal('11.68');
      expect(Money.parse('5.000', 'CHF').toMinorUnits()).to.equal(500n);
      expect(Money.parse('1390.0', 'JPY').toString()).to.equal('1390');
    });
    it('quantises on request and returns a data-quality warning', () => {
      const r = Money.parse('19.995', 'EUR', { quantise: 'half_even' });
      expect(r.money.toString()).to.equal('20.00');
      expect(r.warning).to.deep.equal({ code: 'SUB_MINOR_UNIT_AMOUNT', original: '19.995', quantised: '20.00', currency: 'EUR', mode: 'half_even' });
      const down = Money.parse('19.995', 'EUR', { quantise: 'down' });
      expect(down.money.toString()).to.equal('19.99');
      const onScale = Money.parse('19.99', 'EUR', { quantise: 'up' });
      expect(onScale.warning).to.equal(undefined);
      expect(onScale.money.toString()).to.equal('19.99');
    });
  });

  describe('arithmetic', () => {
    it('adds, subtracts, negates within one currency', () => {
      const a = Money.parse('10.10', 'EUR');
      const b = Money.parse('0.20', 'EUR');
      expect(a.add(b).toString()).to.equal('10.30');
      expect(b.subtract(a).toString()).to.equal('-9.90');
      expect(a.negate().toString()).to.equal('-10.10');
      expect(a.compare(b)).to.equal(1);
      expect(Money.parse('19.9', 'EUR').equals(Money.parse('19.90', 'EUR'))).to.equal(true);
    });
    it('throws a typed error when currencies differ', () => {
      const e = throwsDomain(() => Money.parse('1', 'EUR').add(Money.parse('1', 'CHF')), 'currency_mismatch');
      expect(e).to.be.instanceOf(CurrencyMismatchError);
      expect((e as CurrencyMismatchError).left).to.equal('EUR');
      expect((e as CurrencyMismatchError).right).to.equal('CHF');
      expect(Money.parse('1', 'EUR').equals(Money.parse('1', 'CHF'))).to.equal(false);
    });
    it('keeps full precision through a rate until quantised', () => {
      const tax = Money.parse('10.03', 'EUR').multiply('0.19');
      expect(tax.isQuantised()).to.equal(false);
      expect(tax.toString()).to.equal('1.9057');
      expect(tax.quantise('half_up').toString()).to.equal('1.91');
      expect(tax.quantise('down').toString()).to.equal('1.90');
      throwsDomain(() => tax.toMinorUnits(), 'not_quantised');
    });
    it('rounds ties per mode, symmetric around zero', () => {
      const t = (s: string, mode: (typeof ROUNDING_MODES)[number]) => Money.of(s, 'EUR').quantise(mode).toString();
      expect(['half_up', 'half_even', 'up', 'down'].map((m) => t('0.125', m as never))).to.deep.equal(['0.13', '0.12', '0.13', '0.12']);
      expect(['half_up', 'half_even', 'up', 'down'].map((m) => t('-0.125', m as never))).to.deep.equal(['-0.13', '-0.12', '-0.13', '-0.12']);
      expect(['half_up', 'half_even', 'up', 'down'].map((m) => t('0.121', m as never))).to.deep.equal(['0.12', '0.12', '0.13', '0.12']);
      expect(Money.of('2.5', 'JPY').quantise('half_even').toString()).to.equal('2');
      expect(Money.of('0.0005', 'KWD').quantise('half_up').toString()).to.equal('0.001');
    });
    it('converts to bigint minor units', () => {
      expect(Money.parse('19.99', 'EUR').toMinorUnits()).to.equal(1999n);
      expect(Money.parse('-1.234', 'KWD').toMinorUnits()).to.equal(-1234n);
      expect(Money.parse('1000', 'JPY').toMinorUnits()).to.equal(1000n);
    });
    it('allocates by largest remainder, summing exactly', () => {
      expect(Money.parse('100.00', 'EUR').allocate(['1', '1', '1']).map(String)).to.deep.equal(['33.34', '33.33', '33.33']);
      expect(Money.parse('-0.05', 'EUR').allocate(['1', '3']).map(String)).to.deep.equal(['-0.01', '-0.04']);
      expect(Money.parse('1000', 'JPY').allocate(['0.3', '0.7']).map(String)).to.deep.equal(['300', '700']);
      expect(Money.parse('0.10', 'EUR').distribute(3).map(String)).to.deep.equal(['0.04', '0.03', '0.03']);
      throwsDomain(() => Money.parse('1', 'EUR').allocate(['0', '0']), 'invalid_weights');
    });
    it('serialises as a DTO with a decimal string', () => {
      expect(JSON.stringify({ m: Money.fromMinorUnits(5n, 'KWD') })).to.equal('{"m":{"amount":"0.005","currency":"KWD"}}');
      expect(Money.fromDto({ amount: '3.45', currency: 'EUR' }).toMinorUnits()).to.equal(345n);
    });
  });

  describe('properties', () => {
    const codes = ['EUR', 'JPY', 'KWD', 'CHF'];
    const arbMoneyPair = fc.tuple(fc.constantFrom(...codes), fc.bigInt(-(10n ** 12n), 10n ** 12n), fc.bigInt(-(10n ** 12n), 10n ** 12n));
    it('add, subtract, negate, integer multiply and allocate never leave the currency scale', () => {
      fc.assert(
        fc.property(arbMoneyPair, fc.integer({ min: 0, max: 1000 }), fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 6 }), ([c, a, b], k, ws) => {
          const x = Money.fromMinorUnits(a, c);
          const y = Money.fromMinorUnits(b, c);
          for (const r of [x.add(y), x.subtract(y), x.negate(), x.multiply(String(k)), x.abs()]) expect(r.isQuantised()).to.equal(true);
          expect(x.add(y).toMinorUnits()).to.equal(a + b);
          if (ws.some((w) => w > 0)) {
            const parts = x.allocate(ws.map(String));
            expect(parts.every((p) => p.isQuantised())).to.equal(true);
            expect(parts.reduce((s, p) => s + p.toMinorUnits(), 0n)).to.equal(a);
          }
          const str = x.toString();
          const exp = currency(c).exponent;
          expect(exp === 0 ? !str.includes('.') : str.split('.')[1]!.length === exp).to.equal(true);
        }),
      );
    });
    it('a fraction product leaves the scale only until quantised', () => {
      fc.assert(
        fc.property(arbMoneyPair, fc.integer({ min: 0, max: 100 }), fc.constantFrom(...ROUNDING_MODES), ([c, a], pct, mode) => {
          const q = Money.fromMinorUnits(a, c).multiply(`0.${String(pct).padStart(2, '0')}`).quantise(mode);
          expect(q.isQuantised()).to.equal(true);
        }),
      );
    });
  });

  describe('magnitude (hostile-input corpus finding)', () => {
    it('takes up to 15 integer digits and refuses more, in plain and exponent form, on scale or quantised', () => {
      expect(Money.parse('999999999999999.99', 'EUR').toString()).to.equal('999999999999999.99');
      expect(Money.parse('-000000000000000000001.00', 'EUR').toString()).to.equal('-1.00');
      for (const v of ['1000000000000000.00', '9999999999999999999999999999999999999999.90', '-1234567890123456']) {
        expect(() => Money.parse(v, 'EUR'), v).to.throw(DomainError).with.property('code', 'amount_out_of_range');
        expect(() => Money.parse(v, 'EUR', { quantise: 'half_up' }), v).to.throw(DomainError).with.property('code', 'amount_out_of_range');
      }
      expect(() => Money.parse('1e309', 'EUR', { quantise: 'half_up' })).to.throw(DomainError).with.property('code', 'amount_out_of_range');
    });
  });

  describe('boundary parsing is consistent with exact arithmetic (money-text.ts split)', () => {
    it('a quantising parse equals the exact amount quantised; its warning names what was kept; a strict parse agrees on scale', () => {
      const arb = fc.record({
        cur: fc.constantFrom('EUR', 'JPY', 'KWD'),
        int: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        frac: fc.stringMatching(/^\d{0,6}$/),
        mode: fc.constantFrom(...ROUNDING_MODES),
      });
      fc.assert(
        fc.property(arb, ({ cur, int, frac, mode }) => {
          const text = frac === '' ? String(int) : `${String(int)}.${frac}`;
          const r = Money.parse(text, cur, { quantise: mode });
          expect(r.money.equals(Money.of(text, cur).quantise(mode)), text).to.equal(true);
          expect(r.money.isQuantised()).to.equal(true);
          const onScale = r.warning === undefined;
          if (onScale) expect(Money.parse(text, cur).equals(r.money)).to.equal(true);
          else {
            expect(r.warning).to.deep.equal({ code: 'SUB_MINOR_UNIT_AMOUNT', original: text, quantised: r.money.toString(), currency: cur, mode });
            expect(() => Money.parse(text, cur)).to.throw(DomainError).with.property('code', 'too_many_decimals');
          }
          expect(Money.parse(r.money.toString(), cur).equals(r.money)).to.equal(true);
        }),
        { numRuns: 500 },
      );
    });
  });
});

