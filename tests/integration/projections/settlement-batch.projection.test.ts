/**
 * The `reconciliation` projection and the replay engine on PSP settlement batch streams: the report
 * that counts (latest source time) decides, whatever the arrival order and batch boundaries, and
 * the live period summary agrees with the replay's figures.
 */
import { expect } from 'chai';
import { LogReplayEngine } from '../../../src/application/period/log-replay.engine';
import { schemaVersionOf } from '../../../src/domain/event-schema/ledger-upcasters';
import type { ExceptionDoc } from '../../../src/projections/exception-queue';
import type { PeriodSummaryDoc } from '../../../src/projections/period-summary';
import type { ReconciliationDoc } from '../../../src/projections/reconciliation.projection';
import { ALL_COLLECTIONS, buildRunner, hashReadModels, openStores, TEST_POLICY } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';

const STREAM = 'settlement-adyen-B-9';
const DRIFT = `${STREAM}/SETTLEMENT_DRIFT/settlement/payout`;

/** A report of batch B-9 paying out `payoutAmount` for one capture of 100.00 with a 3.00 fee. */
const report = (id: string, payoutAmount: string, occurredAt: string, recordedAt: string) => ({
  id,
  type: 'PspSettlementBatchRecorded',
  data: {
    batch: {
      provider: 'adyen',
      batchId: 'B-9',
      currency: 'EUR',
      payoutDate: '2024-06-30',
      payoutAmount,
      lines: [{ lineId: 'L1', type: 'capture', paymentReference: 'tx-1', gross: '100.00', fee: '3.00', net: '97.00', currency: 'EUR', bookedAt: '2024-06-29T10:00:00Z' }],
    },
  },
  metadata: { source: 'psp' as const, sourceEventId: `adyen:B-9:${id}`, occurredAt, recordedAt, schemaVersion: schemaVersionOf('PspSettlementBatchRecorded') },
});
const short = report('00000000-0000-5000-8000-000000000001', '95.00', '2024-06-30T00:00:00.000Z', '2024-07-01T08:00:00.000Z');
const corrected = report('00000000-0000-5000-8000-000000000002', '97.00', '2024-07-01T00:00:00.000Z', '2024-07-01T09:00:00.000Z');

