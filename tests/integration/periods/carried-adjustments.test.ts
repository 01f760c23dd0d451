/**
 * Late facts in the next open period's live summary (issue 7 item 3), end to end over HTTP: facts
 * for a closed month are carried into `GET /v1/periods/{next}` as `postCloseAdjustments` (live minus
 * snapshot, per source month), agree with `GET /v1/periods/{month}/adjustments`, move on when the next
 * month closes too, go away when the month is reopened and re-closed — and the closed snapshot never
 * changes (replay still matches).
 */
import { expect } from 'chai';
import request from 'supertest';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { addInvoice, addOrder, fakeClock, invoiceFor, mayOrder } from '../../support/period-fixtures';

interface Carried {
  period: string;
  snapshotId: string;
  cutPosition: string;
  totals: { scayle: Record<string, Record<string, Record<string, string>>>; erp: Record<string, Record<string, Record<string, string>>>; psp: Record<string, unknown> };
  counts: { orders: number; byStatus: Record<string, number>; byFindingCode: Record<string, number> };
}

describe('periods: late facts carried into the next open period (HTTP)', function () {
  this.timeout(30_000);
  let api: ApiTestService;
  const clock = fakeClock('2024-06-03T08:00:00.000Z');
  let closedHash: string;
  let lastPosition = 0n;

  const summary = async (period: string) => {
    const res = await request(api.server).get(`/v1/periods/${period}?minPosition=${String(lastPosition)}`).set(auth('finance'));
    expectResponseMatchesSpec(res, 'get', '/v1/periods/{period}');
    expect(res.status, res.text).to.equal(200);
    return res.body as { orders: number; totals: Record<string, Record<string, unknown>>; postCloseAdjustments: Carried[] };
  };
  const close = async (period: string) => {
    const res = await request(api.server).post(`/v1/periods/${period}/close`).set(auth('finance'));
    expect(res.status, res.text).to.equal(201);
    lastPosition = BigInt(res.body.position as string) > lastPosition ? BigInt(res.body.position as string) : lastPosition;
    return res.body as { hash: string; snapshotId: string; position: string };
  };

  before(async () => {
    api = await startApiService({}, { clock });
    for (const id of ['501', '502']) {
      const order = mayOrder(id);
      await addOrder(api.service, order);
      lastPosition = await addInvoice(api.service, order, invoiceFor(order, '2024-05-02'));
    }
    closedHash = (await close('2024-05')).hash;
  });
  after(() => api.dispose());

  it('right after the close nothing is carried: June shows an empty section, May (closed) carries into nothing', async () => {
    expect((await summary('2024-06')).postCloseAdjustments).to.deep.equal([]);
    expect((await summary('2024-05')).postCloseAdjustments).to.deep.equal([]);
  });

  it('late May facts (a new order, one mis-billed) show in June as carried-in adjustments of May, equal to May\'s adjustments; June\'s own figures and the May snapshot stay as they were', async () => {
    clock.set('2024-06-05T08:00:00.000Z');
    const late = mayOrder('503');
    await addOrder(api.service, late);
    await addInvoice(api.service, late, invoiceFor(late, '2024-05-31'), '2024-06-05T08:00:00.000Z');
    const wrong = mayOrder('504');
    await addOrder(api.service, wrong);
    lastPosition = await addInvoice(api.service, wrong, invoiceFor(wrong, '2024-05-31', { item1: { gross: '129.00', net: '108.40', tax: '20.60' } }), '2024-06-05T09:00:00.000Z');

    const june = await summary('2024-06');
    expect(june.orders).to.equal(0);
    expect(june.totals).to.deep.equal({ scayle: {}, erp: {}, psp: {} });
    expect(june.postCloseAdjustments).to.have.length(1);
    const [may] = june.postCloseAdjustments;
    expect(may).to.include({ period: '2024-05', snapshotId: '2024-05-v1' });
    expect(may!.counts.orders).to.equal(2);
    expect(may!.counts.byStatus).to.deep.equal({ drift: 1, matched: 1 });
    expect(may!.counts.byFindingCode.AMOUNT_MISMATCH).to.equal(1);
    // Two orders of 178.50 items each on the Scayle side; the ERP billed 10.00 more for 504.
    expect(may!.totals.scayle.EUR!.items).to.deep.equal({ gross: '357.00', net: '300.00', tax: '57.00' });
    expect(may!.totals.erp.EUR!.items!.gross).to.equal('367.00');

    const adjustments = await request(api.server).get('/v1/periods/2024-05/adjustments').set(auth('finance')).expect(200);
    expect(adjustments.body.carriedTo).to.equal('2024-06');
    expect(may!.cutPosition).to.equal(adjustments.body.position);
    expect(may!.totals).to.deep.equal(adjustments.body.totals);

    // The closed snapshot does not change; an audit replay still matches it.
    const latest = await request(api.server).get('/v1/periods/2024-05/snapshots/latest').set(auth('auditor')).expect(200);
    expect(latest.body.hash).to.equal(closedHash);
    expect(latest.body.snapshot.counts.orders).to.equal(2);
    const replay = await request(api.server).post('/v1/periods/2024-05/replay').set(auth('auditor')).send({}).expect(200);
    expect(replay.body.match).to.equal(true);
    // May's own live summary holds the late facts (it is the live view); it carries nothing itself.
    const mayLive = await summary('2024-05');
    expect(mayLive.orders).to.equal(4);
    expect(mayLive.postCloseAdjustments).to.deep.equal([]);
  });

  it('when June closes too, May\'s adjustments move on to July; reopening and re-closing May takes them into its new snapshot', async () => {
    clock.set('2024-07-02T08:00:00.000Z');
    await close('2024-06');
    expect((await summary('2024-06')).postCloseAdjustments).to.deep.equal([]);
    const july = await summary('2024-07');
    expect(july.postCloseAdjustments.map((a) => [a.period, a.snapshotId, a.counts.orders])).to.deep.equal([['2024-05', '2024-05-v1', 2]]);
    const adjustments = await request(api.server).get('/v1/periods/2024-05/adjustments').set(auth('finance')).expect(200);
    expect(adjustments.body.carriedTo).to.equal('2024-07');

    const reopen = await request(api.server).post('/v1/periods/2024-05/reopen').set(auth('finance')).send({ reason: 'take the late orders 503 and 504 into May' });
    expect(reopen.status, reopen.text).to.equal(200);
    lastPosition = BigInt(reopen.body.position as string);
    expect((await summary('2024-07')).postCloseAdjustments, 'a reopened May carries nothing: its live figures are May\'s again').to.deep.equal([]);
    const reclosed = await request(api.server).post('/v1/periods/2024-05/close').set(auth('finance')).send({ override: { reason: 'order 504 is with the ERP team' } });
    expect(reclosed.status, reclosed.text).to.equal(201);
    lastPosition = BigInt(reclosed.body.position as string);
    expect(reclosed.body.snapshot.counts.orders).to.equal(4);
    expect((await summary('2024-07')).postCloseAdjustments, 'version 2 holds them').to.deep.equal([]);
  });
});
