/**
 * A mapping change re-evaluates the orders it can affect (trial of the fresh-user run): the live
 * reconciliations, exception queue and period summaries follow the new mappings, the close
 * pre-check names exactly what the snapshot then holds, and a rebuild from the log gives the same
 * read models.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import type { ReadModelStore } from '../../../src/application/ports/read-model-store.port';
import type { ReconciliationPolicyProvider } from '../../../src/application/ports/reconciliation-policy.port';
import type { Config } from '../../../src/infrastructure/config/config';
import { createProjections } from '../../../src/infrastructure/di/modules/projections.module';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { rebuildProjections } from '../../../src/projections/rebuild';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { basicAuth, localeEnvelope, scayleFixture, WEBHOOK_PASSWORD, WEBHOOK_USER } from '../../support/ingest';
import { fakeClock } from '../../support/period-fixtures';

const TAX = '/v1/mappings/tax-codes';

/** The fixture order as order `orderId` of the web channel, confirmed and invoiced on 10 May 2024. */
function webOrder(orderId: number): Record<string, unknown> {
  const order = scayleFixture<Record<string, unknown>>('OrderGetResponse.json');
  return { ...order, id: orderId, referenceKey: `ref-${orderId}`, createdAt: '2024-05-10T09:30:15+00:00', confirmedAt: '2024-05-10T09:31:15+00:00', updatedAt: '2024-05-10T12:00:00+00:00', channel: { ...(order.channel as object), type: 'web' } };
}

/** An ERP invoice for {@link webOrder} whose item and shipping lines carry these tax codes. */
function invoice(orderId: number, documentNumber: string, itemTaxCode: string, shippingTaxCode: string): Record<string, unknown> {
  return {
    documentType: 'invoice',
    documentNumber,
    revision: 1,
    status: 'posted',
    orderReference: String(orderId),
    postingDate: '2024-05-11',
    documentDate: '2024-05-11',
    currency: 'EUR',
    pricesIncludeTax: false,
    totals: { net: '11.68', tax: '2.22', gross: '13.90' },
    lines: [
      { lineNumber: 1, kind: 'item', orderItemIds: ['10976510'], quantity: '1', taxCode: itemTaxCode, taxRate: '0.19', net: '10.00', tax: '1.90', gross: '11.90' },
      { lineNumber: 2, kind: 'shipping', quantity: '1', taxCode: shippingTaxCode, taxRate: '0.19', net: '1.68', tax: '0.32', gross: '2.00' },
    ],
  };
}

interface Exception {
  exceptionId: string;
  code: string;
  orderId?: string;
  status: string;
}

