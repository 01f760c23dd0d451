import { isAbsolute, resolve } from 'node:path';
import { makeValidator, str } from 'envalid';
import type { ExportTrigger } from '../../domain/erp-export/erp-export.events';
import { duration, positiveInt, writtenDefault } from './validators';

/** Where exports go. */
export type ErpExportTargetConfig = { kind: 'none' } | { kind: 'business-central' } | { kind: 'file'; directory: string } | { kind: 'http'; url: string };

/** `none`, `business-central`, `file:<dir>` or `http:<http(s) url>`. */
export const erpExportTarget = makeValidator<ErpExportTargetConfig>((input) => {
  if (input === 'none' || input === '') return { kind: 'none' };
  if (input === 'business-central') return { kind: 'business-central' };
  if (input.startsWith('file:') && input.length > 5) return { kind: 'file', directory: input.slice(5) };
  if (/^http:https?:\/\/\S+$/.test(input)) return { kind: 'http', url: input.slice(5) };
  throw new Error(`must be none, business-central, file:<directory> or http:<http(s) URL>, got "${input}"`);
});


/** `delivery:8400,payment:8410,*:8490` → fee category → G/L account. */
export const feeAccounts = makeValidator<Record<string, string>>((input) => {
  const out: Record<string, string> = {};
  for (const pair of input.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^\s:]+):(\S+)$/.exec(pair);
    if (!m) throw new Error(`must list category:account pairs such as delivery:8400,*:8490, got "${pair}"`);
    out[m[1]!] = m[2]!;
  }
  return out;
});

/** The export variables (README "Configuration" lists each). Spread into `ENV_SPECS`. */
export const ERP_EXPORT_ENV_SPECS = {
  LEDGER_ERP_EXPORT_TARGET: writtenDefault('none', erpExportTarget({
    desc: 'Where finalised orders are exported: none (nothing is sent; due exports stay pending), business-central, file:<dir> (NDJSON files) or http:<url> (NDJSON POST).',
  })),
  LEDGER_ERP_EXPORT_INTERVAL: writtenDefault('15m', duration({ desc: 'Sync interval of the ERP export scheduler (15m, 1h…).' })),
  LEDGER_ERP_EXPORT_TRIGGER: writtenDefault('order-invoiced', str({ choices: ['order-invoiced', 'order-confirmed'], desc: 'Scayle state that makes an order due for export.' })),
  LEDGER_ERP_EXPORT_DOCUMENT: writtenDefault('invoice', str({ choices: ['invoice', 'sales_order'], desc: 'ERP document a sale is exported as (BC salesInvoices or salesOrders).' })),
  LEDGER_ERP_EXPORT_BATCH_SIZE: writtenDefault('100', positiveInt({ desc: 'Orders planned and documents sent per batch.' })),
  LEDGER_ERP_EXPORT_TIMEOUT: writtenDefault('30s', duration({ desc: 'Timeout of one ERP call.' })),
  LEDGER_ERP_EXPORT_MAX_ATTEMPTS: writtenDefault('8', positiveInt({ desc: 'Attempts per export before it is given up as ErpExportFailed (429s do not count).' })),
  LEDGER_ERP_EXPORT_RETRY_BASE: writtenDefault('5s', duration({ desc: 'First back-off delay between export attempts; doubles per attempt, with jitter.' })),
  LEDGER_ERP_EXPORT_RETRY_MAX: writtenDefault('15m', duration({ desc: 'Longest back-off delay between export attempts.' })),
  LEDGER_ERP_EXPORT_HTTP_TOKEN: str({ default: undefined, desc: 'Bearer token for http:<url> exports.' }),
  LEDGER_ERP_FEE_ACCOUNTS: feeAccounts({ default: undefined, desc: 'G/L accounts of fee lines by Scayle fee category, * for any other.' }),
  LEDGER_ERP_DISCOUNT_ACCOUNT: str({ default: undefined, desc: 'G/L account of discount lines (vouchers, reductions).' }),
  BC_API_BASE_URL: str({ default: undefined, desc: 'Business Central API v2.0 base URL.' }),
  BC_TENANT_ID: str({ default: undefined, desc: 'Microsoft Entra tenant of Business Central (for the default token URL).' }),
  BC_COMPANY_ID: str({ default: undefined, desc: 'Business Central company id.' }),
  BC_CLIENT_ID: str({ default: undefined, desc: 'OAuth2 client id (client-credentials grant).' }),
  BC_CLIENT_SECRET: str({ default: undefined, desc: 'OAuth2 client secret.' }),
  BC_TOKEN_URL: str({ default: undefined, desc: 'OAuth2 token endpoint.' }),
  BC_SCOPE: writtenDefault('https://api.businesscentral.dynamics.com/.default', str({ desc: 'OAuth2 scope.' })),
  BC_CUSTOMER_NUMBER: str({ default: undefined, desc: 'Business Central customer of exported documents.' }),
} as const;

