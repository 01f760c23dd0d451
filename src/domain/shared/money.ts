/**
 * Money: an immutable amount in one ISO 4217 currency (DESIGN §5, CONTRIBUTING "Money").
 *
 * - Built only from decimal strings (major units, e.g. ERP `"19.90"`) or integer minor units
 *   (Scayle cents, bigint or integer string) — never from a JS number.
 * - Arithmetic keeps full precision; only {@link Money.quantise} rounds to the currency's exponent.
 *   Adding, subtracting and multiplying quantised amounts by integers stays on the currency's scale;
 *   multiplying by a fraction may leave it until the caller quantises ("unless asked").
 * - In events and JSON money is `{ amount: "19.90", currency: "EUR" }` ({@link MoneyDto}).
 * - Representation: an amount on the currency's scale is held as a bigint of minor units (exact,
 *   and fast to add and compare); an amount off the scale as a decimal of the private clone. Every
 *   operation picks the bigint path when both operands are on scale; results are the same either way.
 */
import { type Currency, type CurrencyLike, minorUnit, toCurrency } from './currency';
import { Dec, dec, decInteger, type DecimalString } from './decimal';
import { CurrencyMismatchError, invalid } from './errors';
import { allocateMinor, allocationWeights, evenWeights } from './money-allocation';
import { assertWrittenOnScale, formatMinor, onScaleMinor, parseMajorText, type MoneyDto, type QuantisationWarning } from './money-text';
import { roundTo, type RoundingMode } from './rounding';

export { MAX_AMOUNT_MAGNITUDE, type MoneyDto, type QuantisationWarning } from './money-text';

/** Result of a quantising parse. */
export interface QuantisedParse {
  money: Money;
  /** Present when the value had to be rounded. */
  warning?: QuantisationWarning;
}

export class Money {
  /** The amount in minor units when on the currency's scale, else null. */
  private readonly minor: bigint | null;
  /** The exact amount when off the currency's scale (or once computed), in major units. */
  private exact: Dec | null;

  private constructor(
    minor: bigint | null,
    exact: Dec | null,
    readonly currency: Currency,
  ) {
    this.minor = minor;
    this.exact = exact;
  }

  /** Normalises a decimal: minor units when it fits the scale. */
  private static fromDec(d: Dec, c: Currency): Money {
    if (d.decimalPlaces() <= c.exponent) return new Money(BigInt(d.mul(minorUnit(c).scale).toFixed(0)), null, c);
    return new Money(null, d, c);
  }

  /** The exact amount in major units, as a decimal of the domain's clone. */
  get amount(): Dec {
    if (this.exact === null) this.exact = new Dec(this.minor!.toString()).div(minorUnit(this.currency).scale);
    return this.exact;
  }

  /**
   * Exact money from a decimal string in major units or a decimal, with no scale check (use
   * {@link Money.parse} at a boundary). JS numbers are rejected at runtime too.
   * @throws DomainError `invalid`/`not_a_decimal`, `invalid`/`unknown_currency`.
   */
  static of(amount: DecimalString | Dec, currency: CurrencyLike): Money {
    const c = toCurrency(currency);
    if (typeof amount === 'string') {
      const minor = onScaleMinor(amount, c);
      if (minor !== null) return new Money(minor, null, c);
    }
    return Money.fromDec(dec(amount as DecimalString | Dec, 'amount'), c);
  }

  /** Zero in `currency`. */
  static zero(currency: CurrencyLike): Money {
    return new Money(0n, null, toCurrency(currency));
  }

  /**
   * From integer minor units (Scayle's cents): `fromMinorUnits(1999n, 'EUR')` is EUR 19.99,
   * `fromMinorUnits('1000', 'JPY')` is JPY 1000. Exact.
   * @throws DomainError `invalid`/`not_an_integer` for anything but a bigint or integer string.
   */
  static fromMinorUnits(minor: bigint | string, currency: CurrencyLike): Money {
    const c = toCurrency(currency);
    if (typeof minor === 'bigint') return new Money(minor, null, c);
    if (typeof minor === 'string' && /^-?\d+$/.test(minor)) return new Money(BigInt(minor), null, c);
    decInteger(minor, 'amount'); // throws the typed error
    throw new Error('unreachable');
  }

