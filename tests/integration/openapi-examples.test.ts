/**
 * The request examples of `openapi/openapi.yaml` are what integrators copy and what schemathesis'
 * examples phase sends first (the order they create is what its stateful phase follows links from):
 * each must be accepted as it stands.
 */
import { expect } from 'chai';
import request from 'supertest';
import { loadOpenApi } from '../../src/infrastructure/http/openapi';
import { auth, startApiService, type ApiTestService } from '../support/api-service';
import { basicAuth } from '../support/ingest';
import { WEBHOOK_ENV } from '../support/ops';
import { expectResponseMatchesSpec } from '../support/openapi-validator';

type Node = Record<string, unknown>;
const example = (path: string, name: string): unknown => {
  const paths = (loadOpenApi() as unknown as { paths: Record<string, Node> }).paths;
  const media = (((paths[path]!.post as Node).requestBody as Node).content as Node)['application/json'] as { examples: Record<string, { value: unknown }> };
  return media.examples[name]!.value;
};

describe('OpenAPI request examples are accepted as they stand', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService(WEBHOOK_ENV);
  });
  after(() => api?.dispose());

  it('the order-confirmed webhook creates order 901, and the ERP invoice example links to it', async () => {
    const webhook = await request(api.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(example('/v1/ingest/scayle/webhooks', 'orderConfirmed')));
    expect(webhook.status, webhook.text).to.equal(202);
    expectResponseMatchesSpec(webhook, 'post', '/v1/ingest/scayle/webhooks');
    expect(webhook.body.status).to.equal('accepted');
    const erp = await request(api.server).post('/v1/ingest/erp/documents').set(auth('integrator')).set('content-type', 'application/json').send(JSON.stringify(example('/v1/ingest/erp/documents', 'invoice')));
    expect(erp.status, erp.text).to.equal(202);
    expect(erp.body.status).to.equal('accepted');
    const order = await request(api.server).get('/v1/orders/901/reconciliation').set(auth('finance'));
    expect(order.status, order.text).to.equal(200);
    expect(order.body.totals.erp).to.not.deep.equal({});
  });
});
