import { expect } from 'chai';
import { Money } from '../../../../src/domain/shared/money';
import { expectedErpDocument } from '../../../../src/domain/shared/tax';
import { FINDING_CODE_LIST } from '../../../../src/domain/shared/findings';
import { runSimulation } from '../../../../src/application/simulation/simulator';
import { FAULT_KINDS, FAULTS } from '../../../../src/application/simulation/faults';
import { DEFAULT_SIMULATION, type SimRecord, type SimulationConfig } from '../../../../src/application/simulation/simulation.types';
import { stringifyWithRawNumbers, bcNumber } from '../../../../src/application/simulation/erp-documents';
import { monthBounds } from '../../../../src/application/simulation/calendar';

type Json = Record<string, unknown> & { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function run(config: Partial<SimulationConfig> & { orders: number; seed: number }) {
  const records: SimRecord[] = [];
  const result = runSimulation({ ...DEFAULT_SIMULATION, ...config }, (r) => records.push(r));
  return { records, ...result };
}

const webhooks = (records: SimRecord[]): Json[] => records.filter((r) => r.kind === 'scayle_webhook').map((r) => JSON.parse(r.body) as Json);
const cents = (n: number) => BigInt(n);

describe('simulator', () => {
  const small = run({ orders: 300, seed: 11, faultRate: 0.15 });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = run({ orders: 300, seed: 11, faultRate: 0.15 });
    expect(again.records.map((r) => r.body)).to.deep.equal(small.records.map((r) => r.body));
    expect(JSON.stringify(again.truth)).to.equal(JSON.stringify(small.truth));
    const other = run({ orders: 300, seed: 12, faultRate: 0.15 });
    expect(other.records[0]!.body).to.not.equal(small.records[0]!.body);
  });

  it('labels one fault per faulted order and covers every fault kind of the catalogue', () => {
    const codes = new Set(small.truth.labels.map((l) => l.code));
    for (const k of FAULT_KINDS) expect(codes, k).to.include(FAULTS[k].code);
    for (const c of codes) expect(FINDING_CODE_LIST).to.include(c);
    const faulted = small.truth.orderTruth.filter((o) => !o.clean).map((o) => o.orderId);
    expect(small.truth.labels.map((l) => l.orderId).sort()).to.deep.equal(faulted.sort());
    expect(small.summary.cleanOrders + small.summary.faultedOrders).to.equal(300);
  });

  it('writes Scayle webhooks in both envelope generations with the real Order shape', () => {
    const all = webhooks(small.records);
    const locale = all.filter((w) => 'locale' in w);
    const meta = all.filter((w) => 'meta' in w);
    expect(locale.length).to.be.greaterThan(0);
    expect(meta.length).to.be.greaterThan(0);
    for (const w of meta) expect(w.version).to.equal(1);
    const types = new Set(all.map((w) => w.type));
    for (const t of ['order-confirmed', 'order-delegated', 'order-package-shipped', 'order-invoiced', 'order-item-returned', 'payment-capture', 'payment-refund']) expect(types, t).to.include(t);
    expect([...types].some((t) => /order-item-cancel+ed/.test(t))).to.equal(true);
    for (const w of all) {
      expect(w).to.have.keys(w.locale ? ['key', 'occurredAt', 'type', 'payload', 'locale'] : ['key', 'occurredAt', 'type', 'payload', 'meta', 'version']);
      const p = w.payload as Json;
      expect(p.cost).to.include.keys('withTax', 'withoutTax', 'tax', 'appliedFees', 'costCapture');
      for (const item of p.items as Json[]) {
        expect(Number.isInteger(item.price.withTax)).to.equal(true);
        expect(item.price.tax.vat).to.have.keys('amount', 'rate');
      }
    }
  });

  it('keeps Scayle figures consistent: per unit gross = net + VAT at its rate, cost = Σ items + fees', () => {
    for (const w of webhooks(small.records)) {
      const p = w.payload as Json;
      const cur = p.currencyCode as string;
      let gross = 0n;
      let net = 0n;
      const cancelled = (p.items as Json[]).filter((i) => i.status === 'cancelled').length;
      const counted = (p.items as Json[]).filter((i) => i.status !== 'cancelled' || cancelled === (p.items as Json[]).length);
      for (const i of p.items as Json[]) {
        expect(cents(i.price.withTax)).to.equal(cents(i.price.withoutTax) + cents(i.price.tax.vat.amount));
        const expectedNet = Money.fromMinorUnits(cents(i.price.withTax), cur).divide(Money.of(String(i.price.tax.vat.rate), cur).amount.add(1)).quantise('half_up');
        expect(cents(i.price.withoutTax), `${p.id} item ${i.id}`).to.equal(expectedNet.toMinorUnits());
        expect(['0.19', '0.07', '0.077', '0.025']).to.include(String(i.price.tax.vat.rate));
      }
      for (const i of counted) {
        gross += cents(i.price.withTax);
        net += cents(i.price.withoutTax);
      }
      for (const f of p.cost.appliedFees as Json[]) {
        expect(cents(f.amount.withTax)).to.equal(cents(f.amount.withoutTax) + cents(f.tax.vat.amount));
        gross += cents(f.amount.withTax);
        net += cents(f.amount.withoutTax);
      }
      expect(cents(p.cost.withTax), `order ${p.id}`).to.equal(gross);
      expect(cents(p.cost.withoutTax)).to.equal(net);
      expect(cents(p.cost.tax.vat.amount)).to.equal(gross - net);
    }
  });

  it('baskets hold 1–8 units (more for the rounding fault), with vouchers, marketplace orders, CHF and blended fees', () => {
    const confirmed = webhooks(small.records).filter((w) => w.type === 'order-confirmed');
    const sizes = confirmed.map((w) => (w.payload.items as unknown[]).length);
    const roundingOrders = new Set(small.truth.labels.filter((l) => l.code === 'ROUNDING_DIFFERENCE').map((l) => l.orderId));
    for (const w of confirmed) {
      const n = (w.payload.items as unknown[]).length;
      if (!roundingOrders.has(String(w.payload.id))) expect(n).to.be.within(1, 8);
    }
    expect(Math.max(...sizes)).to.be.greaterThan(3);
    const f = small.summary.features;
    for (const k of ['voucher', 'marketplace', 'CHF', 'business_central', 'canonical', 'full_return', 'partial_return', 'cancelled', 'month_end']) expect(f[k] ?? 0, k).to.be.greaterThan(0);
  });

  it('clean ERP documents agree with Scayle under the profile: lines are what the profile computes, header = Σ lines', () => {
    const clean = new Set(small.truth.orderTruth.filter((o) => o.clean).map((o) => o.orderId));
    const docs = small.records.filter((r) => r.kind === 'erp_document' && clean.has(r.orderId!)).map((r) => JSON.parse(r.body) as Json);
    expect(docs.length).to.be.greaterThan(50);
    for (const d of docs) {
      const cur = d.currency as string;
      const exp = expectedErpDocument(
        (d.lines as Json[]).map((l) => ({ key: String(l.lineNumber), amount: Money.parse(d.pricesIncludeTax ? l.gross : l.net, cur), rate: l.taxRate })),
        small.truth.erpProfile,
        cur,
      );
      (d.lines as Json[]).forEach((l, k) => {
        expect(l.tax, `${d.documentNumber}#${l.lineNumber}`).to.equal(exp.lines[k]!.tax.toString());
        expect(Money.parse(l.net, cur).add(Money.parse(l.tax, cur)).toString()).to.equal(l.gross);
      });
      expect(d.totals.gross).to.equal(exp.totals.gross.toString());
      expect(d.totals.tax).to.equal(exp.totals.tax.toString());
      for (const l of d.lines as Json[]) expect(l.taxCode, d.documentNumber).to.be.a('string').and.not.equal('');
    }
  });

  it('Business Central bodies carry amounts as raw JSON numbers, tax percent, and an order reference', () => {
    const bc = small.records.filter((r) => r.kind === 'business_central_invoice');
    expect(bc.length).to.be.greaterThan(0);
    for (const r of bc) {
      expect(r.body).to.match(/"totalAmountIncludingTax":-?\d+(\.\d+)?[,}]/);
      const d = JSON.parse(r.body) as Json;
      expect(d.externalDocumentNumber).to.equal(r.orderId);
      for (const l of d.salesInvoiceLines as Json[]) expect(['Item', 'Account', 'Comment']).to.include(l.lineType);
    }
    expect(stringifyWithRawNumbers({ a: bcNumber('54.90'), b: bcNumber('1245.885'), c: bcNumber('10.00') })).to.equal('{"a":54.9,"b":1245.885,"c":10}');
  });

  it('settlement batches: payout = Σ line net, net = gross − fee, one capture per shipped order', () => {
    const batches = small.records.filter((r) => r.kind === 'psp_settlement').map((r) => JSON.parse(r.body) as Json);
    let captures = 0;
    for (const b of batches) {
      const sum = (b.lines as Json[]).reduce((s: Money, l: Json) => s.add(Money.parse(l.net, b.currency)), Money.zero(b.currency));
      expect(sum.toString()).to.equal(b.payoutAmount);
      for (const l of b.lines as Json[]) {
        expect(Money.parse(l.gross, l.currency).subtract(Money.parse(l.fee, l.currency)).toString()).to.equal(l.net);
        if (l.type === 'capture') captures++;
      }
    }
    const captureKeys = new Set(webhooks(small.records).filter((w) => w.type === 'payment-capture').map((w) => w.key));
    expect(captures).to.equal(captureKeys.size);
  });

  it('orders are confirmed in the month (company timezone), with month-end orders invoiced around local midnight', () => {
    const { start, end } = monthBounds('2024-05', 'Europe/Berlin');
    expect(new Date(start).toISOString()).to.equal('2024-04-30T22:00:00.000Z');
    expect(new Date(end).toISOString()).to.equal('2024-05-31T22:00:00.000Z');
    const periods = new Set(small.truth.orderTruth.map((o) => o.period));
    expect(periods).to.include('2024-05');
    expect(periods).to.include('2024-06');
  });

  it('delivery faults re-send records with the same body (same webhook key) or move them in time', () => {
    const dups = small.records.filter((r) => r.deliveryFault === 'duplicate');
    expect(dups.length).to.be.greaterThan(0);
    for (const d of dups) expect(small.records.filter((r) => r.body === d.body).length).to.be.greaterThan(1);
    expect(small.records.some((r) => r.deliveryFault === 'reordered')).to.equal(true);
  });
});
