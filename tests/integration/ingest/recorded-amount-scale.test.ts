/**
 * The boundaries refuse amounts written with more fractional digits than the currency has ("11.680"
 * EUR), but logs written before they did may hold such facts: reading them (the reconciliation
 * query, the projections, the event history) must not break, and the same document posted again on
 * scale is the same document (a duplicate, not a 409).
 */
import { expect } from 'chai';
import request from 'supertest';
import type { EventData, EventStore } from '../../../src/application/ports/event-store.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { appendErpInvoice, orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';

type Amounts = { net: string; tax: string; gross: string };
type Document = { totals: Amounts; lines: (Amounts & Record<string, unknown>)[] } & Record<string, unknown>;

/** One more zero on every amount: "100.00" → "100.000". */
const padded = (a: Amounts): Amounts => ({ net: `${a.net}0`, tax: `${a.tax}0`, gross: `${a.gross}0` });

/** The invoice `appendErpInvoice` writes for order `orderId`, as the event it would append. */
async function invoiceEvent(stream: string, orderId: string): Promise<EventData> {
  let captured: EventData | undefined;
  const capture = { appendToStream: (_s: string, es: readonly EventData[]) => ((captured = es[0]), Promise.resolve({ nextExpectedRevision: 0n, position: 0n })) } as unknown as EventStore;
  await appendErpInvoice(capture, stream, orderSnapshot(orderId));
  return captured!;
}

describe('a recorded ERP fact with amounts written beyond the currency scale ("100.000" EUR)', function () {
  this.timeout(30_000);
  let api: ApiTestService;
  let onScale: Document;
  let position: bigint;

  before(async () => {
    api = await startApiService({ LEDGER_TIMEZONE: 'Europe/Berlin' }, { clock: { now: () => new Date('2024-05-03T00:00:00Z') } });
    const store = api.service.container.get<EventStore>(TOKENS.EventStore);
    const stream = await seedKnownOrder(api.service.container, orderSnapshot('980'));
    const event = await invoiceEvent(stream, '980');
    onScale = (event.data as { document: Document }).document;
    const old = { ...onScale, totals: padded(onScale.totals), lines: onScale.lines.map((l) => ({ ...l, ...padded(l) })) };
    ({ position } = await store.appendToStream(stream, [{ ...event, data: { document: old, quantisedAmounts: [] } }], { expectedRevision: 'any' }));
  });
  after(() => api.dispose());

  it('still reads: the live reconciliation matches, the projection agrees, the history shows the fact as recorded', async () => {
    const live = await request(api.server).get('/v1/orders/980/reconciliation').set(auth('finance')).expect(200);
    expect(live.body.status, JSON.stringify(live.body.findings)).to.equal('matched');
    expect(live.body.findings.map((f: { code: string }) => f.code)).to.not.include('DATA_QUALITY_WARNING');

    const projected = await request(api.server).get(`/v1/reconciliations?minPosition=${String(position)}`).set(auth('finance')).expect(200);
    const doc = projected.body.items.find((r: { orderId: string }) => r.orderId === '980');
    expect(doc.status).to.equal('matched');

    const history = await request(api.server).get('/v1/orders/980/events?type=ErpInvoicePosted').set(auth('auditor')).expect(200);
    expect(history.body.events).to.have.length(1);
    expect(history.body.events[0].data.document.totals).to.deep.equal({ net: '154.160', tax: '29.290', gross: '183.450' });
  });

  it('the same document posted now, on scale, is a duplicate of it; with a real difference it is a 409', async () => {
    const post = (body: unknown) => request(api.server).post('/v1/ingest/erp/documents').set(auth('integrator')).set('content-type', 'application/json').send(JSON.stringify(body));
    const again = await post(onScale);
    expect(again.status, JSON.stringify(again.body)).to.equal(202);
    expect(again.body.status).to.equal('duplicate');
    const changed = await post({ ...onScale, totals: { ...onScale.totals, gross: '183.46' } });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(409);
    expect(changed.body.code).to.equal('document_already_recorded');
  });
});
