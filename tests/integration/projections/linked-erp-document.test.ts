import { expect } from 'chai';
import request from 'supertest';
import { startApiService, type ApiTestService } from '../../support/api-service';
import { head, streamEvents } from '../../support/ingest';
import { auth, erpInvoice, ManualClock, postErp, postWebhook, scayleOrder, WEBHOOK_ENV } from '../../support/ops';

/**
 * An ERP document that arrives before its Scayle order waits in `erp-unlinked-<documentNumber>` and
 * is linked into the order stream when the order appears. From then on the parked copy is no order
 * of its own: the live views must drop it — as the close snapshot and the audit replay do — instead
 * of keeping a MISSING_IN_SCAYLE that no later fact clears.
 */
describe('reconciliation projection: an ERP document parked, then linked to its order', function () {
  this.timeout(30_000);
  // Weeks after the posting date: a parked document is MISSING_IN_SCAYLE at once (grace window over).
  const clock = new ManualClock(new Date('2024-07-10T08:00:00Z'));
  let api: ApiTestService;
  const get = (path: string) => request(api.server).get(path).set(auth('finance'));

  before(async () => {
    api = await startApiService(WEBHOOK_ENV, { clock });
  });
  after(() => api.dispose());

  it('resolves the parked copy’s MISSING_IN_SCAYLE and takes it out of the reconciliations and the period summary', async () => {
    const parked = await postErp(api, erpInvoice('SI-7701', '7701')).expect(202);
    const exceptionId = 'order-unknown-7701/MISSING_IN_SCAYLE/order/SI-7701';
    const path = `/v1/exceptions/${encodeURIComponent(exceptionId)}`;
    const before = await get(`${path}?minPosition=${parked.body.position}`).expect(200);
    expect(before.body).to.include({ status: 'open', streamId: 'erp-unlinked-SI-7701' });
    expect((await get(`/v1/periods/2024-06?minPosition=${parked.body.position}`).expect(200)).body).to.deep.include({ orders: 1, byFindingCode: { MISSING_IN_SCAYLE: 1 } });

    await postWebhook(api, 'link-7701', 'order-confirmed', scayleOrder(7701), '2024-06-02T10:00:00Z').expect(202);
    const linked = (await streamEvents(api.service, 'order-msde-DE-7701')).find((e) => e.metadata.linkedFrom === 'erp-unlinked-SI-7701');
    expect(linked, 'the document was linked into the order stream').to.not.equal(undefined);
    const at = String(await head(api.service));

    const after = await get(`${path}?minPosition=${at}`).expect(200);
    expect(after.body.status, 'the parked copy’s finding is gone').to.equal('auto_resolved');
    expect(after.body.findingPresent).to.equal(false);
    const active = await get(`/v1/exceptions?code=MISSING_IN_SCAYLE&minPosition=${at}`).expect(200);
    expect(active.body.items).to.deep.equal([]);
    const recs = await get(`/v1/reconciliations?minPosition=${at}`).expect(200);
    expect(recs.body.items.map((r: { streamId: string }) => r.streamId)).to.deep.equal(['order-msde-DE-7701']);
    const summary = (await get(`/v1/periods/2024-06?minPosition=${at}`).expect(200)).body;
    // The fixture order itself falls in 2018-01; June held only the parked copy.
    expect(summary).to.deep.include({ orders: 0, byStatus: {}, byFindingCode: {} });
  });
});
