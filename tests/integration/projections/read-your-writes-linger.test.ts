/**
 * A projection batch lingers up to `LEDGER_PROJECTION_MAX_LATENCY` for more events (throughput), but
 * a reader waiting for a position (`minPosition`, the period close) has the batch that holds it
 * committed at once. Before, every read-your-writes query on a quiet service waited out the whole
 * linger (the trial measured 48–55 ms at the default 50 ms; here it is set to 1 s to tell).
 */
import { expect } from 'chai';
import request from 'supertest';
import type { ProjectionStatus } from '../../../src/application/ports/period-close.port';
import type { ProjectionMonitor } from '../../../src/application/ports/projection-monitor.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { LedgerService } from '../../../src/infrastructure/service';
import { basicAuth, bearer, INGEST_ENV, localeEnvelope, scayleFixture, storeOf } from '../../support/ingest';
import { tempDir } from '../../support/temp-dir';
import { testConfig } from '../../support/test-config';

const order = scayleFixture('OrderGetResponse.json');

for (const mode of ['worker', 'main'] as const) {
  describe(`read-your-writes does not wait out the projection linger (LEDGER_PROJECTION_THREAD=${mode})`, function () {
    this.timeout(30_000);
    const dir = tempDir();
    let service: LedgerService;
    const monitor = () => service.container.get<ProjectionMonitor>(TOKENS.ProjectionMonitor);
    const webhook = async (n: number): Promise<bigint> => {
      const res = await request(service.server)
        .post('/v1/ingest/scayle/webhooks')
        .set('Authorization', basicAuth())
        .set('content-type', 'application/json')
        .send(JSON.stringify(localeEnvelope(`linger-${mode}-${n}`, 'order-confirmed', { ...order, id: 7300 + n })))
        .expect(202);
      return BigInt(res.body.position as string);
    };
    const checkpoint = async () => (await monitor().status()).reduce((min, s) => (s.checkpoint < min ? s.checkpoint : min), (await monitor().status())[0]!.checkpoint);

    before(async () => {
      service = await LedgerService.start(testConfig(dir.path, { ...INGEST_ENV, LEDGER_PROJECTION_MAX_LATENCY: '1s', LEDGER_PROJECTION_THREAD: mode }), {}, false);
      expect(await monitor().waitForPosition(await storeOf(service).headPosition(), 10_000)).to.equal(true);
    });
    after(async () => {
      await service.stop();
      dir.remove();
    });

    it('a batch nobody waits for still lingers; a minPosition read has it committed at once and sees the order', async () => {
      const position = await webhook(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(await checkpoint() < position, 'not committed 300 ms in: the batch lingers for more events').to.equal(true);
      const started = Date.now();
      const list = await request(service.server).get(`/v1/reconciliations?minPosition=${position}`).set('Authorization', bearer('finance')).expect(200);
      const tookMs = Date.now() - started;
      expect(list.body.items.map((i: { streamId: string }) => i.streamId)).to.include('order-msde-DE-7301');
      expect(tookMs, `took ${tookMs} ms; the linger would have held it until 1 s after the webhook`).to.be.below(500);
    });

    it('the period close\'s wait and /v1/freshness?minPosition hurry the batch too, and freshness shows every view at the position', async () => {
      const position = await webhook(5);
      let started = Date.now();
      const progress = await service.container.get<ProjectionStatus>(TOKENS.ProjectionStatus).waitForPosition(position, 5_000);
      expect(Date.now() - started, 'the close waits for every view').to.be.below(500);
      for (const p of progress) expect(p.position >= position, `${p.name} at ${p.position}`).to.equal(true);
      const next = await webhook(6);
      started = Date.now();
      const fresh = await request(service.server).get(`/v1/freshness?minPosition=${next}`).set('Authorization', bearer('operations')).expect(200);
      expect(Date.now() - started).to.be.below(500);
      const views = fresh.body.projections as { name: string; position: string }[];
      expect(views.map((v) => v.name)).to.include.members(['reconciliation', 'order-history', 'freshness']);
      for (const v of views) expect(BigInt(v.position) >= next, `${v.name} at ${v.position}`).to.equal(true);
    });

    it('a read right after the write: answered without the linger, every time', async () => {
      for (let n = 2; n <= 4; n++) {
        const position = await webhook(n);
        const started = Date.now();
        await request(service.server).get(`/v1/periods/2018-01?minPosition=${position}`).set('Authorization', bearer('finance')).expect(200);
        const tookMs = Date.now() - started;
        expect(tookMs, `read ${n} took ${tookMs} ms`).to.be.below(500);
      }
    });
  });
}
