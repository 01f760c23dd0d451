/**
 * The re-evaluation a mapping change owes survives a crash in its middle: each step is committed
 * with its progress at the projection's checkpoint, a restart resumes it before any later event, and
 * the read models end equal to a clean rebuild from the log. Until it is done the projection's
 * position reads as just before the change (read-your-writes and the close wait).
 */
import { expect } from 'chai';
import { v4 as uuidv4 } from 'uuid';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import type { ReadModelStore, WriteOp } from '../../../src/application/ports/read-model-store.port';
import { MappedReconciliationPolicy } from '../../../src/application/mapping/mapped-reconciliation-policy';
import { MappingsService } from '../../../src/application/mapping/mappings.service';
import { TAX_CODE_MAPPINGS_STREAM } from '../../../src/domain/mapping/mapping.events';
import { deadLetterException, EXCEPTIONS, type ExceptionDoc } from '../../../src/projections/exception-queue';
import { OrderHistoryProjection } from '../../../src/projections/order-history.projection';
import { PERIOD_SUMMARIES, type PeriodSummaryDoc } from '../../../src/projections/period-summary';
import { rebuildProjections } from '../../../src/projections/rebuild';
import { REEVALUATION_ID, REEVALUATION_STEP, REEVALUATIONS, ReconciliationProjection, type ReevaluationDoc } from '../../../src/projections/reconciliation.projection';
import { ProjectionRunner } from '../../../src/projections/runner';
import { appendErpInvoice, orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { fixedClock, openStores, TEST_POLICY } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';

const ORDERS = 450;

async function replaceTaxCodes(events: EventStore, taxCode: string, at: string): Promise<bigint> {
  const res = await events.appendToStream(
    TAX_CODE_MAPPINGS_STREAM,
    [{ id: uuidv4(), type: 'TaxCodeMappingsReplaced', data: { entries: [{ countryCode: 'DE', rate: '0.19', taxCode }], changedAt: at, changedBy: 'finance:test' }, metadata: { source: 'ledger', occurredAt: at, recordedAt: at, schemaVersion: 1 } }],
    { expectedRevision: 'any' },
  );
  return res.position;
}

function projections(events: EventStore) {
  const policy = new MappedReconciliationPolicy({ ...TEST_POLICY }, new MappingsService(events, fixedClock));
  return [new ReconciliationProjection(events, policy, { timezone: TEST_POLICY.timezone }), new OrderHistoryProjection()];
}

const runner = (events: EventStore, store: ReadModelStore) => new ProjectionRunner(events, store, projections(events), fixedClock, { deadLetterWrites: (d) => [deadLetterException(d)] });

/** `store` whose commits fail (a crash) once a re-evaluation step would record more than `seen` orders done. */
function crashingAfter(store: ReadModelStore, seen: number): ReadModelStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'commit') {
        return async (writes: readonly WriteOp[], checkpoints?: never) => {
          const step = writes.find((w) => w.kind === 'upsert' && w.collection === REEVALUATIONS);
          if (step?.kind === 'upsert' && (step.doc as ReevaluationDoc).seen > seen) throw new Error('crash in the middle of the re-evaluation');
          return target.commit(writes, checkpoints);
        };
      }
      const value = (target as unknown as Record<string | symbol, unknown>)[key];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('projections: a mapping change re-evaluates every order with an ERP document, resumably', function () {
  this.timeout(120_000);
  const dir = tempDir();
  const { events, store } = openStores(dir.path);
  after(async () => {
    await store.close();
    await events.close();
    dir.remove();
  });

  const mappingErrors = async () => {
    const open: string[] = [];
    const resolved: string[] = [];
    for await (const d of store.scan<ExceptionDoc>(EXCEPTIONS)) {
      if (d.doc.code !== 'TAX_MAPPING_ERROR') continue;
      (d.doc.status === 'open' ? open : resolved).push(d.doc.orderId as string);
    }
    return { open: new Set(open).size, resolved: new Set(resolved).size };
  };

  it('a crash after the first step resumes on restart and converges to the rebuild', async () => {
    await replaceTaxCodes(events, 'DE19', '2024-05-01T08:00:00.000Z');
    // Even orders book DE19, odd ones VAT19; ten more orders have no ERP document at all.
    for (let i = 0; i < ORDERS; i++) {
      const order = orderSnapshot(String(5_000_000 + i));
      const stream = await seedOrder(events, order);
      await appendErpInvoice(events, stream, order, i % 2 === 0 ? 'DE19' : 'VAT19');
    }
    for (let i = 0; i < 10; i++) await seedOrder(events, orderSnapshot(String(6_000_000 + i)));
    await runner(events, store).catchUp();
    expect(await mappingErrors()).to.deep.equal({ open: ORDERS / 2, resolved: 0 });

    const change = await replaceTaxCodes(events, 'VAT19', '2024-05-05T08:00:00.000Z');
    const crashing = runner(events, crashingAfter(store, REEVALUATION_STEP));
    let crash: unknown;
    await crashing.catchUp().catch((err: unknown) => (crash = err));
    expect(String(crash)).to.contain('crash in the middle');
    const owed = await store.get<ReevaluationDoc>(REEVALUATIONS, REEVALUATION_ID);
    expect(owed?.doc).to.include({ position: String(change), now: '2024-05-05T08:00:00.000Z', seen: REEVALUATION_STEP });
    expect((await store.getCheckpoint('reconciliation')).position, 'the change itself is committed').to.equal(change);
    expect(crashing.checkpoints().find((c) => c.name === 'reconciliation')!.position, 'reads as just before the change while the work is owed').to.equal(change - 1n);
    const half = await mappingErrors();
    expect(half.resolved, 'some orders were re-evaluated before the crash, not all').to.be.greaterThan(0).and.lessThan(ORDERS / 2);

    // Restarted in the background (as the service starts it): from the moment start() returns, until
    // the resumed work is done, the position reads as just before the change, so read-your-writes,
    // /v1/freshness and the close wait (trial: a restart mid-way answered half-updated totals at once).
    const restarted = runner(events, store);
    await restarted.start();
    expect(restarted.checkpoints().find((c) => c.name === 'reconciliation')!.position).to.equal(change - 1n);
    expect(restarted.progress().projections.find((p) => p.name === 'reconciliation')).to.include({ owing: true, checkpoint: change, position: change - 1n });
    expect((await restarted.status()).find((s) => s.name === 'reconciliation')!.caughtUp).to.equal(false);
    expect(await restarted.waitForPosition(change, 60_000)).to.equal(true);
    await restarted.stop();
    expect(await store.get(REEVALUATIONS, REEVALUATION_ID), 'done: the progress document is gone').to.equal(undefined);
    expect(restarted.checkpoints().find((c) => c.name === 'reconciliation')!.position).to.equal(change);
    // The even orders (DE19) now fail the mapping, the odd ones (VAT19) no longer do.
    expect(await mappingErrors()).to.deep.equal({ open: ORDERS / 2, resolved: ORDERS / 2 });
    const resolvedAt = new Set<string>();
    for await (const d of store.scan<ExceptionDoc>(EXCEPTIONS)) if (d.doc.code === 'TAX_MAPPING_ERROR' && d.doc.status === 'auto_resolved') resolvedAt.add(d.doc.lastChangedAt);
    expect([...resolvedAt], 'resolved at the ledger time of the change').to.deep.equal(['2024-05-05T08:00:00.000Z']);
    const may = await store.get<PeriodSummaryDoc>(PERIOD_SUMMARIES, '2024-05');
    expect(may!.doc.byFindingCode).to.deep.include({ TAX_MAPPING_ERROR: (ORDERS / 2) * 3 });

    const results = await rebuildProjections(events, store, projections(events), fixedClock, { swap: false });
    const differing = results.flatMap((r) => r.diffs.filter((d) => d.onlyLive + d.onlyRebuilt + d.different > 0));
    expect(differing, JSON.stringify(differing)).to.deep.equal([]);
  });
});