  /**
   * Parses a decimal string in major units: facts read from the log, values the ledger computed, and
   * (with `quantise`) source amounts a mapper rounds, as Business Central's; a client's input goes
   * through {@link Money.parseInput}. Without options, more decimals than the currency's exponent
   * are rejected; with `{ quantise: mode }` they are rounded with `mode` and a {@link QuantisationWarning} comes back.
   * Trailing zeros beyond the exponent (`"19.900"` for EUR) are not extra precision and pass (logs
   * may hold them).
   * Amounts of {@link MAX_AMOUNT_MAGNITUDE} major units or more are input faults, not money.
   * @throws DomainError `invalid`/`not_a_decimal`, `invalid`/`too_many_decimals`, `invalid`/`unknown_currency`,
   *   `invalid`/`amount_out_of_range`.
   */
  static parse(value: string, currency: CurrencyLike, field?: string): Money;
  static parse(value: string, currency: CurrencyLike, options: { quantise: RoundingMode; field?: string }): QuantisedParse;
  static parse(
    value: string,
    currency: CurrencyLike,
    fieldOrOptions?: string | { quantise: RoundingMode; field?: string },
  ): Money | QuantisedParse {
    const c = toCurrency(currency);
    const options = typeof fieldOrOptions === 'object' ? fieldOrOptions : undefined;
    const parsed = parseMajorText(value, c, typeof fieldOrOptions === 'string' ? fieldOrOptions : options?.field, options?.quantise);
    const money = new Money(parsed.minor, null, c);
    if (!options) return money;
    return parsed.warning ? { money, warning: parsed.warning } : { money };
  }

  /**
   * Parses an amount as a client writes it at a boundary (REST commands, canonical ERP documents, PSP
   * settlements, the import CLI): {@link Money.parse}, and more fractional digits than the currency's
   * exponent are refused even when they are zeros (`"11.680"` EUR, `"5.000"` CHF) — the API contract
   * (the OpenAPI amount patterns per ISO 4217 exponent) allows no more. Facts already in the log are
   * read with {@link Money.parse}, which keeps taking such text, so logs written before this check
   * still replay. Business Central amounts are JSON numbers quantised by their mapper (DESIGN §9) and
   * do not come through here.
   * @throws DomainError as {@link Money.parse}; `invalid`/`too_many_decimals` also for extra zeros
   *   (the message names the on-scale spelling, `write it as 11.68`).
   */
  static parseInput(value: string, currency: CurrencyLike, field?: string): Money {
    const money = Money.parse(value, currency, field);
    assertWrittenOnScale(value, money.currency, money.toMinorUnits(), field);
    return money;
  }

  /** From a {@link MoneyDto}, strictly on scale. @throws as {@link Money.parse}. */
  static fromDto(dto: MoneyDto, field?: string): Money {
    return Money.parse(dto.amount, dto.currency, field);
  }

  /** Sum of `items` in `currency` (zero for an empty list). @throws CurrencyMismatchError. */
  static sum(items: readonly Money[], currency: CurrencyLike): Money {
    let total = Money.zero(currency);
    for (const m of items) total = total.add(m);
    return total;
  }

  /** Currency code. */
  get currencyCode(): string {
    return this.currency.code;
  }

  /** Whether the amount is already on the currency's scale (no digits beyond the exponent). */
  isQuantised(): boolean {
    return this.minor !== null;
  }

  /** Sum. @throws CurrencyMismatchError when the currencies differ. */
  add(other: Money): Money {
    this.assertSame(other);
    if (this.minor !== null && other.minor !== null) return new Money(this.minor + other.minor, null, this.currency);
    return Money.fromDec(this.amount.add(other.amount), this.currency);
  }

  /** Difference. @throws CurrencyMismatchError when the currencies differ. */
  subtract(other: Money): Money {
    this.assertSame(other);
    if (this.minor !== null && other.minor !== null) return new Money(this.minor - other.minor, null, this.currency);
    return Money.fromDec(this.amount.sub(other.amount), this.currency);
  }

  /** The negated amount. */
  negate(): Money {
    return this.minor !== null ? new Money(-this.minor, null, this.currency) : new Money(null, this.amount.neg(), this.currency);
  }

