import { expect } from 'chai';
import { join } from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { LogReplayEngine } from '../../../src/application/period/log-replay.engine';
import { schemaVersionOf } from '../../../src/domain/event-schema/ledger-upcasters';
import type { ExceptionEvent } from '../../../src/domain/exception/exception.events';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../../src/domain/shared/ids';
import { erpUnlinkedStreamId, orderStreamId } from '../../../src/domain/shared/streams';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { seedOrder } from '../../support/order-fixtures';
import { invoiceFor, mayOrder } from '../../support/period-fixtures';
import { upcasting } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';

describe('LogReplayEngine', () => {
  const dir = tempDir();
  // The invoices below are stored as schema version 1 (written to the adapter); the engine reads
  // through the upcasting store, as in the service, and sees version 2.
  const store = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
  const engine = new LogReplayEngine(upcasting(store));
  const policy = { timezone: 'Europe/Berlin', erpProfile: { level: 'per_document' as const, mode: 'half_up' as const, pricesIncludeTax: true } };
  const order = mayOrder('1101');
  const doc = invoiceFor(order, '2024-05-02');
  const erpEvent = (id: string, recordedAt: string) => ({
    id: uuidv5(sourceEventName('erp', id, 'ErpInvoicePosted'), LEDGER_EVENT_NAMESPACE),
    type: 'ErpInvoicePosted',
    data: { document: doc },
    metadata: { source: 'erp' as const, sourceEventId: id, occurredAt: '2024-05-02T17:00:00.000Z', recordedAt, schemaVersion: 1 },
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  it('an ERP document parked in erp-unlinked counts as MISSING_IN_SCAYLE until it is linked into its order', async () => {
    await store.appendToStream(erpUnlinkedStreamId(doc.documentNumber), [erpEvent('parked', '2024-05-01T18:00:00.000Z')], { expectedRevision: 'no_stream' });
    const parked = await store.headPosition();
    await seedOrder(store, order);
    await store.appendToStream(orderStreamId('msde', 'DE', order.orderId), [erpEvent('linked', '2024-05-02T18:00:00.000Z')], { expectedRevision: 'any' });
    const now = '2024-06-03T08:00:00.000Z';

    const early = await engine.replay({ bound: { position: parked }, now, policy });
    expect(early.counts.byFindingCode).to.deep.equal({ MISSING_IN_SCAYLE: 1 });
    expect(early.eventsReplayed).to.equal(1);

    const all = await engine.replay({ bound: { position: await store.headPosition() }, now, policy, period: '2024-05' });
    expect(all.counts).to.deep.equal({ orders: 1, byStatus: { matched: 1 }, byFindingCode: {}, unreadableStreams: 0 });
    expect(all.totals.erp.EUR!.order!.gross).to.equal('183.45');
  });

  it('a time bound stops at the last event the ledger had recorded by then', async () => {
    const byTime = await engine.replay({ bound: { time: '2024-05-02T12:00:00.000Z' }, now: '2024-05-02T12:00:00.000Z', policy });
    expect(byTime.eventsReplayed).to.equal(3);
    expect(byTime.counts.byStatus, 'the parked document (not linked yet) and the order without invoice').to.deep.equal({ pending: 2 });
  });

  it('folds the exception decisions recorded up to the bound, by log position: written off is not open, reopened is open again (aged from the reopen)', async () => {
    const misbilled = mayOrder('1102');
    const stream = await seedOrder(store, misbilled);
    const bad = { ...invoiceFor(misbilled, '2024-05-02', { item1: { gross: '109.00', net: '91.60', tax: '17.40' } }), documentNumber: 'INV-1102' };
    await store.appendToStream(stream, [{ ...erpEvent('bad-1102', '2024-05-02T18:00:00.000Z'), id: uuidv5('bad-1102', LEDGER_EVENT_NAMESPACE), data: { document: bad } }], { expectedRevision: 'any' });
    const now = '2024-06-03T08:00:00.000Z';
    const at = async (position: bigint) => (await engine.replay({ bound: { position }, now, policy, period: '2024-05' })).openExceptions.filter((e) => e.orderId === '1102');
    const before = await at(await store.headPosition());
    const id = before.find((e) => e.code === 'AMOUNT_MISMATCH')!.exceptionId;
    const decide = async (event: ExceptionEvent) =>
      (
        await store.appendToStream(
          stream,
          [{ id: uuidv5(`${event.type}|${event.data.decidedAt}`, LEDGER_EVENT_NAMESPACE), type: event.type, data: event.data, metadata: { source: 'ledger', occurredAt: event.data.decidedAt, recordedAt: event.data.decidedAt, schemaVersion: schemaVersionOf(event.type) } }],
          { expectedRevision: 'any' },
        )
      ).position;
    const by = { exceptionId: id, decidedBy: 'finance:k1' };
    const assigned = await decide({ type: 'ExceptionAssigned', data: { ...by, decidedAt: '2024-05-03T09:00:00.000Z', assignee: 'anna' } });
    const writtenOff = await decide({ type: 'ExceptionResolved', data: { ...by, decidedAt: '2024-05-03T10:00:00.000Z', resolution: 'written_off', note: 'n' } });
    const reopened = await decide({ type: 'ExceptionReopened', data: { ...by, decidedAt: '2024-05-04T10:00:00.000Z', reason: 'r' } });

    expect(before.find((e) => e.exceptionId === id)).to.include({ status: 'open', openedAt: '2024-05-02T18:00:00.000Z' });
    expect((await at(assigned)).find((e) => e.exceptionId === id)).to.include({ status: 'assigned', assignee: 'anna' });
    expect((await at(writtenOff)).map((e) => e.exceptionId)).to.not.include(id);
    expect((await at(reopened)).find((e) => e.exceptionId === id)).to.include({ status: 'open', assignee: 'anna', openedAt: '2024-05-04T10:00:00.000Z' });
    expect(await at(writtenOff), 'the same bound replays to the same answer').to.deep.equal(await at(writtenOff));
  });

  it('leaves a stream it cannot read out of the figures and names the event from which it cannot be read; a later readable snapshot heals it', async () => {
    const stream = await seedOrder(store, mayOrder('1103'));
    const invoiced = (key: string, invoicedAt: string, updatedAt: string, recordedAt: string) => ({
      id: uuidv5(sourceEventName('scayle', key, 'ScayleOrderInvoiced'), LEDGER_EVENT_NAMESPACE),
      type: 'ScayleOrderInvoiced',
      data: { order: { ...mayOrder('1103'), invoicedAt, updatedAt }, webhookKey: key, scayleEventType: 'order-invoiced' },
      metadata: { source: 'scayle' as const, sourceEventId: key, occurredAt: recordedAt, recordedAt, schemaVersion: 1 },
    });
    const bad = invoiced('wh-1103-bad', 'garbage', '2024-06-02T10:00:00Z', '2024-06-02T10:00:00.000Z');
    const badAt = (await store.appendToStream(stream, [bad], { expectedRevision: 'any' })).position;
    const now = '2024-06-03T08:00:00.000Z';
    const may = await engine.replay({ bound: { position: badAt }, now, policy, period: '2024-05' });
    expect(may.counts.unreadableStreams).to.equal(1);
    expect(may.counts.orders, 'orders 1101 and 1102, not 1103').to.equal(2);
    const [listed] = may.openExceptions.filter((e) => e.exceptionId.endsWith('/unreadable'));
    expect(listed).to.include({ exceptionId: 'order-msde-DE-1103/SYNC_FAILURE/order/unreadable', subject: stream, orderId: '1103', openedAt: '2024-06-02T10:00:00.000Z' });
    expect(listed!.explanation).to.include(`ScayleOrderInvoiced ${bad.id} at position ${String(badAt)}`);
    const june = await engine.replay({ bound: { position: badAt }, now, policy, period: '2024-06' });
    expect(june.counts.unreadableStreams, 'counted in the month of its first ledger time, May').to.equal(0);
    const filtered = await engine.replay({ bound: { position: badAt }, now, policy, exceptionFilter: { owner: 'finance' } });
    expect(filtered.openExceptions.filter((e) => e.exceptionId.endsWith('/unreadable'))).to.deep.equal([]);

    const healed = (await store.appendToStream(stream, [invoiced('wh-1103-good', '2024-05-02T12:00:00Z', '2024-06-02T11:00:00Z', '2024-06-02T11:00:00.000Z')], { expectedRevision: 'any' })).position;
    const after = await engine.replay({ bound: { position: healed }, now, policy, period: '2024-05' });
    expect(after.counts).to.include({ orders: 3, unreadableStreams: 0 });
  });
});