describe('reconciliation projection: PSP settlement batches', function () {
  this.timeout(30_000);
  const dirs: ReturnType<typeof tempDir>[] = [];
  const open = () => {
    const dir = tempDir();
    dirs.push(dir);
    return openStores(dir.path);
  };
  const opened: ReturnType<typeof openStores>[] = [];
  after(async () => {
    for (const s of opened) {
      await s.events.close();
      await s.store.close();
    }
    for (const d of dirs) d.remove();
  });

  async function logOf(reports: ReturnType<typeof report>[], batchSize?: number) {
    const stores = open();
    opened.push(stores);
    const runner = buildRunner(stores.events, stores.store, batchSize ? { batchSize } : {});
    for (const r of reports) {
      await stores.events.appendToStream(STREAM, [r], { expectedRevision: 'any' });
      await runner.catchUp();
    }
    return stores;
  }

  it('opens a SETTLEMENT_DRIFT on a short payout and resolves it when the later report adds up; in the payout-date period (Berlin), as finding counts only', async () => {
    const stores = await logOf([short]);
    const opened1 = (await stores.store.get<ExceptionDoc>('exceptions', DRIFT))!.doc;
    expect(opened1).to.include({ status: 'open', code: 'SETTLEMENT_DRIFT', owner: 'finance', component: 'settlement', subject: STREAM, period: '2024-06', openedAt: '2024-07-01T08:00:00.000Z' });
    expect((await stores.store.get<PeriodSummaryDoc>('period_summaries', '2024-06'))!.doc).to.deep.include({ orders: 0, byStatus: {}, byFindingCode: { SETTLEMENT_DRIFT: 1 } });

    await stores.events.appendToStream(STREAM, [corrected], { expectedRevision: 'any' });
    await buildRunner(stores.events, stores.store).catchUp();
    expect((await stores.store.get<ExceptionDoc>('exceptions', DRIFT))!.doc).to.include({ status: 'auto_resolved', findingPresent: false });
    expect((await stores.store.get<ReconciliationDoc>('reconciliations', STREAM))!.doc).to.deep.include({ status: 'matched', exceptionIds: [], findingCodes: [] });
    expect((await stores.store.get<PeriodSummaryDoc>('period_summaries', '2024-06'))!.doc.byFindingCode).to.deep.equal({});
  });

  it('the later report wins whatever the arrival order; duplicates and batch boundaries change nothing', async () => {
    const inOrder = await logOf([short, corrected]);
    const reversed = await logOf([corrected, short, corrected]);
    const oneBatch = open();
    opened.push(oneBatch);
    await oneBatch.events.appendToStream(STREAM, [short, corrected], { expectedRevision: 'any' });
    await buildRunner(oneBatch.events, oneBatch.store, { batchSize: 1 }).catchUp();
    const again = open();
    opened.push(again);
    await buildRunner(oneBatch.events, again.store, { batchSize: 1 }).catchUp();
    expect(await hashReadModels(again.store, ALL_COLLECTIONS)).to.equal(await hashReadModels(oneBatch.store, ALL_COLLECTIONS));
    // Only `evaluatedAt` (the ledger time of the last report seen) may differ.
    const { evaluatedAt: _at, ...expected } = (await inOrder.store.get<ReconciliationDoc>('reconciliations', STREAM))!.doc;
    expect(expected).to.deep.include({ status: 'matched', findingCodes: [], period: '2024-06' });
    for (const s of [reversed, oneBatch]) {
      const { evaluatedAt: _evaluatedAt, ...doc } = (await s.store.get<ReconciliationDoc>('reconciliations', STREAM))!.doc;
      expect(doc).to.deep.equal(expected);
      expect(await hashReadModels(s.store, ['period_summaries'])).to.equal(await hashReadModels(inOrder.store, ['period_summaries']));
    }
    expect(await reversed.store.get('exceptions', DRIFT)).to.equal(undefined);
  });

  it('the replay engine gives the live figures at every cut', async () => {
    const stores = await logOf([short, corrected]);
    const engine = new LogReplayEngine(stores.events);
    const [first] = await stores.events.readStream(STREAM);
    const atShort = await engine.replay({ bound: { position: first!.position }, now: '2024-07-01T08:30:00.000Z', policy: TEST_POLICY, period: '2024-06' });
    expect(atShort.counts).to.deep.equal({ orders: 0, byStatus: {}, byFindingCode: { SETTLEMENT_DRIFT: 1 }, unreadableStreams: 0 });
    expect(atShort.openExceptions).to.deep.equal([
      {
        exceptionId: DRIFT,
        code: 'SETTLEMENT_DRIFT',
        owner: 'finance',
        severity: 'error',
        subject: STREAM,
        component: 'settlement',
        status: 'open',
        openedAt: '2024-07-01T08:00:00.000Z',
        delta: { currency: 'EUR', gross: '-2.00' },
        explanation: 'PSP batch adyen B-9 (payout 2024-06-30): payout 95.00 EUR vs 97.00 explained by 1 line (gross 100.00 − 3.00 itemised fees): -2.00 EUR unexplained — ask adyen for the missing line or the corrected report',
      },
    ]);
    const atEnd = await engine.replay({ bound: { time: '2024-07-02T00:00:00.000Z' }, now: '2024-07-02T00:00:00.000Z', policy: TEST_POLICY, period: '2024-06' });
    expect(atEnd.counts.byFindingCode).to.deep.equal({});
    expect(atEnd.openExceptions).to.deep.equal([]);
    expect((await engine.replay({ bound: { time: '2024-07-02T00:00:00.000Z' }, now: '2024-07-02T00:00:00.000Z', policy: TEST_POLICY, period: '2024-07' })).counts.orders).to.equal(0);
  });
});
