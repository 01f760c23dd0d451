import request from 'supertest';
import { v5 as uuidv5 } from 'uuid';
import type { ErpExportScheduler } from '../../src/application/erp-export/erp-export.scheduler';
import type { EventStore, RecordedEvent } from '../../src/application/ports/event-store.port';
import type { ErpExportStore } from '../../src/application/ports/erp-export-store.port';
import type { ScayleOrderFactType, ScayleOrderSnapshot } from '../../src/domain/order/order.events';
import { orderStreamId } from '../../src/domain/order/order.events';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../src/domain/shared/ids';
import { TOKENS } from '../../src/infrastructure/di/tokens';
import { auth, type ApiTestService } from './api-service';
import type { BusinessCentralStub } from './business-central-stub';

export const storeOf = (api: ApiTestService) => api.service.container.get<EventStore>(TOKENS.EventStore);
export const schedulerOf = (api: ApiTestService) => api.service.container.get<ErpExportScheduler>(TOKENS.ErpExportScheduler);
export const exportStoreOf = (api: ApiTestService) => api.service.container.get<ErpExportStore>(TOKENS.ErpExportStore);

/** Environment of a service exporting to the Business Central stub, with fast retries. */
export function bcEnv(stub: BusinessCentralStub): NodeJS.ProcessEnv {
  return {
    LEDGER_ERP_EXPORT_TARGET: 'business-central',
    BC_API_BASE_URL: stub.apiBaseUrl,
    BC_TOKEN_URL: stub.tokenUrl,
    BC_COMPANY_ID: stub.companyId,
    BC_CLIENT_ID: 'ledger',
    BC_CLIENT_SECRET: 'bc-secret',
    BC_CUSTOMER_NUMBER: '10000',
    ...FAST_EXPORT_ENV,
  };
}

export const FAST_EXPORT_ENV = {
  LEDGER_ERP_EXPORT_TIMEOUT: '200ms',
  LEDGER_ERP_EXPORT_RETRY_BASE: '10ms',
  LEDGER_ERP_EXPORT_RETRY_MAX: '40ms',
  LEDGER_ERP_EXPORT_MAX_ATTEMPTS: '4',
  LEDGER_ERP_FEE_ACCOUNTS: 'delivery:8400,*:8490',
  LEDGER_ERP_DISCOUNT_ACCOUNT: '8700',
};

/** Appends one Scayle order fact for `snapshot` (deterministic id from `key`); answers its stream. */
export async function appendScayleFact(store: EventStore, snapshot: ScayleOrderSnapshot, type: ScayleOrderFactType, key: string, at: string, itemIds?: string[]): Promise<string> {
  const stream = orderStreamId(snapshot.shopKey, snapshot.countryCode, snapshot.orderId);
  await store.appendToStream(
    stream,
    [
      {
        id: uuidv5(sourceEventName('scayle', key, type), LEDGER_EVENT_NAMESPACE),
        type,
        data: { order: snapshot, webhookKey: key, ...(itemIds ? { itemIds } : {}) },
        metadata: { source: 'scayle', sourceEventId: key, occurredAt: at, recordedAt: at, schemaVersion: 1 },
      },
    ],
    { expectedRevision: 'any' },
  );
  return stream;
}

/** Stores item and tax-code mappings through the API (role operations). */
export async function putMappings(api: ApiTestService, items: Record<string, string>, taxCodes: { country_code: string; rate: string; tax_code: string }[] = [{ country_code: 'DE', rate: '0.19', tax_code: 'DE19' }]): Promise<void> {
  await request(api.server)
    .put('/v1/mappings/items')
    .set(auth('operations'))
    .send({ entries: Object.entries(items).map(([variant_reference_key, erp_item_number]) => ({ variant_reference_key, erp_item_number })) })
    .expect(200);
  await request(api.server).put('/v1/mappings/tax-codes').set(auth('operations')).send({ entries: taxCodes }).expect(200);
}

export const ofType = (events: RecordedEvent[], type: string) => events.filter((e) => e.type === type);