  /** Absolute amount. */
  abs(): Money {
    if (this.minor !== null) return this.minor < 0n ? new Money(-this.minor, null, this.currency) : this;
    return new Money(null, this.amount.abs(), this.currency);
  }

  /**
   * Product with a decimal factor (a rate as a fraction string `"0.19"`, a quantity `"3"`, a decimal).
   * Full precision: quantise explicitly. @throws DomainError `invalid`/`not_a_decimal`.
   */
  multiply(factor: DecimalString | Dec): Money {
    return Money.fromDec(this.amount.mul(dec(factor as DecimalString | Dec, 'factor')), this.currency);
  }

  /** Quotient by a non-zero decimal divisor, full precision. @throws DomainError `invalid`/`division_by_zero`. */
  divide(divisor: DecimalString | Dec): Money {
    const d = dec(divisor as DecimalString | Dec, 'divisor');
    if (d.isZero()) throw invalid('division_by_zero', 'Cannot divide money by zero', 'divisor');
    return Money.fromDec(this.amount.div(d), this.currency);
  }

  /** Rounds to the currency's exponent with `mode`. */
  quantise(mode: RoundingMode): Money {
    return this.minor !== null ? this : Money.fromDec(roundTo(this.amount, this.currency.exponent, mode), this.currency);
  }

  /**
   * Splits this (quantised) amount into parts proportional to `weights` (non-negative decimal strings
   * or decimals, not all zero), each on the currency's scale, summing exactly to this amount.
   * Largest-remainder method: parts are first rounded toward zero in minor units, then the remaining
   * minor units go one each to the parts with the largest remainders, ties to the earlier part.
   * @throws DomainError `invalid`/`not_quantised`, `invalid`/`invalid_weights`.
   */
  allocate(weights: readonly (DecimalString | Dec)[]): Money[] {
    const ws = allocationWeights(weights);
    return allocateMinor(this.toMinorUnits(), ws).map((p) => new Money(p, null, this.currency));
  }

  /** Splits into `n` parts as even as possible (earlier parts take the extra minor units). */
  distribute(n: number): Money[] {
    return this.allocate(evenWeights(n));
  }

  /** -1, 0 or 1. @throws CurrencyMismatchError. */
  compare(other: Money): -1 | 0 | 1 {
    this.assertSame(other);
    if (this.minor !== null && other.minor !== null) return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
    return this.amount.comparedTo(other.amount) as -1 | 0 | 1;
  }

  /** Same currency and numerically equal amount (`19.9` equals `19.90`). Never throws. */
  equals(other: Money): boolean {
    if (this.currency.code !== other.currency.code) return false;
    if (this.minor !== null && other.minor !== null) return this.minor === other.minor;
    return this.amount.eq(other.amount);
  }

  isZero(): boolean {
    return this.minor !== null ? this.minor === 0n : this.amount.isZero();
  }

  isNegative(): boolean {
    return this.minor !== null ? this.minor < 0n : this.amount.isNegative() && !this.amount.isZero();
  }

  isPositive(): boolean {
    return this.minor !== null ? this.minor > 0n : this.amount.isPositive() && !this.amount.isZero();
  }

  /**
   * Integer minor units (bigint). @throws DomainError `invalid`/`not_quantised` when the amount has
   * more decimals than the currency's exponent — quantise first.
   */
  toMinorUnits(): bigint {
    if (this.minor === null) {
      throw invalid('not_quantised', `${this.amount.toFixed()} ${this.currency.code} is not on the currency's scale`, 'amount');
    }
    return this.minor;
  }

  /**
   * Decimal string in major units with exactly the currency's exponent digits (`"19.90"`, `"1000"`
   * for JPY, `"1.234"` for KWD). An unquantised amount shows all its digits (never silently rounded).
   */
  toString(): DecimalString {
    if (this.minor !== null) return formatMinor(this.minor, this.currency.exponent);
    return this.amount.toFixed(this.amount.decimalPlaces());
  }

  /** `{ amount, currency }` for events and JSON. */
  toDto(): MoneyDto {
    return { amount: this.toString(), currency: this.currency.code };
  }

  toJSON(): MoneyDto {
    return this.toDto();
  }

  private assertSame(other: Money): void {
    if (this.currency.code !== other.currency.code) throw new CurrencyMismatchError(this.currency.code, other.currency.code);
  }
}
