import { expect } from 'chai';
import { isCalendarDate, periodOfInstant, periodOfDate, localDate } from '../../../../src/domain/shared/period';
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
