/**
 * Reconciliation speed (issue 3): one order of 3 unit items + 1 delivery fee against one posted
 * invoice — fold the two events into state and run `reconcileOrder` — next to a same-run baseline of
 * the bare decimal.js work that reconciliation needs (parse the Scayle and ERP figures, sum them per
 * component, one tax recomputation per rate group, compare). Target: ≥ 10,000 orders/s on one core.
 */
import { BenchRow, BenchSuite, percentile, withPeakRss } from './harness';
import { reconcileOrder } from '../src/domain/order/order.reconcile';
import { orderStateFrom } from '../src/domain/order/order.state';
import type { OrderEventEnvelope } from '../src/domain/order/order.events';
import type { ReconciliationPolicy } from '../src/domain/order/reconciliation.policy';
import { Dec } from '../src/domain/shared/decimal';
import { Money } from '../src/domain/shared/money';
import { expectedErpDocument } from '../src/domain/shared/tax';

type Env = OrderEventEnvelope<{ type: string; data: unknown }>;

const POLICY: ReconciliationPolicy = { erpProfile: { level: 'per_document', mode: 'half_up', pricesIncludeTax: false }, timezone: 'Europe/Berlin' };
const NOW = '2024-06-20T00:00:00Z';

/** Order `n`: 3 units (two of one variant, one of another) + delivery fee, and its per-document invoice. */
function orderEvents(n: number): Env[] {
  const m = (c: number) => Money.fromMinorUnits(BigInt(c), 'EUR');
  const unit = (id: string, variant: string, netCents: number) => {
    const net = m(netCents);
    const tax = net.multiply('0.19').quantise('half_up');
    return { itemId: id, variantReferenceKey: variant, status: 'open', net: net.toString(), tax: tax.toString(), gross: net.add(tax).toString(), taxRate: '0.19', reductions: [] };
  };
  const p = 1000 + (n % 997);
  const items = [unit('1', 'A', p), unit('2', 'A', p), unit('3', 'B', 2 * p + 1)];
  const fee = { key: 'delivery', category: 'delivery', net: '4.16', tax: '0.79', gross: '4.95', taxRate: '0.19' };
  const lines = [
    { key: 'A', amount: m(2 * p), rate: '0.19' },
    { key: 'B', amount: m(2 * p + 1), rate: '0.19' },
    { key: 'S', amount: m(416), rate: '0.19' },
  ];
  const doc = expectedErpDocument(lines, POLICY.erpProfile, 'EUR');
  const sum = (k: 'gross' | 'net' | 'tax') => [...items, fee].reduce((s, x) => s.add(Money.parse(x[k], 'EUR')), Money.zero('EUR')).toString();
  const orderId = `O${n}`;
  const snapshot = {
    orderId,
    shopKey: 'msde',
    countryCode: 'DE',
    currency: 'EUR',
    status: 'invoice_completed',
    confirmedAt: '2024-06-10T10:00:00Z',
    updatedAt: '2024-06-10T10:00:00Z',
    items,
    fees: [fee],
    reductions: [],
    vouchers: [],
    cost: { gross: sum('gross'), net: sum('net'), tax: sum('tax'), capture: sum('gross') },
    payments: [],
  };
  const document = {
    documentType: 'invoice',
    documentNumber: `SI-${n}`,
    revision: 0,
    status: 'posted',
    orderReference: orderId,
    postingDate: '2024-06-10',
    documentDate: '2024-06-10',
    currency: 'EUR',
    pricesIncludeTax: false,
    totals: { net: doc.totals.net.toString(), tax: doc.totals.tax.toString(), gross: doc.totals.gross.toString() },
    lines: doc.lines.map((l, k) => ({
      lineNumber: (k + 1) * 10000,
      kind: k === 2 ? 'shipping' : 'item',
      ...(k === 2 ? {} : { variantReferenceKey: l.key }),
      quantity: k === 0 ? '2' : '1',
      net: l.net.toString(),
      tax: l.tax.toString(),
      gross: l.gross.toString(),
      taxCode: 'S',
      taxRate: '0.19',
    })),
  };
  const meta = (at: string, source: string) => ({ occurredAt: at, recordedAt: at, source, schemaVersion: 1 });
  return [
    { id: `s-${n}`, type: 'ScayleOrderConfirmed', data: { order: snapshot }, metadata: meta('2024-06-10T10:00:00Z', 'scayle') },
    { id: `e-${n}`, type: 'ErpInvoicePosted', data: { document, quantisedAmounts: [] }, metadata: { ...meta('2024-06-10T12:00:00Z', 'erp'), schemaVersion: 2 } },
  ];
}

