/**
 * Post-close adjustments (DESIGN §7 "facts that arrive for a closed period are kept and reported as
 * post-close adjustments"): the live totals of a closed period minus its close snapshot's.
 */
import type { ReconciliationComponent } from '../shared/findings';
import { Money } from '../shared/money';
import type { SideTotals } from '../order/reconciliation.types';

/**
 * `later − earlier` per currency, component and figure, keeping only figures that changed (for
 * post-close adjustments: live totals minus the closed snapshot's).
 * @throws DomainError `invalid` for figures that are not decimal strings.
 */
export function subtractTotals(later: SideTotals, earlier: SideTotals): SideTotals {
  const out: SideTotals = {};
  for (const cur of [...new Set([...Object.keys(later), ...Object.keys(earlier)])].sort()) {
    const l = later[cur] ?? {};
    const e = earlier[cur] ?? {};
    for (const comp of [...new Set([...Object.keys(l), ...Object.keys(e)])].sort() as ReconciliationComponent[]) {
      const lf = (l[comp] ?? {}) as Record<string, string | undefined>;
      const ef = (e[comp] ?? {}) as Record<string, string | undefined>;
      const figs: Record<string, string> = {};
      for (const f of [...new Set([...Object.keys(lf), ...Object.keys(ef)])].sort()) {
        const diff = Money.parse(lf[f] ?? '0', cur).subtract(Money.parse(ef[f] ?? '0', cur));
        if (!diff.isZero()) figs[f] = diff.toString();
      }
      if (Object.keys(figs).length > 0) ((out[cur] ??= {}) as Record<string, unknown>)[comp] = { gross: '0', ...figs };
    }
  }
  return out;
}
