import { expect } from 'chai';
import { LEDGER_UPCASTERS, schemaVersionOf } from '../../../../src/domain/event-schema/ledger-upcasters';
import { schemaRefusalOf, upcastEvent, UnsupportedSchemaVersionError, UpcasterRegistry, type Upcaster } from '../../../../src/domain/event-schema/upcaster-registry';
import { erpDocumentDataV1toV2 } from '../../../../src/domain/order/order.upcasters';
import { reconcileOrder } from '../../../../src/domain/order/order.reconcile';
import { codes, erpDoc, LATER, policy, scayleFact, state, type Env } from '../support/builders';

/** A made-up type whose `amount` became `{value}` in v2 and gained `currency` in v3. */
const v1to2: Upcaster = (d) => ({ amount: { value: (d as { amount: string }).amount } });
const v2to3: Upcaster = (d, m) => ({ ...(d as object), currency: m.currency ?? 'EUR' });
const registry = new UpcasterRegistry({ Thing: [v1to2, v2to3] });
const event = (schemaVersion: unknown, data: unknown, extra: Record<string, unknown> = {}) => ({ id: 'ev-1', type: 'Thing', data, metadata: { schemaVersion, ...extra } });

describe('event upcasting', () => {
  describe('UpcasterRegistry', () => {
    it('chains upcasters from the stored version to the latest; types without a chain are at version 1', () => {
      expect(registry.latestVersion('Thing')).to.equal(3);
      expect(registry.latestVersion('Other')).to.equal(1);
      expect(registry.upcast('Thing', { amount: '1.00' }, { schemaVersion: 1 })).to.deep.equal({ amount: { value: '1.00' }, currency: 'EUR' });
      expect(registry.upcast('Thing', { amount: { value: '1.00' } }, { schemaVersion: 2, currency: 'CHF' })).to.deep.equal({ amount: { value: '1.00' }, currency: 'CHF' });
      const latest = { amount: { value: '1.00' }, currency: 'JPY' };
      expect(registry.upcast('Thing', latest, { schemaVersion: 3 })).to.equal(latest);
      expect(registry.upcast('Other', latest, {})).to.equal(latest); // no version: 1
      expect(registry.versions()).to.deep.equal({ Thing: 3 });
    });
    it('refuses a version above the latest, or one that is not a positive integer, naming type and versions', () => {
      for (const v of [4, 0, -1, 1.5, '2']) {
        expect(() => registry.upcast('Thing', {}, { schemaVersion: v }), String(v)).to.throw(UnsupportedSchemaVersionError, /Thing event has schema version .* reads versions 1–3/);
      }
      expect(() => registry.upcast('Other', {}, { schemaVersion: 2 })).to.throw(UnsupportedSchemaVersionError, /versions 1–1/);
      expect(() => new UpcasterRegistry({ Thing: [] })).to.throw(/empty/);
    });
  });

  describe('upcastEvent', () => {
    it('returns an event at the latest version as is (no copy)', () => {
      const e = event(3, { amount: { value: '1' }, currency: 'EUR' });
      expect(upcastEvent(registry, e)).to.equal(e);
    });
    it('copies an older event with its data upcast, the latest version and the stored one; the stored event is untouched', () => {
      const e = event(1, { amount: '2.50' }, { source: 'erp' });
      const up = upcastEvent(registry, e);
      expect(up).to.not.equal(e);
      expect(up).to.deep.equal({ id: 'ev-1', type: 'Thing', data: { amount: { value: '2.50' }, currency: 'EUR' }, metadata: { schemaVersion: 3, upcastFrom: 1, source: 'erp' } });
      expect(e).to.deep.equal(event(1, { amount: '2.50' }, { source: 'erp' }));
      expect(schemaRefusalOf(up)).to.equal(undefined);
    });
    it('a version from the future is refused, not guessed at: its data throws, the rest of the envelope reads', () => {
      const refused = upcastEvent(registry, event(7, { amount: 'whatever' }));
      expect(refused.id).to.equal('ev-1');
      expect(refused.type).to.equal('Thing');
      expect(refused.metadata.schemaVersion).to.equal(7);
      expect(() => refused.data).to.throw(UnsupportedSchemaVersionError, /Thing event ev-1 has schema version 7, but this release reads versions 1–3/);
      expect(() => JSON.stringify(refused)).to.throw(UnsupportedSchemaVersionError);
      expect(schemaRefusalOf(refused)).to.be.instanceOf(UnsupportedSchemaVersionError).and.include({ eventType: 'Thing', schemaVersion: 7, latestVersion: 3, eventId: 'ev-1' });
    });
  });

  describe('ERP document facts v1 → v2', () => {
    const document = erpDoc({ lines: [{ net: '1245.89', tax: '236.72', gross: '1482.61' }] });
    const q = { code: 'SUB_MINOR_UNIT_AMOUNT' as const, original: '1245.885', quantised: '1245.89', currency: 'EUR', mode: 'half_up' as const, field: 'salesInvoiceLines[2].netAmount' };

    it('every ERP event type is at version 2; other order events stay at 1', () => {
      for (const t of ['ErpInvoicePosted', 'ErpCreditMemoPosted', 'ErpSalesOrderRecorded', 'ErpPaymentRecorded']) expect(schemaVersionOf(t), t).to.equal(2);
      for (const t of ['ScayleOrderConfirmed', 'ScaylePaymentRefunded', 'PspSettlementLineRecorded', 'RefundRequested']) expect(schemaVersionOf(t), t).to.equal(1);
    });
    it('renames warnings to quantisedAmounts and makes the list explicit (empty when v1 had none)', () => {
      expect(erpDocumentDataV1toV2({ document, raw: '{…}', warnings: [q] }, {})).to.deep.equal({ document, raw: '{…}', quantisedAmounts: [q] });
      expect(erpDocumentDataV1toV2({ document }, {})).to.deep.equal({ document, quantisedAmounts: [] });
      expect(LEDGER_UPCASTERS.upcast('ErpCreditMemoPosted', { document }, { schemaVersion: 1 })).to.deep.equal({ document, quantisedAmounts: [] });
    });
    it('a v1 Business Central invoice read through the registry yields its DATA_QUALITY_WARNING, which v1 never raised', () => {
      const order = scayleFact('s1', 'ScayleOrderConfirmed', { items: [{ id: '1', gross: 148261, net: 124589, tax: 23672, rate: '0.19' }] });
      const stored = { id: 'e1', type: 'ErpInvoicePosted', data: { document, warnings: [q] }, metadata: { occurredAt: '2024-06-10T12:00:00Z', recordedAt: '2024-06-10T12:00:00Z', source: 'erp', schemaVersion: 1 } };
      const r = reconcileOrder(state(order, upcastEvent(LEDGER_UPCASTERS, stored) as Env), policy(), LATER);
      expect(codes(r)).to.deep.equal(['DATA_QUALITY_WARNING']);
      expect(r.status).to.equal('matched');
      expect(r.findings[0]).to.include({ owner: 'operations', component: 'order', documentNumber: 'SI-1', findingId: 'order-msde-DE-O1/DATA_QUALITY_WARNING/order/SI-1/salesInvoiceLines[2].netAmount/sub-minor' });
      expect(r.findings[0]!.explanation).to.equal('ERP SI-1 salesInvoiceLines[2].netAmount 1245.885 has more decimals than EUR allows; quantised to 1245.89 (half up) at ingestion');
    });
  });
});
