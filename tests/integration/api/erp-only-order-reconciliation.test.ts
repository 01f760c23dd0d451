import { expect } from 'chai';
import request from 'supertest';
import { startApiService, type ApiTestService } from '../../support/api-service';
import { head } from '../../support/ingest';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { auth, erpInvoice, ManualClock, postErp, postWebhook, scayleOrder, WEBHOOK_ENV } from '../../support/ops';

const PATH = '/v1/orders/{orderId}/reconciliation';

/** The fields a list row and the single route share (the row adds its stream, exceptions, review time…). */
const SHARED = ['subject', 'orderId', 'status', 'period', 'pending', 'findings', 'totals', 'position'] as const;
const shared = (body: Record<string, unknown>) => Object.fromEntries(SHARED.map((k) => [k, body[k]]));

/**
 * An ERP document naming an order id Scayle never had waits in `erp-unlinked-<documentNumber>` and
 * is listed by `GET /v1/reconciliations` with that id as `orderId` (MISSING_IN_SCAYLE). Clicking
 * through to `GET /v1/orders/{orderId}/reconciliation` with the same id must answer the same
 * reconciliation, not 404.
 */
describe('GET /v1/orders/{orderId}/reconciliation for an id only ERP documents name', function () {
  this.timeout(30_000);
  // Weeks after the posting date: a parked document is MISSING_IN_SCAYLE at once (grace window over).
  const clock = new ManualClock(new Date('2024-07-10T08:00:00Z'));
  let api: ApiTestService;
  const get = (path: string) => request(api.server).get(path).set(auth('finance'));
  const rowsOf = async (orderId: string, at: string) => {
    const list = await get(`/v1/reconciliations?code=MISSING_IN_SCAYLE&minPosition=${at}`).expect(200);
    return (list.body.items as Record<string, unknown>[]).filter((r) => r.orderId === orderId);
  };

  before(async () => {
    api = await startApiService(WEBHOOK_ENV, { clock });
  });
  after(() => api.dispose());

  it('answers the reconciliation the list shows for that id', async () => {
    const parked = await postErp(api, erpInvoice('SI-9101', '9101')).expect(202);
    const [row, ...others] = await rowsOf('9101', parked.body.position);
    expect(others).to.deep.equal([]);
    expect(row).to.include({ streamId: 'erp-unlinked-SI-9101', subject: 'order-unknown-9101', orderId: '9101', status: 'drift', period: '2024-06' });

    const single = await get('/v1/orders/9101/reconciliation').expect(200);
    expectResponseMatchesSpec(single, 'get', PATH);
    expect(shared(single.body)).to.deep.equal(shared(row!));
    expect(single.body.findings.map((f: { code: string }) => f.code)).to.deep.equal(['MISSING_IN_SCAYLE']);
    expect(single.body.findings.map((f: { findingId: string }) => f.findingId)).to.deep.equal(row!.exceptionIds);
    expect(single.body.evaluatedAt).to.equal('2024-07-10T08:00:00.000Z');
  });

  it('reconciles every document naming the id together, as the order stream will once the order appears', async () => {
    const credit = erpInvoice('CM-9101', '9101', { documentType: 'credit_memo', postingDate: '2024-06-20', documentDate: '2024-06-20' });
    const second = await postErp(api, credit).expect(202);
    const rows = await rowsOf('9101', second.body.position);
    expect(rows.map((r) => r.streamId)).to.deep.equal(['erp-unlinked-CM-9101', 'erp-unlinked-SI-9101']);

    const single = await get('/v1/orders/9101/reconciliation').expect(200);
    expectResponseMatchesSpec(single, 'get', PATH);
    expect(single.body).to.include({ subject: 'order-unknown-9101', orderId: '9101', status: 'drift', period: '2024-06', position: second.body.position });
    expect(single.body.findings.map((f: { findingId: string }) => f.findingId)).to.have.members(rows.flatMap((r) => r.exceptionIds as string[]));
    expect(single.body.findings.map((f: { documentNumber: string }) => f.documentNumber)).to.have.members(['SI-9101', 'CM-9101']);
  });

  it('answers as of a position before the second document with the first one alone', async () => {
    const first = (await rowsOf('9101', '0')).find((r) => r.streamId === 'erp-unlinked-SI-9101')!;
    const asOf = await get(`/v1/orders/9101/reconciliation?asOf=${String(first.position)}`).expect(200);
    expectResponseMatchesSpec(asOf, 'get', PATH);
    expect(asOf.body).to.include({ subject: 'order-unknown-9101', orderId: '9101', period: '2024-06', position: first.position });
    expect(asOf.body.findings.map((f: { documentNumber: string }) => f.documentNumber)).to.deep.equal(['SI-9101']);
  });

  it('answers the order stream once the order appears and the documents are linked into it', async () => {
    await postWebhook(api, 'confirm-9101', 'order-confirmed', scayleOrder(9101), '2024-06-02T10:00:00Z').expect(202);
    const at = String(await head(api.service));
    expect(await rowsOf('9101', at)).to.deep.equal([]);
    const single = await get('/v1/orders/9101/reconciliation').expect(200);
    expectResponseMatchesSpec(single, 'get', PATH);
    expect(single.body).to.include({ subject: 'order-msde-DE-9101', orderId: '9101' });
    expect(single.body.findings.map((f: { code: string }) => f.code)).to.not.include('MISSING_IN_SCAYLE');
  });

  it('still 404 for an id neither Scayle nor any ERP document names', async () => {
    const missing = await get('/v1/orders/9199/reconciliation').expect(404);
    expectResponseMatchesSpec(missing, 'get', PATH);
    expect(missing.body).to.include({ status: 404 });
    expect(missing.body.detail).to.contain('9199');
    const missingAsOf = await get('/v1/orders/9199/reconciliation?asOf=1').expect(404);
    expectResponseMatchesSpec(missingAsOf, 'get', PATH);
  });
});
