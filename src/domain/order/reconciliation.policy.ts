/**
 * Configuration of the reconciliation rules (DESIGN §5–§7). Supplied by the application from
 * configuration; the domain reads no clock and no environment.
 */
import { toCurrency } from '../shared/currency';
import { Dec, dec, type DecimalString } from '../shared/decimal';
import { invalid } from '../shared/errors';
import type { ErpRoundingProfile } from '../shared/rounding';
import type { ExportTrigger } from '../erp-export/erp-export.events';

/** ISO-8601 duration (`PT15M`, `P1DT2H`, `P2W`; no years/months) or a number of seconds. */
export type Duration = string | number;

/** How long a counterpart may be absent before absence becomes a finding. */
export interface GraceWindows {
  /** Scayle sale/refund with no ERP invoice/credit memo → `MISSING_IN_ERP`. Default `PT24H`. */
  missingInErp: Duration;
  /** ERP document with no Scayle order → `MISSING_IN_SCAYLE`. Default `PT24H`. */
  missingInScayle: Duration;
  /** Scayle refund with no order → `ORPHAN_REFUND`. Default `PT1H`. */
  orphanRefund: Duration;
  /** Ledger refund not yet recorded in Scayle, or Scayle cancellation still open in the ERP → `STATUS_DRIFT`. Default `PT24H`. */
  pendingRefund: Duration;
  /**
   * A Scayle capture or refund not yet in a PSP settlement (or a PSP line Scayle has not reported
   * yet) → per-order `SETTLEMENT_DRIFT`. PSPs pay out on a schedule (daily to weekly). Default `P7D`.
   */
  settlement: Duration;
}

export const DEFAULT_GRACE_WINDOWS: Readonly<GraceWindows> = Object.freeze({
  missingInErp: 'PT24H',
  missingInScayle: 'PT24H',
  orphanRefund: 'PT1H',
  pendingRefund: 'PT24H',
  settlement: 'P7D',
});

/** Shop country + Scayle rate → the ERP tax code expected on the line (DESIGN §6 `TAX_MAPPING_ERROR`). */
export interface TaxCodeMappingEntry {
  /** Shop country as in the order stream (`DE`). */
  countryCode: string;
  /** Fraction string (`"0.19"`). */
  rate: DecimalString;
  taxCode: string;
  /** Restrict to a Scayle `channel.type` (e.g. `marketplace`); an entry with a channel wins over one without. */
  channelType?: string;
}

export interface ReconciliationPolicy {
  /** How the ERP rounds. */
  erpProfile: ErpRoundingProfile;
  /**
   * Materiality cap for auto-accepting rounding differences, per document, in the document
   * currency: one decimal string for every currency, or a map by currency code. Default: 5 minor
   * units of the currency (EUR 0.05, JPY 5, KWD 0.005).
   */
  materialityCap?: DecimalString | Readonly<Record<string, DecimalString>>;
  graceWindows?: Partial<GraceWindows>;
  /** Company timezone, IANA name (`Europe/Berlin`). */
  timezone: string;
  /** When absent, tax codes are only checked for presence and rate. */
  taxCodeMapping?: readonly TaxCodeMappingEntry[];
  /** ERP item number → Scayle variant reference key, for ERP lines that name only `erpItemNumber`. */
  itemMapping?: Readonly<Record<string, string>>;
  /**
   * The Scayle state that makes an order due for export to the ERP (`LEDGER_ERP_EXPORT_TRIGGER`,
   * issue 10); tells `MISSING_IN_ERP` "not yet due" from "not exported". Default `order-invoiced`.
   */
  exportTrigger?: ExportTrigger;
}

/** The materiality cap for `currency`. */
export function materialityCap(policy: ReconciliationPolicy, currency: string): Dec {
  const cap = policy.materialityCap;
  if (typeof cap === 'string') return dec(cap, 'materialityCap');
  const hit = cap?.[currency];
  if (hit !== undefined) return dec(hit, `materialityCap.${currency}`);
  return new Dec(5).div(new Dec(10).pow(toCurrency(currency).exponent));
}

/** Grace window in milliseconds. */
export function graceMs(policy: ReconciliationPolicy, which: keyof GraceWindows): number {
  return durationMs(policy.graceWindows?.[which] ?? DEFAULT_GRACE_WINDOWS[which], `graceWindows.${which}`);
}

const DURATION_RE = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of a {@link Duration}. @throws DomainError `invalid`/`invalid_duration`. */
export function durationMs(d: Duration, field = 'duration'): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) throw invalid('invalid_duration', `Duration must be a non-negative number of seconds`, field);
    return d * 1000;
  }
  const m = DURATION_RE.exec(d);
  if (!m || d === 'P' || d.endsWith('T')) throw invalid('invalid_duration', `Not an ISO-8601 duration without years/months: ${d}`, field);
  const [w, days, h, min, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return ((((w! * 7 + days!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
}
