import { expect } from 'chai';
import type { EventData } from '../../../src/application/ports/event-store.port';
import { exportUuid } from '../../../src/application/erp-export/erp-export.planner';
import type { OrderExportRequested } from '../../../src/domain/erp-export/erp-export.events';
import { planExports } from '../../../src/domain/erp-export/erp-export.plan';
import { orderStateFrom } from '../../../src/domain/order/order.state';
import type { OrderEventEnvelope } from '../../../src/domain/order/order.events';
import type { ExceptionDoc } from '../../../src/projections/exception-queue';
import type { ReconciliationDoc } from '../../../src/projections/reconciliation.projection';
import { appendScayleFact } from '../../support/erp-export';
import { orderSnapshot, seedOrder } from '../../support/order-fixtures';
import { buildRunner, openStores } from '../../support/projection-harness';
import { tempDir } from '../../support/temp-dir';

const ledger = (id: string, type: string, data: unknown, at: string): EventData => ({ id, type, data, metadata: { source: 'ledger', occurredAt: at, recordedAt: at, schemaVersion: 1 } });

describe('projections: the order\'s ERP export in the reconciliation view and the exception queue', () => {
  const dir = tempDir();
  const stores = openStores(dir.path);
  after(async () => {
    await stores.events.close();
    await stores.store.close();
    dir.remove();
  });

  it('a blocked export opens an operations SYNC_FAILURE exception that closes once the order is exported; exportState follows', async () => {
    const snapshot = orderSnapshot('1201');
    const stream = await seedOrder(stores.events, snapshot);
    await appendScayleFact(stores.events, snapshot, 'ScayleOrderInvoiced', 'inv-1201', '2024-05-02T12:00:00Z');
    const state = orderStateFrom((await stores.events.readStream(stream)) as unknown as OrderEventEnvelope<{ type: string; data: unknown }>[]);
    const request = planExports(state, { trigger: 'order-invoiced', saleDocumentKind: 'invoice', timezone: 'Europe/Berlin' }, exportUuid, '2024-05-02T12:15:00Z')[0]!;
    const base: Pick<OrderExportRequested['data'], 'exportId' | 'documentKind' | 'documentNumber'> = { exportId: request.exportId, documentKind: request.documentKind, documentNumber: request.documentNumber };
    await stores.events.appendToStream(
      stream,
      [
        ledger('a0000000-0000-4000-8000-000000001201', 'OrderExportRequested', request, '2024-05-02T12:15:00Z'),
        ledger('a0000000-0000-4000-8000-000000001202', 'ErpExportFailed', { ...base, reason: 'mapping_missing', attempt: 1, retriable: true, missing: [{ kind: 'tax_code', countryCode: 'DE', rate: '0.19' }], message: 'mapping missing', failedAt: '2024-05-02T12:15:01Z' }, '2024-05-02T12:15:01Z'),
      ],
      { expectedRevision: 'any' },
    );
    const runner = buildRunner(stores.events, stores.store);
    await runner.catchUp();
    const doc = (await stores.store.get<ReconciliationDoc>('reconciliations', stream))!.doc;
    expect(doc.findingCodes).to.include('SYNC_FAILURE');
    expect(doc.exportState).to.deep.include({ status: 'blocked' });
    const open = await stores.store.find<ExceptionDoc>('exceptions', { filter: { code: 'SYNC_FAILURE' }, limit: 10 });
    expect(open.items.map((e) => [e._id, e.doc.owner, e.doc.status])).to.deep.equal([[`${stream}/SYNC_FAILURE/order/erp-export:1201-INV1`, 'operations', 'open']]);
    expect(open.items[0]!.doc.explanation).to.match(/no ERP tax code for DE at rate 0\.19/);

    await stores.events.appendToStream(
      stream,
      [
        ledger('a0000000-0000-4000-8000-000000001203', 'OrderExportedToErp', { ...base, erpDocumentNumber: 'PS-INV-9', payloadHash: 'f'.repeat(64), target: 'business-central', attempt: 2, readBack: false, gross: '183.45', currency: 'EUR', exportedAt: '2024-05-02T13:00:00Z' }, '2024-05-02T13:00:00Z'),
      ],
      { expectedRevision: 'any' },
    );
    await runner.catchUp();
    const after = (await stores.store.get<ReconciliationDoc>('reconciliations', stream))!.doc;
    expect(after.findingCodes).to.not.include('SYNC_FAILURE');
    expect(after.exportState).to.deep.include({ status: 'exported' });
    const closed = await stores.store.get<ExceptionDoc>('exceptions', `${stream}/SYNC_FAILURE/order/erp-export:1201-INV1`);
    expect(closed!.doc.status).to.not.equal('open');
    await runner.stop();
  });
});
