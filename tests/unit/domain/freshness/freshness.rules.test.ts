import { expect } from 'chai';
import { decideStaleSync, staleSyncObservations } from '../../../../src/domain/freshness/freshness.rules';
import { inTradingHours, parseTradingHours } from '../../../../src/application/freshness/trading-hours';

const T = { erpLagMs: 6 * 3_600_000, webhookSilenceMs: 30 * 60_000, projectionLagMs: 5 * 60_000 };
const NOW = new Date('2024-06-03T12:00:00Z');

describe('STALE_SYNC rules', () => {
  it('ERP behind Scayle only once the first unanswered invoicing has waited beyond the threshold', () => {
    expect(staleSyncObservations({ erpPendingSince: '2024-06-03T06:30:00Z', projections: [] }, NOW, true, T)).to.deep.equal([]);
    const [o, ...rest] = staleSyncObservations({ erpPendingSince: '2024-06-03T05:00:00Z', projections: [] }, NOW, true, T);
    expect(rest).to.deep.equal([]);
    expect(o).to.deep.include({ checkId: 'erp_behind_scayle', kind: 'erp_behind_scayle' });
    expect(o!.details).to.deep.equal({ pendingSince: '2024-06-03T05:00:00Z', waitedSeconds: 25200, thresholdSeconds: 21600 });
    expect(o!.message).to.match(/no ERP document has arrived for 7\.0 h/);
  });

  it('webhooks silent: only in trading hours, only beyond the silence, only while the sync sees newer orders', () => {
    const figures = { webhook: { lastOccurredAt: '2024-06-03T11:00:00Z', lastRecordedAt: '2024-06-03T11:00:05Z' }, sync: { lastOccurredAt: '2024-06-03T11:50:00Z' }, projections: [] };
    expect(staleSyncObservations(figures, NOW, true, T).map((o) => o.checkId)).to.deep.equal(['webhooks_silent']);
    expect(staleSyncObservations(figures, NOW, false, T), 'outside trading hours').to.deep.equal([]);
    expect(staleSyncObservations({ ...figures, sync: { lastOccurredAt: '2024-06-03T10:00:00Z' } }, NOW, true, T), 'sync sees nothing newer').to.deep.equal([]);
    expect(staleSyncObservations({ ...figures, webhook: { lastOccurredAt: '2024-06-03T11:00:00Z', lastRecordedAt: '2024-06-03T11:45:00Z' } }, NOW, true, T), 'silence below threshold').to.deep.equal([]);
    expect(staleSyncObservations({ sync: figures.sync, projections: [] }, NOW, true, T).map((o) => o.checkId), 'no webhook ever while the sync sees orders').to.deep.equal(['webhooks_silent']);
    expect(staleSyncObservations({ projections: [] }, NOW, true, T), 'nothing to judge').to.deep.equal([]);
  });

  it('projection lag beyond the threshold, one check per projection', () => {
    const out = staleSyncObservations({ projections: [{ name: 'reconciliation', lagEvents: 40, lagSeconds: 301 }, { name: 'freshness', lagEvents: 2, lagSeconds: 1 }] }, NOW, true, T);
    expect(out.map((o) => o.checkId)).to.deep.equal(['projection_lag:reconciliation']);
    expect(out[0]!.details).to.deep.equal({ projection: 'reconciliation', lagEvents: 40, lagSeconds: 301, thresholdSeconds: 300 });
  });

  it('decides only transitions: detect new, keep open ones silent, clear recovered ones', () => {
    const failing = staleSyncObservations({ erpPendingSince: '2024-06-03T05:00:00Z', projections: [] }, NOW, true, T);
    const detected = decideStaleSync(new Map(), failing, NOW.toISOString());
    expect(detected.map((e) => [e.type, e.data.checkId])).to.deep.equal([['StaleSyncDetected', 'erp_behind_scayle']]);
    expect(detected[0]!.data).to.include({ code: 'STALE_SYNC', owner: 'operations', detectedAt: NOW.toISOString() });
    const open = new Map([['erp_behind_scayle', { ...failing[0]!, detectedAt: NOW.toISOString() }]]);
    expect(decideStaleSync(open, failing, NOW.toISOString())).to.deep.equal([]);
    const cleared = decideStaleSync(open, [], '2024-06-03T13:00:00.000Z');
    expect(cleared).to.deep.equal([{ type: 'StaleSyncCleared', data: { checkId: 'erp_behind_scayle', kind: 'erp_behind_scayle', code: 'STALE_SYNC', clearedAt: '2024-06-03T13:00:00.000Z', message: 'Cleared: erp behind scayle is current again.' } }]);
  });
});

describe('trading hours', () => {
  it('parses spans with day ranges (wrapping over Sunday) and checks them in the company time zone', () => {
    const spans = parseTradingHours('Mon-Fri 08:00-20:00,Sat 09:00-18:00');
    expect(spans).to.deep.equal([
      { days: [1, 2, 3, 4, 5], fromMinute: 480, toMinute: 1200 },
      { days: [6], fromMinute: 540, toMinute: 1080 },
    ]);
    expect(parseTradingHours('Sat-Mon 00:00-24:00')[0]!.days).to.deep.equal([6, 0, 1]);
    // Monday 2024-06-03 06:30 UTC = 08:30 in Berlin (CEST): open; 05:30 UTC = 07:30: closed.
    expect(inTradingHours(spans, new Date('2024-06-03T06:30:00Z'), 'Europe/Berlin')).to.equal(true);
    expect(inTradingHours(spans, new Date('2024-06-03T05:30:00Z'), 'Europe/Berlin')).to.equal(false);
    // Sunday: closed all day.
    expect(inTradingHours(spans, new Date('2024-06-02T12:00:00Z'), 'Europe/Berlin')).to.equal(false);
    expect(inTradingHours(parseTradingHours('Mon-Sun 00:00-24:00'), new Date('2024-06-02T23:59:00Z'), 'UTC')).to.equal(true);
  });

  it('rejects what it cannot read', () => {
    for (const bad of ['', 'Mon 20:00-08:00', 'Funday 08:00-10:00', 'Mon-Fri 8-20', 'Mon 08:00-25:00']) expect(() => parseTradingHours(bad), bad).to.throw();
  });
});
