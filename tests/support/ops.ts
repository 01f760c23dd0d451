import request from 'supertest';
import type { Clock } from '../../src/application/ports/clock.port';
import type { ApiTestService } from './api-service';
import { API_KEYS, auth } from './api-service';
import { basicAuth, localeEnvelope, scayleFixture, WEBHOOK_PASSWORD, WEBHOOK_USER } from './ingest';

/** Webhook credentials for services started by `startApiService` (which sets the API keys). */
export const WEBHOOK_ENV = { SCAYLE_WEBHOOK_USERNAME: WEBHOOK_USER, SCAYLE_WEBHOOK_PASSWORD: WEBHOOK_PASSWORD };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private at: Date) {}
  now(): Date {
    return new Date(this.at.getTime());
  }
  set(iso: string): void {
    this.at = new Date(iso);
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** The Scayle Admin API order fixture as order `id` (with its own payment reference). */
export function scayleOrder(id: number | string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const o = scayleFixture<{ payment: Record<string, unknown>[] }>('OrderGetResponse.json');
  return { ...o, id: Number(id), referenceKey: `ref-${id}`, publicKey: `pub-${id}`, payment: [{ ...o.payment[0], transactionKey: `tx-${id}` }], ...extra };
}

/** POSTs a webhook delivery (older envelope) with the test Basic credentials. */
export function postWebhook(api: ApiTestService, key: string, type: string, payload: object, occurredAt = '2024-06-01T10:00:00Z') {
  return request(api.server).post('/v1/ingest/scayle/webhooks').set('Authorization', basicAuth()).set('content-type', 'application/json').send(JSON.stringify(localeEnvelope(key, type, payload, occurredAt)));
}

/** A canonical ERP invoice for Scayle order `orderId` (the fixture order's amounts). */
export function erpInvoice(documentNumber: string, orderId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    documentType: 'invoice',
    documentNumber,
    revision: 1,
    status: 'posted',
    orderReference: orderId,
    postingDate: '2024-06-03',
    documentDate: '2024-06-03',
    currency: 'EUR',
    pricesIncludeTax: false,
    totals: { net: '11.68', tax: '2.22', gross: '13.90' },
    lines: [
      { lineNumber: 1, kind: 'item', orderItemIds: ['10976510'], quantity: '1', taxCode: 'VAT19', taxRate: '0.19', net: '10.00', tax: '1.90', gross: '11.90' },
      { lineNumber: 2, kind: 'shipping', quantity: '1', taxCode: 'VAT19', taxRate: '0.19', net: '1.68', tax: '0.32', gross: '2.00' },
    ],
    ...extra,
  };
}

export function postErp(api: ApiTestService, body: unknown) {
  return request(api.server).post('/v1/ingest/erp/documents').set(auth('integrator')).set('content-type', 'application/json').send(JSON.stringify(body));
}

/** A PSP batch with one capture line for `orderId`. */
export function pspBatch(batchId: string, orderId: string): Record<string, unknown> {
  return {
    provider: 'adyen',
    batchId,
    currency: 'EUR',
    payoutDate: '2024-06-05',
    payoutAmount: '10.70',
    lines: [{ lineId: 'L1', type: 'capture', paymentReference: `tx-${orderId}`, orderId, gross: '13.90', fee: '3.20', net: '10.70', currency: 'EUR', bookedAt: '2024-06-04T10:00:00Z' }],
  };
}

export function postPsp(api: ApiTestService, body: unknown) {
  return request(api.server).post('/v1/ingest/psp/settlements').set(auth('integrator')).set('content-type', 'application/json').send(JSON.stringify(body));
}

export { API_KEYS, auth };