/** Validated export settings. Never log `businessCentral.clientSecret` or `httpToken`. */
export interface ErpExportConfig {
  target: ErpExportTargetConfig;
  intervalMs: number;
  trigger: ExportTrigger;
  saleDocumentKind: 'invoice' | 'sales_order';
  batchSize: number;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  httpToken?: string;
  feeAccounts: Record<string, string>;
  discountAccount?: string;
  businessCentral?: { apiBaseUrl: string; companyId: string; customerNumber: string; tokenUrl: string; clientId: string; clientSecret: string; scope: string };
}

type Clean = { [K in keyof typeof ERP_EXPORT_ENV_SPECS]: unknown };

/** The export settings from cleaned variables; appends a message per problem to `problems`. */
export function erpExportConfig(clean: Clean, problems: string[]): ErpExportConfig {
  let target = clean.LEDGER_ERP_EXPORT_TARGET as ErpExportTargetConfig;
  if (target.kind === 'file' && !isAbsolute(target.directory)) target = { kind: 'file', directory: resolve(target.directory) };
  const s = (name: keyof Clean): string | undefined => {
    const v = clean[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const config: ErpExportConfig = {
    target,
    intervalMs: clean.LEDGER_ERP_EXPORT_INTERVAL as number,
    trigger: clean.LEDGER_ERP_EXPORT_TRIGGER as ExportTrigger,
    saleDocumentKind: clean.LEDGER_ERP_EXPORT_DOCUMENT as 'invoice' | 'sales_order',
    batchSize: clean.LEDGER_ERP_EXPORT_BATCH_SIZE as number,
    timeoutMs: clean.LEDGER_ERP_EXPORT_TIMEOUT as number,
    maxAttempts: clean.LEDGER_ERP_EXPORT_MAX_ATTEMPTS as number,
    retryBaseMs: clean.LEDGER_ERP_EXPORT_RETRY_BASE as number,
    retryMaxMs: clean.LEDGER_ERP_EXPORT_RETRY_MAX as number,
    feeAccounts: (clean.LEDGER_ERP_FEE_ACCOUNTS as Record<string, string> | undefined) ?? {},
  };
  if (config.intervalMs < 1000) problems.push('LEDGER_ERP_EXPORT_INTERVAL: must be at least 1s');
  if (config.batchSize > 1000) problems.push('LEDGER_ERP_EXPORT_BATCH_SIZE: must be at most 1000');
  const discount = s('LEDGER_ERP_DISCOUNT_ACCOUNT');
  if (discount) config.discountAccount = discount;
  const httpToken = s('LEDGER_ERP_EXPORT_HTTP_TOKEN');
  if (httpToken) config.httpToken = httpToken;
  if (target.kind === 'business-central') {
    const required = ['BC_API_BASE_URL', 'BC_COMPANY_ID', 'BC_CLIENT_ID', 'BC_CLIENT_SECRET', 'BC_CUSTOMER_NUMBER'] as const;
    const missing = required.filter((n) => !s(n));
    if (!s('BC_TOKEN_URL') && !s('BC_TENANT_ID')) missing.push('BC_TENANT_ID or BC_TOKEN_URL' as never);
    if (missing.length > 0) problems.push(`LEDGER_ERP_EXPORT_TARGET: business-central needs ${missing.join(', ')}`);
    for (const name of ['BC_API_BASE_URL', 'BC_TOKEN_URL'] as const) {
      const v = s(name);
      if (v && !/^https?:\/\/\S+$/.test(v)) problems.push(`${name}: must be an http(s) URL`);
    }
    if (missing.length === 0) {
      config.businessCentral = {
        apiBaseUrl: s('BC_API_BASE_URL')!.replace(/\/+$/, ''),
        companyId: s('BC_COMPANY_ID')!,
        customerNumber: s('BC_CUSTOMER_NUMBER')!,
        tokenUrl: s('BC_TOKEN_URL') ?? `https://login.microsoftonline.com/${encodeURIComponent(s('BC_TENANT_ID')!)}/oauth2/v2.0/token`,
        clientId: s('BC_CLIENT_ID')!,
        clientSecret: s('BC_CLIENT_SECRET')!,
        scope: s('BC_SCOPE') ?? 'https://api.businesscentral.dynamics.com/.default',
      };
    }
  }
  return config;
}
