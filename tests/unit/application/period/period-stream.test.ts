import { expect } from 'chai';
import { nextPeriod, previousPeriod } from '../../../../src/application/period/period-stream';
import { periodStreamId } from '../../../../src/domain/shared/streams';

describe('previousPeriod / nextPeriod', () => {
  it('step over year ends', () => {
    expect(previousPeriod('2024-01')).to.equal('2023-12');
    expect(previousPeriod('2024-07')).to.equal('2024-06');
    expect(nextPeriod('2023-12')).to.equal('2024-01');
  });
  it('keep four-digit years before 1000 (schemathesis: closing 0010-01 read period "9-12" and answered 400)', () => {
    expect(previousPeriod('0010-01')).to.equal('0009-12');
    expect(previousPeriod('0586-08')).to.equal('0586-07');
    expect(nextPeriod('0999-12')).to.equal('1000-01');
    expect(nextPeriod('0001-01')).to.equal('0001-02');
  });
});

describe('period stream ids', () => {
  it('refuse year 0000 as the spec does, naming the period as given (was "got 00-1-12" from the period before it)', () => {
    expect(periodStreamId('0001-01')).to.equal('period-0001-01');
    expect(() => periodStreamId('0000-01')).to.throw('Period must be YYYY-MM with a year from 0001 to 9999, got 0000-01');
  });
});