/** The bare decimal.js work of one order: 4 Scayle units/fees and 3 ERP lines × 3 figures parsed and summed, 1 tax recomputation, comparisons. */
function baselineOrder(figures: string[][]): boolean {
  let sNet = new Dec(0);
  let sTax = new Dec(0);
  let sGross = new Dec(0);
  for (const f of figures.slice(0, 4)) {
    sNet = sNet.add(new Dec(f[0]!));
    sTax = sTax.add(new Dec(f[1]!));
    sGross = sGross.add(new Dec(f[2]!));
  }
  let eNet = new Dec(0);
  let eTax = new Dec(0);
  let eGross = new Dec(0);
  for (const f of figures.slice(4)) {
    eNet = eNet.add(new Dec(f[0]!));
    eTax = eTax.add(new Dec(f[1]!));
    eGross = eGross.add(new Dec(f[2]!));
  }
  const expectedTax = sNet.mul('0.19').toDecimalPlaces(2, Dec.ROUND_HALF_UP);
  return sNet.eq(eNet) && sTax.sub(eTax).abs().lte('0.02') && sGross.sub(eGross).abs().lte('0.02') && expectedTax.eq(eTax);
}

function measure(durationMs: number, batch: number, work: (i: number) => void): { throughput: number; p50Ms: number; p99Ms: number } {
  const perOrder: number[] = [];
  let done = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(durationMs) * 1_000_000n;
  let t = start;
  while (t < end) {
    const b0 = process.hrtime.bigint();
    for (let k = 0; k < batch; k++) work(done + k);
    t = process.hrtime.bigint();
    perOrder.push(Number(t - b0) / 1e6 / batch);
    done += batch;
  }
  return { throughput: done / (Number(t - start) / 1e9), p50Ms: percentile(perOrder, 50), p99Ms: percentile(perOrder, 99) };
}

export const suite: BenchSuite = {
  name: 'reconcile',
  async run({ quick }): Promise<BenchRow[]> {
    const durationMs = quick ? 300 : 3000;
    const orders = Array.from({ length: 500 }, (_, n) => orderEvents(n));
    const figures = orders.map(([s, e]) => {
      const o = (s!.data as { order: { items: { net: string; tax: string; gross: string }[]; fees: { net: string; tax: string; gross: string }[] } }).order;
      const d = (e!.data as { document: { lines: { net: string; tax: string; gross: string }[] } }).document;
      return [...o.items, ...o.fees, ...d.lines].map((x) => [x.net, x.tax, x.gross]);
    });
    // Sanity: every order reconciles without open findings (otherwise we would be timing another path).
    for (const evs of orders.slice(0, 20)) {
      const r = reconcileOrder(orderStateFrom(evs), POLICY, NOW);
      if (r.status === 'drift' || r.status === 'pending') throw new Error(`bench order did not reconcile: ${JSON.stringify(r.findings)}`);
    }
    measure(100, 50, (i) => reconcileOrder(orderStateFrom(orders[i % orders.length]!), POLICY, NOW)); // warm-up
    measure(100, 50, (i) => baselineOrder(figures[i % figures.length]!));
    const { result: subject, peakRssMiB } = await withPeakRss(async () => measure(durationMs, 50, (i) => reconcileOrder(orderStateFrom(orders[i % orders.length]!), POLICY, NOW)));
    const baseline = measure(durationMs, 50, (i) => baselineOrder(figures[i % figures.length]!));
    return [
      {
        name: 'reconcile: order of 3 items + 1 fee vs one invoice (evolve + reconcileOrder)',
        unit: 'orders',
        size: `${(durationMs / 1000).toFixed(1)} s over ${orders.length} orders`,
        throughput: subject.throughput,
        p50Ms: subject.p50Ms,
        p99Ms: subject.p99Ms,
        peakRssMiB,
        baseline: { name: 'bare decimal.js parse/sum/round/compare', throughput: baseline.throughput },
        target: '≥ 10,000 orders/s on one core',
        met: subject.throughput >= 10_000,
      },
    ];
  },
};
