import { expect } from 'chai';
import request from 'supertest';
import { createLogger } from '../../../src/infrastructure/logging/logger';
import { API_KEYS, auth, startApiService, type ApiTestService } from '../../support/api-service';
import { basicAuth, localeEnvelope, streamEvents, WEBHOOK_PASSWORD } from '../../support/ingest';
import { erpInvoice, postErp, scayleOrder, WEBHOOK_ENV } from '../../support/ops';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import type { FreshnessProjection } from '../../../src/infrastructure/freshness/freshness.projection';

/** Customer personal data planted in Scayle payloads: none of it may reach a log line. */
const PII = {
  email: 'zorblax.quux@pii-marker.example',
  firstName: 'Zorblaxine',
  lastName: 'Quuxington-Marker',
  phone: '+49 1512 9998877',
  street: 'Geheimweg-Marker',
  houseNumber: '77b-marker',
  zipCode: 'ZIP-73921',
  city: 'Verborgenstadt',
};

function orderWithPii(id: number): Record<string, unknown> {
  const recipient = { firstName: PII.firstName, lastName: PII.lastName, type: 'personal' };
  const address = { street: PII.street, houseNumber: PII.houseNumber, zipCode: PII.zipCode, city: PII.city, countryCode: 'DEU', recipient, phone: PII.phone };
  return scayleOrder(id, {
    customer: { id: 1, email: PII.email, firstName: PII.firstName, lastName: PII.lastName, phone: PII.phone },
    address: { billing: address, shipping: address },
    contacts: [{ type: 'phone', value: PII.phone }, { type: 'email', value: PII.email }],
  });
}

describe('logs: correlation ids, and no secrets or personal data', function () {
  this.timeout(30_000);
  const lines: string[] = [];
  let api: ApiTestService;

  before(async () => {
    const logger = createLogger('trace', { write: (s: string) => void lines.push(s) });
    api = await startApiService(WEBHOOK_ENV, { logger });
  });
  after(() => api.dispose());

  it('real requests carrying personal data and credentials leave none of it in the log', async () => {
    const post = (body: string, authz = basicAuth(), correlation?: string) => {
      const r = request(api.server).post('/v1/ingest/scayle/webhooks').set('Authorization', authz).set('content-type', 'application/json');
      return (correlation ? r.set('X-Correlation-Id', correlation) : r).send(body);
    };
    await post(JSON.stringify(localeEnvelope('pii-1', 'order-confirmed', orderWithPii(4711))), basicAuth(), 'corr-pii-accepted').expect(202);
    await post(JSON.stringify(localeEnvelope('pii-2', 'order-confirmed', { ...orderWithPii(4712), items: [] }))).expect(202); // kept as IngestionFailed
    await post(`{"key":"pii-3","payload":{"customer":{"email":"${PII.email}","firstName":"${PII.firstName}"`).expect(400); // truncated JSON
    await post(JSON.stringify(localeEnvelope('pii-4', 'order-confirmed', orderWithPii(4713))), basicAuth('scayle', 'wrong-password-marker-991')).expect(401);
    await post(JSON.stringify({ key: 'pii-5', type: 'order-confirmed', payload: orderWithPii(4714) })).expect(400); // envelope without occurredAt
    await request(api.server).get('/v1/orders/4711/events?cursor=' + encodeURIComponent(PII.email)).set(auth('finance'));
    await request(api.server).get('/v1/orders/4711/events').set('Authorization', 'Bearer unknown-key-marker-0123456789').expect(401);
    await postErp(api, erpInvoice('SI-PII', '4711', { customerName: PII.lastName })).then((r) => expect(r.status).to.be.oneOf([202, 400]));
    const head = (await streamEvents(api.service, 'order-msde-DE-4711')).at(-1)!.position;
    await api.service.container.get<FreshnessProjection>(TOKENS.FreshnessProjection).waitForPosition(head, 5000);

    const log = lines.join('');
    expect(lines.length, 'the requests were logged').to.be.greaterThan(8);
    for (const [field, value] of Object.entries(PII)) expect(log, `${field} leaked into the log`).to.not.contain(value);
    for (const secret of [WEBHOOK_PASSWORD, 'wrong-password-marker-991', 'unknown-key-marker-0123456789', ...Object.values(API_KEYS)]) expect(log, 'a credential leaked into the log').to.not.contain(secret);
    expect(log).to.not.match(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(log).to.not.match(/Bearer \S{8,}/);
  });

  it('carries the correlation id from the request line to the event metadata and the projection', async () => {
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requestLine = parsed.find((l) => l.correlationId === 'corr-pii-accepted' && (l.res as { statusCode?: number } | undefined)?.statusCode === 202);
    expect(requestLine, 'the request log line').to.not.equal(undefined);
    expect(requestLine).to.include({ level: 'info', service: 'scayle-erp-ledger' });
    const [event] = await streamEvents(api.service, 'order-msde-DE-4711');
    expect(event!.metadata.correlationId).to.equal('corr-pii-accepted');
    const projectionLine = parsed.find((l) => l.correlationId === 'corr-pii-accepted' && l.component === 'freshness');
    expect(projectionLine, 'the projection log line').to.deep.include({ eventId: event!.id, type: 'ScayleOrderConfirmed' });
  });
});
