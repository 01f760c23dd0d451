import { expect } from 'chai';
import { decideException, evolveException, observeFinding, type ExceptionCommand, type ExceptionState } from '../../../../src/domain/exception/exception.decide';
import { DomainError } from '../../../../src/domain/shared/errors';

const base = { exceptionId: 'order-x/AMOUNT_MISMATCH/items/sale', decidedAt: '2024-05-04T09:00:00Z', decidedBy: 'finance:k1', role: 'finance' as const };
const open: ExceptionState = { exceptionId: base.exceptionId, status: 'open', findingPresent: true, occurrences: 1 };

function error(command: ExceptionCommand, state: ExceptionState | undefined): DomainError {
  try {
    decideException(command, state);
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('expected a DomainError');
}

describe('domain/exception decider and lifecycle', () => {
  it('acknowledges, assigns and resolves an open exception', () => {
    const ack = decideException({ type: 'AcknowledgeException', ...base }, open);
    expect(ack).to.deep.equal([{ type: 'ExceptionAcknowledged', data: { exceptionId: base.exceptionId, decidedAt: base.decidedAt, decidedBy: base.decidedBy } }]);
    const acknowledged = evolveException(open, ack[0]!)!;
    expect(acknowledged.status).to.equal('acknowledged');
    const assigned = evolveException(acknowledged, decideException({ type: 'AssignException', assignee: 'anna', ...base }, acknowledged)[0]!)!;
    expect(assigned).to.include({ status: 'assigned', assignee: 'anna' });
    const resolved = evolveException(assigned, decideException({ type: 'ResolveException', resolution: 'corrected_in_erp', note: 'credit memo CM-1', ...base }, assigned)[0]!)!;
    expect(resolved).to.include({ status: 'resolved', resolution: 'corrected_in_erp' });
  });

  it('an acknowledgement may carry a note (trimmed; a blank one is left out)', () => {
    const [withNote] = decideException({ type: 'AcknowledgeException', note: '  asking the ERP team ', ...base }, open);
    expect(withNote!.data).to.deep.equal({ exceptionId: base.exceptionId, decidedAt: base.decidedAt, decidedBy: base.decidedBy, note: 'asking the ERP team' });
    const [blank] = decideException({ type: 'AcknowledgeException', note: ' ', ...base }, open);
    expect(blank!.data).to.not.have.property('note');
  });

  it('write-off needs the finance role; resolved and written-off exceptions can be reopened', () => {
    expect(error({ type: 'ResolveException', resolution: 'written_off', note: 'small', ...base, role: 'operations' }, open)).to.include({ kind: 'business_rule', code: 'write_off_needs_finance' });
    const written = evolveException(open, decideException({ type: 'ResolveException', resolution: 'written_off', note: 'small', ...base }, open)[0]!)!;
    expect(written.status).to.equal('written_off');
    const reopened = evolveException(written, decideException({ type: 'ReopenException', reason: 'ERP corrected after all', ...base }, written)[0]!)!;
    expect(reopened.status).to.equal('open');
    expect(reopened.resolution).to.equal(undefined);
  });

  it('refuses invalid transitions as business_rule errors, empty fields as invalid, unknown exceptions as not_found', () => {
    expect(error({ type: 'ReopenException', reason: 'r', ...base }, open)).to.include({ kind: 'business_rule', code: 'invalid_exception_transition' });
    expect(error({ type: 'AcknowledgeException', ...base }, { ...open, status: 'assigned' })).to.include({ kind: 'business_rule' });
    expect(error({ type: 'ResolveException', resolution: 'accepted', note: 'x', ...base }, { ...open, status: 'auto_resolved' })).to.include({ kind: 'business_rule' });
    expect(error({ type: 'AssignException', assignee: ' ', ...base }, open)).to.include({ kind: 'invalid', field: 'assignee' });
    expect(error({ type: 'ResolveException', resolution: 'lost' as never, note: 'x', ...base }, open)).to.include({ kind: 'invalid', code: 'invalid_resolution' });
    expect(error({ type: 'AcknowledgeException', ...base }, undefined)).to.include({ kind: 'not_found', code: 'exception_not_found' });
  });

  it('opens on a new finding, auto-resolves when it disappears, reopens with another occurrence when it recurs', () => {
    const opened = observeFinding(undefined, 'e1', true);
    expect(opened).to.deep.equal({ state: { exceptionId: 'e1', status: 'open', findingPresent: true, occurrences: 1 }, transition: 'opened' });
    const gone = observeFinding(opened.state, 'e1', false);
    expect(gone.state).to.include({ status: 'auto_resolved', findingPresent: false });
    const back = observeFinding(gone.state, 'e1', true);
    expect(back).to.deep.include({ transition: 'recurred' });
    expect(back.state).to.include({ status: 'open', occurrences: 2 });
    const accepted: ExceptionState = { ...open, status: 'resolved', resolution: 'accepted' };
    expect(observeFinding(accepted, 'e1', false).state).to.include({ status: 'resolved', findingPresent: false });
    expect(observeFinding(undefined, 'e1', false)).to.deep.equal({ state: undefined, transition: 'unchanged' });
  });
});
