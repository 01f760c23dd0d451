/**
 * The ingestion's Business Central mapping (lossless parse + `mapBusinessCentralDocument`) in the
 * shape the rules harness takes, so in-process evaluation reads BC bodies exactly as the service does.
 */
import { mapBusinessCentralDocument } from '../../application/ingest/erp/business-central.mapper';
import type { BusinessCentralMapper } from '../../application/simulation/rules-harness';
import { COMPANY_CURRENCY } from '../../application/simulation/catalogue';
import { parseLossless } from '../http/ingest/lossless-body';

export function businessCentralMapper(companyCurrency = process.env.LEDGER_COMPANY_CURRENCY ?? COMPANY_CURRENCY): BusinessCentralMapper {
  return (body, kind) => {
    const m = mapBusinessCentralDocument(parseLossless(body), kind, companyCurrency);
    return { document: m.document, warnings: m.warnings, ...(m.modifiedAt ? { modifiedAt: m.modifiedAt } : {}) };
  };
}
