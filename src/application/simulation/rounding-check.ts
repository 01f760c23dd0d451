/**
 * The simulator's own account of how far its ERP documents differ from Scayle per component, in minor
 * units (Scayle minus ERP): used to keep clean orders within rounding and the materiality cap, and to
 * label the expected delta of amount, tax and rounding faults. Sale side: Scayle's lines still
 * invoiced vs invoices minus credit memos; refund side: what Scayle refunded vs the return's credit memo.
 */
import type { ErpDocumentLine } from '../../domain/erp/erp-document';
import { Money } from '../../domain/shared/money';
import type { SimOrder } from './order-model';

export interface ComponentDelta {
  side: 'sale' | 'refund';
  component: 'items' | 'shipping' | 'fees';
  gross: bigint;
  net: bigint;
  tax: bigint;
  /** Amounts rounded independently on both sides: ½ minor unit each bounds a rounding difference. */
  roundedAmounts: number;
}

interface DocLike {
  type: 'invoice' | 'credit_memo';
  number: string;
  revision: number;
  lines: readonly ErpDocumentLine[];
  appliesTo?: string;
}

type Comp = ComponentDelta['component'];
const compOf = (l: ErpDocumentLine): Comp => (l.kind === 'shipping' ? 'shipping' : l.kind === 'fee' ? 'fees' : 'items');

/** Largest absolute figure of a delta. */
export function maxAbs(d: ComponentDelta): bigint {
  const a = (v: bigint) => (v < 0n ? -v : v);
  return [a(d.gross), a(d.net), a(d.tax)].reduce((m, v) => (v > m ? v : m), 0n);
}

export function componentDeltas(o: SimOrder, docs: readonly DocLike[], cur: string, shippingLeftOut: boolean): ComponentDelta[] {
  const minor = (s: string) => Money.parse(s, cur).toMinorUnits();
  const latest = new Map<string, DocLike>();
  for (const d of docs) if (!latest.has(d.number) || latest.get(d.number)!.revision < d.revision) latest.set(d.number, d);
  const live = [...latest.values()];
  const returnMemos = live.filter((d) => d.type === 'credit_memo' && o.items.some((i) => i.returned) && !d.number.startsWith('S-CRC'));
  const credited = returnMemos.length > 0;
  const shippingCredited = credited && returnMemos.some((d) => d.lines.some((l) => l.kind === 'shipping'));
  const erpSum = (ds: readonly DocLike[], c: Comp, sign: (d: DocLike) => bigint) => {
    const t = { gross: 0n, net: 0n, tax: 0n, rounded: 0 };
    for (const d of ds) {
      const mine = d.lines.filter((l) => compOf(l) === c);
      for (const l of mine) {
        t.gross += sign(d) * minor(l.gross);
        t.net += sign(d) * minor(l.net);
        t.tax += sign(d) * minor(l.tax);
      }
      t.rounded += mine.length;
    }
    return t;
  };
  const out: ComponentDelta[] = [];
  const comps: Comp[] = ['items', 'shipping', 'fees'];
  const invoiced = live.some((d) => d.type === 'invoice');
  if (invoiced) {
    for (const c of comps) {
      const units =
        c === 'items'
          ? o.items.filter((i) => !i.cancelled && !(i.returned && credited))
          : o.fees.filter((f) => (c === 'shipping' ? f.category === 'delivery' : f.category === 'payment') && !(c === 'shipping' && o.refundShipping && shippingCredited));
      const s = units.reduce((a, u) => ({ gross: a.gross + u.gross, net: a.net + u.net, tax: a.tax + u.tax }), { gross: 0n, net: 0n, tax: 0n });
      const e = erpSum(live, c, (d) => (d.type === 'invoice' ? 1n : -1n));
      if (s.gross === 0n && e.gross === 0n && s.net === 0n && e.net === 0n) continue;
      out.push({ side: 'sale', component: c, gross: s.gross - e.gross, net: s.net - e.net, tax: s.tax - e.tax, roundedAmounts: units.length + e.rounded });
    }
  }
  if (credited) {
    for (const c of comps) {
      const units =
        c === 'items' ? o.items.filter((i) => i.returned) : c === 'shipping' && o.refundShipping && !shippingLeftOut ? o.fees.filter((f) => f.category === 'delivery') : [];
      const s = units.reduce((a, u) => ({ gross: a.gross + u.gross, net: a.net + u.net, tax: a.tax + u.tax }), { gross: 0n, net: 0n, tax: 0n });
      const e = erpSum(returnMemos, c, () => 1n);
      if (s.gross === 0n && e.gross === 0n) continue;
      out.push({ side: 'refund', component: c, gross: s.gross - e.gross, net: s.net - e.net, tax: s.tax - e.tax, roundedAmounts: units.length + e.rounded });
    }
  }
  return out;
}
