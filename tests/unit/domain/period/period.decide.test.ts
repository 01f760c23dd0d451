import { expect } from 'chai';
import { buildCloseSnapshot, type CloseSnapshot } from '../../../../src/domain/period/close-snapshot';
import { BlockingExceptionsError, periodDecider, ProjectionsLaggingError, type StartPeriodClose } from '../../../../src/domain/period/period.decide';
import type { PeriodEvent } from '../../../../src/domain/period/period.events';
import { evolvePeriod, initialPeriodState } from '../../../../src/domain/period/period.state';
import { deciderSpec } from '../../../support/decider-spec';

const spec = deciderSpec(periodDecider);
const P = '2024-06';
const blocking = [{ exceptionId: 'order-msde-DE-1/AMOUNT_MISMATCH/items/sale', code: 'AMOUNT_MISMATCH', subject: 'order-msde-DE-1', orderId: '1' }];

const start = (extra: Partial<StartPeriodClose['data']> = {}): StartPeriodClose => ({
  type: 'StartPeriodClose',
  data: { period: P, closeId: 'c1', at: '2024-07-02T08:00:00.000Z', actor: 'finance:k1', role: 'finance', head: 10n, projections: [{ name: 'orders', position: 10n }], blockingCodes: ['AMOUNT_MISMATCH'], settings: SETTINGS, blocking: [], ...extra },
});

function snapshot(version: number, position = '11', previousHash: string | null = null, extra: { overrideReason?: string; open?: boolean } = {}): CloseSnapshot {
  return buildCloseSnapshot({
    period: P,
    version,
    timezone: 'Europe/Berlin',
    position: BigInt(position),
    cutAt: '2024-07-02T08:00:00.000Z',
    rulesVersion: 'r1',
    policy: { settings: SETTINGS, mappings: { taxCodes: 0, items: 0 } },
    previousHash,
    close: { startedBy: 'finance:k1', blockingCodes: ['AMOUNT_MISMATCH'], ...(extra.overrideReason ? { overrideReason: extra.overrideReason } : {}) },
    totals: { scayle: {}, erp: {}, psp: {} },
    counts: { orders: 0, byStatus: {}, byFindingCode: {} },
    openExceptions: extra.open
      ? [{ exceptionId: blocking[0]!.exceptionId, code: 'AMOUNT_MISMATCH', owner: 'finance', severity: 'error', subject: 'order-msde-DE-1', orderId: '1', component: 'items', status: 'open', openedAt: '2024-06-30T08:00:00.000Z', explanation: 'x' }]
      : [],
  });
}

const started = (closeId = 'c1'): PeriodEvent => ({ type: 'PeriodCloseStarted', data: { period: P, closeId, startedAt: '2024-07-02T08:00:00.000Z', startedBy: 'finance:k1', blockingCodes: ['AMOUNT_MISMATCH'], settings: SETTINGS } });
const closed = (version: number, hash: string, previousHash: string | null = null, closeId = 'c1'): PeriodEvent => ({
  type: 'PeriodClosed',
  data: { period: P, closeId, snapshotId: `${P}-v${version}`, version, hash, position: '11', previousHash, rulesVersion: 'r1', closedAt: '2024-07-02T08:00:01.000Z', closedBy: 'finance:k1' },
});
const reopened: PeriodEvent = { type: 'PeriodReopened', data: { period: P, reopenId: 'r1', reason: 'late invoice', reopenedBy: 'finance:k1', role: 'finance', reopenedAt: '2024-07-03T08:00:00.000Z', snapshotId: `${P}-v1` } };

const SETTINGS = { timezone: 'Europe/Berlin', erpProfile: { level: 'per_document' as const, mode: 'half_up' as const, pricesIncludeTax: true } };

