import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/infrastructure/config/config';

const BC = { LEDGER_ERP_EXPORT_TARGET: 'business-central', BC_API_BASE_URL: 'https://api.businesscentral.dynamics.com/v2.0/t/production/api/v2.0/', BC_COMPANY_ID: 'c1', BC_CLIENT_ID: 'id', BC_CLIENT_SECRET: 'secret', BC_CUSTOMER_NUMBER: '10000', BC_TENANT_ID: 'contoso.onmicrosoft.com' };

describe('configuration: export to the ERP', () => {
  it('defaults: no target, every 15 minutes on order-invoiced as invoices', () => {
    const e = loadConfig({}).erpExport;
    expect(e).to.deep.include({ target: { kind: 'none' }, intervalMs: 900_000, trigger: 'order-invoiced', saleDocumentKind: 'invoice', batchSize: 100, maxAttempts: 8, feeAccounts: {} });
  });

  it('reads file:, http: and the G/L accounts', () => {
    expect(loadConfig({ LEDGER_ERP_EXPORT_TARGET: 'file:/var/erp/out' }).erpExport.target).to.deep.equal({ kind: 'file', directory: '/var/erp/out' });
    expect(loadConfig({ LEDGER_ERP_EXPORT_TARGET: 'http:https://erp.example/import' }).erpExport.target).to.deep.equal({ kind: 'http', url: 'https://erp.example/import' });
    const e = loadConfig({ LEDGER_ERP_FEE_ACCOUNTS: 'delivery:8400, *:8490', LEDGER_ERP_DISCOUNT_ACCOUNT: '8700', LEDGER_ERP_EXPORT_INTERVAL: '5m', LEDGER_ERP_EXPORT_DOCUMENT: 'sales_order' }).erpExport;
    expect(e).to.deep.include({ feeAccounts: { delivery: '8400', '*': '8490' }, discountAccount: '8700', intervalMs: 300_000, saleDocumentKind: 'sales_order' });
  });

  it('Business Central: the token URL defaults from the tenant, the scope to the BC API', () => {
    expect(loadConfig(BC).erpExport.businessCentral).to.deep.equal({
      apiBaseUrl: 'https://api.businesscentral.dynamics.com/v2.0/t/production/api/v2.0',
      companyId: 'c1',
      customerNumber: '10000',
      tokenUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      clientId: 'id',
      clientSecret: 'secret',
      scope: 'https://api.businesscentral.dynamics.com/.default',
    });
  });

  it('names what business-central lacks and what is malformed, without echoing the secret', () => {
    try {
      loadConfig({ LEDGER_ERP_EXPORT_TARGET: 'business-central', BC_CLIENT_SECRET: 'top-secret', BC_API_BASE_URL: 'ftp://x' });
      expect.fail('expected ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      expect(text).to.match(/business-central needs BC_COMPANY_ID, BC_CLIENT_ID, BC_CUSTOMER_NUMBER, BC_TENANT_ID or BC_TOKEN_URL/);
      expect(text).to.match(/BC_API_BASE_URL: must be an http\(s\) URL/);
      expect(text).to.not.contain('top-secret');
    }
    try {
      loadConfig({ LEDGER_ERP_FEE_ACCOUNTS: 'delivery', LEDGER_ERP_EXPORT_TRIGGER: 'order-shipped' });
      expect.fail('expected ConfigError');
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).to.deep.equal(['LEDGER_ERP_EXPORT_TRIGGER', 'LEDGER_ERP_FEE_ACCOUNTS']);
    }
    expect(() => loadConfig({ LEDGER_ERP_EXPORT_TARGET: 'ftp:somewhere' })).to.throw(ConfigError, /LEDGER_ERP_EXPORT_TARGET/);
  });
});
