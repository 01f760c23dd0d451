import { expect } from 'chai';
import { ExceptionFold } from '../../../../src/domain/exception/exception.fold';
import type { ExceptionEvent } from '../../../../src/domain/exception/exception.events';

const ID = 'order-msde-DE-20000239/AMOUNT_MISMATCH/items/sale';
const OTHER = 'order-msde-DE-20000239/TAX_MISMATCH/items/sale';
const by = { decidedBy: 'finance:k1' };
const ack = (at: string): ExceptionEvent => ({ type: 'ExceptionAcknowledged', data: { exceptionId: ID, decidedAt: at, ...by } });
const assign = (at: string, assignee: string): ExceptionEvent => ({ type: 'ExceptionAssigned', data: { exceptionId: ID, decidedAt: at, assignee, ...by } });
const resolve = (at: string, resolution: 'corrected_in_erp' | 'written_off'): ExceptionEvent => ({ type: 'ExceptionResolved', data: { exceptionId: ID, decidedAt: at, resolution, note: 'n', ...by } });
const reopen = (at: string): ExceptionEvent => ({ type: 'ExceptionReopened', data: { exceptionId: ID, decidedAt: at, reason: 'r', ...by } });
const present = (...ids: string[]) => new Set(ids);

describe('domain/exception ExceptionFold (decisions folded for the close snapshot)', () => {
  it('acknowledge → assign → resolve → reopen → write off: written off, and untouched by a later evaluation that still finds it', () => {
    const fold = new ExceptionFold();
    fold.evaluated(present(ID, OTHER), 't1');
    fold.decided(ack('t2'), 't2');
    expect(fold.get(ID)!.state.status).to.equal('acknowledged');
    fold.decided(assign('t3', 'anna'), 't3');
    expect(fold.get(ID)!.state).to.include({ status: 'assigned', assignee: 'anna' });
    fold.decided(resolve('t4', 'corrected_in_erp'), 't4');
    expect(fold.get(ID)!.state.status).to.equal('resolved');
    fold.decided(reopen('t5'), 't5');
    expect(fold.get(ID)).to.deep.equal({ state: { exceptionId: ID, status: 'open', findingPresent: true, occurrences: 1, assignee: 'anna' }, reopenedAt: 't5' });
    fold.decided(resolve('t6', 'written_off'), 't6');
    fold.evaluated(present(ID, OTHER), 't7');
    expect(fold.get(ID)!.state).to.include({ status: 'written_off', resolution: 'written_off', findingPresent: true });
    expect(fold.get(OTHER)!.state.status, 'an exception nobody decided stays open').to.equal('open');
  });

  it('a written-off finding that disappears stays written off; when it comes back it opens again (a new occurrence, assignee dropped), aged from then', () => {
    const fold = new ExceptionFold();
    fold.evaluated(present(ID), 't1');
    fold.decided(assign('t2', 'anna'), 't2');
    fold.decided(resolve('t3', 'written_off'), 't3');
    fold.evaluated(present(), 't4');
    expect(fold.get(ID)!.state).to.include({ status: 'written_off', findingPresent: false });
    fold.evaluated(present(ID), 't5');
    expect(fold.get(ID)).to.deep.equal({ state: { exceptionId: ID, status: 'open', findingPresent: true, occurrences: 2 }, reopenedAt: 't5' });
  });

  it('an active exception whose finding disappears is auto-resolved; a decision then (or on an exception never found) changes nothing', () => {
    const fold = new ExceptionFold();
    fold.decided(ack('t0'), 't0');
    expect(fold.get(ID), 'a decision on an exception no evaluation found').to.equal(undefined);
    fold.evaluated(present(ID), 't1');
    fold.evaluated(present(), 't2');
    fold.decided(resolve('t3', 'written_off'), 't3');
    expect(fold.get(ID)!.state.status).to.equal('auto_resolved');
    fold.evaluated(present(ID), 't4');
    expect(fold.get(ID)).to.deep.include({ reopenedAt: 't4' });
    expect(fold.get(ID)!.state).to.include({ status: 'open', occurrences: 2 });
  });

  it('the same steps fold to the same result (deterministic)', () => {
    const run = () => {
      const fold = new ExceptionFold();
      fold.evaluated(present(ID, OTHER), 't1');
      fold.decided(ack('t2'), 't2');
      fold.decided(resolve('t3', 'written_off'), 't3');
      fold.evaluated(present(OTHER), 't4');
      return [fold.get(ID), fold.get(OTHER)];
    };
    expect(run()).to.deep.equal(run());
  });
});
