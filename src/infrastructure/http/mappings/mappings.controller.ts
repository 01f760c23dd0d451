import type { Request, Response, Router } from 'express';
import type { MappingSet, MappingsService } from '../../../application/mapping/mappings.service';
import type { ItemMapping, TaxCodeMapping } from '../../../domain/mapping/mapping.events';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { commandContext, runCommand } from '../commands';
import { ifMatchVersion, ifNoneMatchHits, versionEtag } from '../etag';
import { requireContentType, validateDto } from '../validation';
import { PutItemMappingsDto, PutTaxCodeMappingsDto } from './mappings.dto';

const ETAG_PREFIX = 'v';

const taxJson = (e: TaxCodeMapping) => ({ country_code: e.countryCode, rate: e.rate, tax_code: e.taxCode, ...(e.channelType ? { channel_type: e.channelType } : {}) });
const itemJson = (e: ItemMapping) => ({ variant_reference_key: e.variantReferenceKey, erp_item_number: e.erpItemNumber });
const TAX_FIELDS = { countryCode: 'country_code', taxCode: 'tax_code', channelType: 'channel_type' };
const ITEM_FIELDS = { variantReferenceKey: 'variant_reference_key', erpItemNumber: 'erp_item_number' };

/** Sends a mapping set with its strong ETag (`"v<version>"`); 304 on a matching `If-None-Match`. */
function sendSet<E>(req: Request, res: Response, set: MappingSet<E>, toJson: (e: E) => object): void {
  const etag = versionEtag(set.version, ETAG_PREFIX);
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  if (req.method === 'GET' && ifNoneMatchHits(req, etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).json({
    entries: set.entries.map(toJson),
    version: String(set.version),
    ...(set.changedAt ? { changedAt: set.changedAt } : {}),
    ...(set.changedBy ? { changedBy: set.changedBy } : {}),
    ...(set.position !== undefined ? { position: String(set.position) } : {}),
  });
}

/**
 * `GET/PUT /v1/mappings/tax-codes` and `GET/PUT /v1/mappings/items`: PUT replaces the whole set
 * (recorded as an event with who and when); `If-Match` with the ETag read pins the version.
 */
export class MappingsController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly mappings: MappingsService,
  ) {}

  register(router: Router): void {
    router.get('/v1/mappings/tax-codes', guard(this.keys, 'GET /v1/mappings/tax-codes'), async (req, res) => {
      sendSet(req, res, await this.mappings.taxCodes(), taxJson);
    });
    router.put('/v1/mappings/tax-codes', guard(this.keys, 'PUT /v1/mappings/tax-codes'), requireContentType('application/json'), async (req, res) => {
      const pinned = ifMatchVersion(req, ETAG_PREFIX);
      const dto = await validateDto(PutTaxCodeMappingsDto, req.body);
      const entries = dto.entries.map((e) => ({ countryCode: e.country_code, rate: e.rate, taxCode: e.tax_code, ...(e.channel_type ? { channelType: e.channel_type } : {}) }));
      const set = await runCommand(() => this.mappings.replaceTaxCodes(entries, commandContext(res), pinned), { etagPrefix: ETAG_PREFIX, fieldNames: TAX_FIELDS });
      sendSet(req, res, set, taxJson);
    });
    router.get('/v1/mappings/items', guard(this.keys, 'GET /v1/mappings/items'), async (req, res) => {
      sendSet(req, res, await this.mappings.items(), itemJson);
    });
    router.put('/v1/mappings/items', guard(this.keys, 'PUT /v1/mappings/items'), requireContentType('application/json'), async (req, res) => {
      const pinned = ifMatchVersion(req, ETAG_PREFIX);
      const dto = await validateDto(PutItemMappingsDto, req.body);
      const entries = dto.entries.map((e) => ({ variantReferenceKey: e.variant_reference_key, erpItemNumber: e.erp_item_number }));
      const set = await runCommand(() => this.mappings.replaceItems(entries, commandContext(res), pinned), { etagPrefix: ETAG_PREFIX, fieldNames: ITEM_FIELDS });
      sendSet(req, res, set, itemJson);
    });
  }
}
