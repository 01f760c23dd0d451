import { ErpGatewayError, type ErpExportResult, type ErpGateway } from '../../application/ports/erp-gateway.port';

/** No ERP target (`LEDGER_ERP_EXPORT_TARGET=none`): nothing is sent, so exports stay pending (never faked as exported). */
export class UnconfiguredErpGateway implements ErpGateway {
  readonly target = 'none' as const;
  readonly configured = false;

  async exportDocuments(calls: readonly unknown[]): Promise<ErpExportResult[]> {
    const error = new ErpGatewayError(0, 'not_configured', 'No ERP export target is configured (LEDGER_ERP_EXPORT_TARGET=none)', true);
    return calls.map(() => ({ ok: false, error }));
  }
}