describe('period decider', () => {
  describe('StartPeriodClose', () => {
    it('takes the soft lock on an open period', () => {
      spec.given([]).when(start()).then([started()]);
    });
    it('refuses while a projection lags behind the head, naming it', () => {
      const e = spec.given([]).when(start({ projections: [{ name: 'orders', position: 10n }, { name: 'exceptions', position: 7n }] })).thenThrows({ kind: 'conflict', code: 'projections_lagging' });
      expect((e as ProjectionsLaggingError).lagging).to.deep.equal([{ name: 'exceptions', position: 7n }]);
    });
    it('refuses with blocking exceptions, naming them', () => {
      const e = spec.given([]).when(start({ blocking })).thenThrows({ kind: 'business_rule', code: 'blocking_exceptions' });
      expect((e as BlockingExceptionsError).exceptions).to.deep.equal(blocking);
    });
    it('accepts an override with a reason and records the exceptions it overrides', () => {
      spec.given([]).when(start({ blocking, overrideReason: ' booked manually ' })).then([
        { type: 'PeriodCloseStarted', data: { period: P, closeId: 'c1', startedAt: '2024-07-02T08:00:00.000Z', startedBy: 'finance:k1', blockingCodes: ['AMOUNT_MISMATCH'], settings: SETTINGS, override: { reason: 'booked manually', exceptions: blocking } } },
      ]);
      spec.given([]).when(start({ blocking, overrideReason: '  ' })).thenThrows({ kind: 'invalid', code: 'override_reason_required', field: 'override.reason' });
    });
    it('refuses a closed period and roles other than finance/admin', () => {
      spec.given([started(), closed(1, 'sha256:a')]).when(start({ closeId: 'c2' })).thenThrows({ kind: 'conflict', code: 'period_closed' });
      spec.given([]).when(start({ role: 'auditor' })).thenThrows({ kind: 'business_rule', code: 'role_not_allowed', field: 'role' });
    });
    it('refuses a month that has not ended in the company timezone', () => {
      spec.given([]).when(start({ period: '2024-07', at: '2024-07-31T21:59:59.000Z' })).thenThrows({ kind: 'business_rule', code: 'period_not_ended', field: 'period' });
      spec.given([]).when(start({ period: '2024-07', at: '2024-07-31T22:00:00.000Z', closeId: 'c7' })).then([
        { type: 'PeriodCloseStarted', data: { period: '2024-07', closeId: 'c7', startedAt: '2024-07-31T22:00:00.000Z', startedBy: 'finance:k1', blockingCodes: ['AMOUNT_MISMATCH'], settings: SETTINGS } },
      ]);
    });
    it('restarts a close left in closing', () => {
      spec.given([started('c0')]).when(start()).then([started()]);
    });
  });

  describe('CompletePeriodClose', () => {
    it('records the snapshot and closes with hash, position and previous hash', () => {
      const s = snapshot(2, '11', 'sha256:a');
      spec.given([started('c0'), closed(1, 'sha256:a', null, 'c0'), reopened, started()]).when({ type: 'CompletePeriodClose', data: { period: P, closeId: 'c1', at: '2024-07-02T08:00:01.000Z', actor: 'finance:k1', hash: 'sha256:b', snapshot: s } }).then([
        { type: 'PeriodCloseSnapshotRecorded', data: { period: P, closeId: 'c1', snapshotId: `${P}-v2`, version: 2, hash: 'sha256:b', snapshot: s } },
        closed(2, 'sha256:b', 'sha256:a'),
      ]);
    });
    it('the snapshot is authoritative: a blocking exception open at the cut refuses the close unless overridden', () => {
      const complete = (s: CloseSnapshot) => ({ type: 'CompletePeriodClose' as const, data: { period: P, closeId: 'c1', at: 'x', actor: 'finance:k1', hash: 'h', snapshot: s } });
      spec.given([started()]).when(complete(snapshot(1, '11', null, { open: true }))).thenThrows({ kind: 'business_rule', code: 'blocking_exceptions' });
      const withOverride: PeriodEvent = { type: 'PeriodCloseStarted', data: { ...(started().data as object), override: { reason: 'booked', exceptions: [] } } as never };
      const [, closedEvent] = periodDecider.decide(complete(snapshot(1, '11', null, { open: true, overrideReason: 'booked' })), [withOverride].reduce(evolvePeriod, initialPeriodState()));
      expect((closedEvent as Extract<PeriodEvent, { type: 'PeriodClosed' }>).data.override).to.deep.equal({ reason: 'booked', exceptions: blocking });
    });
    it('refuses a close that is no longer in progress or the wrong version', () => {
      spec.given([started('c2')]).when({ type: 'CompletePeriodClose', data: { period: P, closeId: 'c1', at: 'x', actor: 'a', hash: 'h', snapshot: snapshot(1) } }).thenThrows({ kind: 'conflict', code: 'close_superseded' });
      spec.given([started()]).when({ type: 'CompletePeriodClose', data: { period: P, closeId: 'c1', at: 'x', actor: 'a', hash: 'h', snapshot: snapshot(2) } }).thenThrows({ kind: 'invalid', code: 'snapshot_mismatch' });
    });
  });

  describe('AbortPeriodClose', () => {
    it('releases the lock back to the status before it', () => {
      const aborted: PeriodEvent = { type: 'PeriodCloseAborted', data: { period: P, closeId: 'c1', reason: 'boom', abortedAt: 'x' } };
      spec.given([started()]).when({ type: 'AbortPeriodClose', data: { period: P, closeId: 'c1', at: 'x', reason: 'boom' } }).then([aborted]);
      spec.given([started('c9')]).when({ type: 'AbortPeriodClose', data: { period: P, closeId: 'c1', at: 'x', reason: 'boom' } }).then([]);
      const s = [started('c0'), closed(1, 'sha256:a', null, 'c0'), reopened, started(), aborted].reduce(evolvePeriod, initialPeriodState());
      expect(s.status).to.equal('reopened');
    });
  });

  describe('ReopenPeriod', () => {
    const reopen = (extra: object = {}) => ({ type: 'ReopenPeriod' as const, data: { period: P, reopenId: 'r1', at: '2024-07-03T08:00:00.000Z', actor: 'finance:k1', role: 'finance', reason: 'late invoice', ...extra } });
    it('reopens a closed period, naming the snapshot it supersedes', () => {
      spec.given([started(), closed(1, 'sha256:a')]).when(reopen()).then([reopened]);
    });
    it('needs a reason, finance or admin, and a closed period', () => {
      spec.given([started(), closed(1, 'sha256:a')]).when(reopen({ reason: ' ' })).thenThrows({ kind: 'invalid', code: 'reason_required', field: 'reason' });
      spec.given([started(), closed(1, 'sha256:a')]).when(reopen({ role: 'operations' })).thenThrows({ kind: 'business_rule', code: 'role_not_allowed' });
      spec.given([]).when(reopen()).thenThrows({ kind: 'conflict', code: 'period_not_closed' });
    });
    it('a re-close after a reopen is the next version; the first close is kept', () => {
      const s = [started('c0'), closed(1, 'sha256:a', null, 'c0'), reopened, started(), closed(2, 'sha256:b', 'sha256:a')].reduce(evolvePeriod, initialPeriodState());
      expect(s.status).to.equal('closed');
      expect(s.closes.map((c) => [c.version, c.hash, c.previousHash])).to.deep.equal([
        [1, 'sha256:a', null],
        [2, 'sha256:b', 'sha256:a'],
      ]);
    });
  });
});
