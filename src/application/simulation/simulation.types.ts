/**
 * Shapes the simulator produces: import records (the `scayle-ledger import` NDJSON format), the
 * ground truth of injected faults, and the run summary.
 */
import type { FindingCode, ReconciliationComponent } from '../../domain/shared/findings';
import type { ErpRoundingProfile } from '../../domain/shared/rounding';

/** The `kind` of an import line (`scayle-ledger import`), one per ingestion route. */
export type ImportKind = 'scayle_webhook' | 'erp_document' | 'business_central_invoice' | 'business_central_credit_memo' | 'psp_settlement';

/** Shop country + Scayle rate → ERP tax code (what `PUT /v1/mappings/tax-codes` takes). */
export interface TaxCodeMappingEntry {
  countryCode: string;
  /** Fraction string (`"0.19"`). */
  rate: string;
  taxCode: string;
  channelType?: string;
}

/** Delivery faults: harmless by construction (they must not cause a finding). */
export type DeliveryFault = 'duplicate' | 'reordered' | 'delayed';

/**
 * One record to deliver. `body` is the request body as JSON **text**: Business Central bodies carry
 * amounts as raw JSON numbers (`54.9`, `1245.885`) that must never pass through a JS float, so the
 * simulator writes them as text and nobody re-serialises them.
 */
export interface SimRecord {
  kind: ImportKind;
  body: string;
  /** Delivery time (ms since epoch): records are delivered in this order. */
  deliverAt: number;
  /** Tie-breaker, unique per run. */
  seq: number;
  /** The order the record is about (Scayle order id, or the id a ghost document names). */
  orderId?: string;
  /** Set on the extra/late copies a delivery fault made. */
  deliveryFault?: DeliveryFault;
}

/** Figures of an expected delta, decimal strings in major units (Scayle/PSP minus ERP). */
export interface ExpectedDelta {
  currency: string;
  gross?: string;
  net?: string;
  tax?: string;
}

/** One labelled, injected business fault: the ledger must report `code` for `orderId`. */
export interface TruthLabel {
  orderId: string;
  /** The order stream (`order-<shop>-<country>-<id>`) or `erp-unlinked-<documentNumber>`. */
  subject: string;
  code: FindingCode;
  component: ReconciliationComponent;
  /** The fault that was injected (catalogue key) and how. */
  fault: string;
  description: string;
  expectedDelta?: ExpectedDelta;
  documentNumber?: string;
}

/** What the truth file says about every order. */
export interface TruthOrder {
  orderId: string;
  subject: string;
  shopKey: string;
  countryCode: string;
  currency: string;
  /** No business fault injected: only auto-accepted `ROUNDING_DIFFERENCE` may be reported. */
  clean: boolean;
  /** True for ids that exist only on one side (ghost documents, orphan refunds). */
  ghost?: boolean;
  /** Lifecycle features, for slicing results. */
  features: string[];
  /** Delivery faults applied to the order's records (harmless). */
  deliveryFaults: DeliveryFault[];
  /** The sale's accounting period in the company timezone. */
  period: string;
}

/** `truth.json`. */
export interface TruthFile {
  version: 1;
  seed: number;
  orders: number;
  faultRate: number;
  month: string;
  timezone: string;
  erpProfile: ErpRoundingProfile;
  /** Materiality cap per document (major units, per currency). */
  materialityCap: Record<string, string>;
  taxCodeMapping: TaxCodeMappingEntry[];
  /**
   * ERP item number → Scayle variant reference key (Business Central lines name only their item
   * number; the simulated ERP uses the variant reference key as item number, so this is the identity).
   */
  itemMapping: Record<string, string>;
  labels: TruthLabel[];
  orderTruth: TruthOrder[];
}

/** Simulation parameters. */
export interface SimulationConfig {
  orders: number;
  seed: number;
  /** Share of orders with one injected business fault (0…1). */
  faultRate: number;
  /** Accounting month `YYYY-MM` the orders are confirmed in. */
  month: string;
  /** Company timezone (IANA). */
  timezone: string;
  /** How the ERP rounds canonical documents; Business Central documents always round per document. */
  erpProfile: ErpRoundingProfile;
  /** Share of orders the ERP books in Business Central (BC API v2.0 JSON) instead of canonical documents. */
  businessCentralShare: number;
  /** Share of orders with harmless delivery faults. */
  deliveryFaultRate: number;
}

export const DEFAULT_SIMULATION: Omit<SimulationConfig, 'orders' | 'seed'> = {
  faultRate: 0.05,
  month: '2024-05',
  timezone: 'Europe/Berlin',
  erpProfile: { level: 'per_document', mode: 'half_up', pricesIncludeTax: false },
  businessCentralShare: 0.3,
  deliveryFaultRate: 0.1,
};

/** `summary.json`: counts of what was generated. */
export interface SimulationSummary {
  config: SimulationConfig;
  orders: number;
  cleanOrders: number;
  faultedOrders: number;
  records: Record<ImportKind, number>;
  webhooksByType: Record<string, number>;
  labelsByCode: Partial<Record<FindingCode, number>>;
  deliveryFaults: Record<DeliveryFault, number>;
  features: Record<string, number>;
  settlementBatches: number;
  currencies: Record<string, number>;
}