describe('projections: a mapping change re-evaluates the orders it can affect (HTTP)', function () {
  this.timeout(60_000);
  let api: ApiTestService;
  const clock = fakeClock('2024-05-10T13:00:00.000Z');
  let position = 0n;
  const track = (res: request.Response) => {
    expect(res.status, res.text).to.be.oneOf([200, 201, 202]);
    if (res.body.position) position = BigInt(res.body.position as string);
    return res;
  };
  const webhook = async (key: string, type: string, payload: object) =>
    track(await request(api.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope(key, type, payload, '2024-05-10T12:00:00Z'))));
  const erp = async (body: object) => track(await request(api.server).post('/v1/ingest/erp/documents').set(auth('integrator')).send(body));
  const mappings = async (entries: object[]) => track(await request(api.server).put(TAX).set(auth('finance')).send({ entries }));
  const queue = async (query: string): Promise<Exception[]> => {
    const res = await request(api.server).get(`/v1/exceptions?${query}&limit=500&minPosition=${String(position)}`).set(auth('finance'));
    expect(res.status, res.text).to.equal(200);
    return res.body.items as Exception[];
  };

  before(async () => {
    api = await startApiService({ SCAYLE_WEBHOOK_USERNAME: WEBHOOK_USER, SCAYLE_WEBHOOK_PASSWORD: WEBHOOK_PASSWORD }, { clock });
  });
  after(() => api.dispose());

  it('trial: the fixed mapping clears the exception live and in the period summary, the replaced one opens another; close and rebuild agree', async () => {
    // 7800001 books DE-NEW19 on both lines, 7800002 DE-VAT19 on the item and DE-NEW19 on shipping.
    await mappings([{ country_code: 'DE', rate: '0.19', tax_code: 'DE-VAT19' }]);
    for (const [id, doc, itemCode] of [[7800001, 'SI-MAP-1', 'DE-NEW19'], [7800002, 'SI-MAP-2', 'DE-VAT19']] as const) {
      await webhook(`map-confirmed-${id}`, 'order-confirmed', webOrder(id));
      await webhook(`map-invoiced-${id}`, 'order-invoiced', webOrder(id));
      await erp(invoice(id, doc, itemCode, 'DE-NEW19'));
    }
    const ids = async (orderId: string, status: string) => (await queue(`code=TAX_MAPPING_ERROR&status=${status}`)).filter((e) => e.orderId === orderId).map((e) => e.exceptionId).sort();
    const summary = async () => {
      const res = await request(api.server).get(`/v1/periods/2024-05?minPosition=${String(position)}`).set(auth('finance'));
      expect(res.status, res.text).to.equal(200);
      return { byFindingCode: res.body.byFindingCode, byStatus: res.body.byStatus };
    };
    expect(await ids('7800001', 'open')).to.deep.equal(['order-msde-DE-7800001/TAX_MAPPING_ERROR/items/SI-MAP-1#1', 'order-msde-DE-7800001/TAX_MAPPING_ERROR/shipping/SI-MAP-1#2']);
    expect(await ids('7800002', 'open')).to.deep.equal(['order-msde-DE-7800002/TAX_MAPPING_ERROR/shipping/SI-MAP-2#2']);
    expect(await summary()).to.deep.equal({ byFindingCode: { TAX_MAPPING_ERROR: 3 }, byStatus: { drift: 2 } });

    // The mapping set is replaced: DE 19 % on the web channel is DE-NEW19 now (DE-VAT19 is gone).
    clock.set('2024-05-12T09:00:00.000Z');
    await mappings([{ country_code: 'DE', rate: '0.19', tax_code: 'DE-NEW19', channel_type: 'web' }]);
    const live = await request(api.server).get('/v1/orders/7800001/reconciliation').set(auth('finance')).expect(200);
    expect(live.body.status).to.equal('matched');
    expect(await ids('7800001', 'open'), 'the fixed mapping clears the live queue').to.deep.equal([]);
    const cleared = (await queue('code=TAX_MAPPING_ERROR&status=auto_resolved')).filter((e) => e.orderId === '7800001');
    expect(cleared.map((e) => [e.exceptionId, e.status, (e as unknown as { lastChangedAt: string }).lastChangedAt])).to.deep.equal([
      ['order-msde-DE-7800001/TAX_MAPPING_ERROR/items/SI-MAP-1#1', 'auto_resolved', '2024-05-12T09:00:00.000Z'],
      ['order-msde-DE-7800001/TAX_MAPPING_ERROR/shipping/SI-MAP-1#2', 'auto_resolved', '2024-05-12T09:00:00.000Z'],
    ]);
    expect(await ids('7800002', 'open'), 'the replaced mapping breaks the line that matched, and fixes the other').to.deep.equal(['order-msde-DE-7800002/TAX_MAPPING_ERROR/items/SI-MAP-2#1']);
    expect(await summary(), 'the period summary follows').to.deep.equal({ byFindingCode: { TAX_MAPPING_ERROR: 1 }, byStatus: { drift: 1, matched: 1 } });

    // The close pre-check names exactly what the snapshot then holds open.
    clock.set('2024-06-03T08:00:00.000Z');
    const refused = await request(api.server).post('/v1/periods/2024-05/close').set(auth('finance'));
    expect(refused.status, refused.text).to.equal(422);
    const blocking = refused.body.exceptions.map((e: Exception) => e.exceptionId);
    expect(blocking).to.deep.equal(['order-msde-DE-7800002/TAX_MAPPING_ERROR/items/SI-MAP-2#1']);
    const accepted = await request(api.server).post('/v1/periods/2024-05/close').set(auth('finance')).send({ override: { reason: 'ERP re-books SI-MAP-2 in June' } });
    expect(accepted.status, accepted.text).to.equal(201);
    expect(accepted.body.snapshot.openExceptions.map((e: Exception) => e.exceptionId)).to.deep.equal(blocking);
    expect(accepted.body.snapshot.counts).to.deep.include({ byFindingCode: { TAX_MAPPING_ERROR: 1 } });
    expect(accepted.body.snapshot.counts.byStatus).to.include({ matched: 1, drift: 1 });

    // `scayle-ledger projections rebuild --dry-run`: a rebuild from the log gives the same read models.
    const container = api.service.container;
    const log = container.get<EventStore>(TOKENS.EventStore);
    const projections = createProjections(container.get<Config>(TOKENS.Config), log, container.get<ReconciliationPolicyProvider>(TOKENS.ReconciliationPolicy));
    const results = await rebuildProjections(log, container.get<ReadModelStore>(TOKENS.ReadModelStore), projections, { now: () => new Date() }, { swap: false });
    const differing = results.flatMap((r) => r.diffs.filter((d) => d.onlyLive + d.onlyRebuilt + d.different > 0));
    expect(differing, JSON.stringify(differing)).to.deep.equal([]);
    const reconciliation = results.find((r) => r.projection === 'reconciliation')!;
    expect(reconciliation.diffs.map((d) => [d.collection, d.live])).to.deep.include.members([['reconciliations', 2], ['period_summaries', 1]]);
  });
});
