import { expect } from 'chai';
import { instantMs, isCalendarDate, isPeriodDate, periodOfInstant, periodOfDate, localDate, sourceInstantProblem } from '../../../../src/domain/shared/period';
import { sourceEventName, LEDGER_EVENT_NAMESPACE } from '../../../../src/domain/shared/ids';
import { DomainError } from '../../../../src/domain/shared/errors';

describe('domain/shared/period and ids', () => {
  it('assigns an instant to the month of the company timezone (C8)', () => {
    expect(periodOfInstant('2024-05-31T22:30:00Z', 'Europe/Berlin')).to.equal('2024-06');
    expect(periodOfInstant('2024-05-31T21:59:59Z', 'Europe/Berlin')).to.equal('2024-05');
    expect(periodOfInstant('2024-05-31T22:30:00Z', 'UTC')).to.equal('2024-05');
    expect(periodOfInstant('2024-01-01T02:00:00+03:00', 'America/New_York')).to.equal('2023-12');
    expect(localDate('2024-03-31T00:30:00+00:00', 'Europe/Berlin')).to.equal('2024-03-31');
    expect(periodOfDate('2024-06-01')).to.equal('2024-06');
  });
  it('rejects unknown zones, naive instants and bad dates', () => {
    expect(() => periodOfInstant('2024-05-31T22:30:00Z', 'Mars/Olympus')).to.throw(DomainError, /timezone/);
    expect(() => periodOfInstant('2024-05-31T22:30:00', 'UTC')).to.throw(DomainError, /instant/);
    expect(() => periodOfDate('2024-13-01')).to.throw(DomainError);
  });
  it('names deterministic event ids source|sourceEventId|type', () => {
    expect(sourceEventName('scayle', 'wh-1', 'ScayleOrderConfirmed')).to.equal('scayle|wh-1|ScayleOrderConfirmed');
    expect(() => sourceEventName('erp', '', 'ErpInvoicePosted')).to.throw(DomainError);
    expect(() => sourceEventName('erp', 'a|b', 'ErpInvoicePosted')).to.throw(DomainError);
    expect(LEDGER_EVENT_NAMESPACE).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('isCalendarDate', () => {
  it('takes dates that exist, leap days included, and years before 100', () => {
    for (const d of ['2024-02-29', '2000-02-29', '2024-12-31', '0001-01-01', '0050-06-15', '9999-12-31']) expect(isCalendarDate(d), d).to.equal(true);
  });
  it('refuses dates that do not exist and other shapes', () => {
    for (const d of ['2023-02-29', '1900-02-29', '2024-04-31', '2582-33-16', '2024-00-10', '2024-01-00', '2024-1-01', '2024-01-01T00:00Z', '', 20240101]) expect(isCalendarDate(d), String(d)).to.equal(false);
  });
});

describe('periods outside the years 0001–9999', () => {
  it('writes years before 1000 with four digits, as periodStreamId reads them', () => {
    expect(periodOfInstant('0999-06-15T12:00:00Z', 'Europe/Berlin')).to.equal('0999-06');
    expect(periodOfInstant('0001-01-01T12:00:00Z', 'UTC')).to.equal('0001-01');
    expect(localDate('0099-06-15T12:00:00Z', 'UTC')).to.equal('0099-06-15');
  });
  it('refuses an instant whose local date is in the year 10000 or before the year 1 (was "10000-0", "1-01-01")', () => {
    expect(() => periodOfInstant('9999-12-31T23:59:59+00:00', 'Europe/Berlin')).to.throw(DomainError, /outside the years 0001–9999/);
    expect(() => periodOfInstant('0000-01-01T00:00:00+00:00', 'Europe/Berlin')).to.throw(DomainError, /outside the years 0001–9999/);
    expect(() => periodOfInstant('0001-01-01T05:00:00Z', 'America/Los_Angeles')).to.throw(DomainError, /outside the years 0001–9999/);
    expect(periodOfInstant('9999-12-31T23:59:59+00:00', 'UTC')).to.equal('9999-12');
  });
  it('refuses a posting date in the year 0000', () => {
    expect(() => periodOfDate('0000-01-01')).to.throw(DomainError, /0001–9999/);
    expect(periodOfDate('0001-01-01')).to.equal('0001-01');
  });
});

describe('isPeriodDate and sourceInstantProblem (the ingest checks)', () => {
  it('isPeriodDate: a calendar date in the years 0001–9999', () => {
    for (const d of ['0001-01-01', '2024-02-29', '9999-12-31']) expect(isPeriodDate(d), d).to.equal(true);
    for (const d of ['0000-01-01', '0000-05-01', '2024-02-30', '2024-13-01', '', '20240101', 20240101, null]) expect(isPeriodDate(d), String(d)).to.equal(false);
  });
  it('sourceInstantProblem: takes RFC 3339 instants whose period is readable in every timezone', () => {
    for (const t of ['2024-06-01T10:00:00Z', '2024-06-01T10:00:00+02:00', '2024-06-01T10:00:00.123456-05:30', '0001-01-02T00:00:00Z', '9999-12-30T23:59:59Z']) expect(sourceInstantProblem(t), t).to.equal(undefined);
  });
  it('sourceInstantProblem: says why for malformed, non-existent and out-of-range instants', () => {
    for (const t of ['garbage', '', 1717236000, null, '2024-06-01', '2024-06-01T10:00Z', '2024-06-01T10:00:00', '2024-06-01T10:00:00+0200', '2024-06-01T25:00:00Z', '2024-06-01T10:00:00+24:00', 'NaN', '2024-06-01T24:00:01Z', '2024-05-31T24:00:00Z', '2024-05-31T24:00:00+02:00', '2024-05-31T24:00:00.000Z', '2024-06-01T10:60:00Z', '2024-06-30T23:59:60Z', '2024-06-01T10:00:00+02:60']) {
      expect(sourceInstantProblem(t), String(t)).to.match(/ISO-8601/);
    }
    for (const t of ['2024-02-30T10:00:00Z', '2023-02-29T00:00:00Z', '2024-04-31T12:00:00+02:00']) expect(sourceInstantProblem(t), t).to.equal(`names a date that does not exist (${t.slice(0, 10)})`);
    for (const t of ['9999-12-31T23:59:59+00:00', '9999-12-31T00:00:00Z', '0000-01-01T00:00:00+00:00', '0001-01-01T23:59:59Z', '0001-01-02T00:00:00+00:01']) {
      expect(sourceInstantProblem(t), t).to.match(/between 0001-01-02 and 9999-12-30/);
    }
  });
  it('an hour 24 (RFC 3339 has none) is refused at ingest, but a fact stored with one still reads: its instant and period are the next midnight', () => {
    expect(sourceInstantProblem('2024-05-31T24:00:00+02:00')).to.match(/ISO-8601 date-time/);
    expect(instantMs('2024-05-31T24:00:00+02:00')).to.equal(Date.parse('2024-05-31T22:00:00Z'));
    expect(periodOfInstant('2024-05-31T24:00:00+02:00', 'Europe/Berlin')).to.equal('2024-06');
    expect(localDate('2024-05-31T24:00:00Z', 'UTC')).to.equal('2024-06-01');
  });
});
