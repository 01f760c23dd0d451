import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { parse } from 'yaml';

/** An OpenAPI document as parsed from openapi/openapi.yaml. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
  [key: string]: unknown;
}

let cached: OpenApiDocument | undefined;

/** Path of the contract, found from src/ and from dist/. */
export function openApiPath(): string {
  const candidates = [join(__dirname, '../../../openapi/openapi.yaml'), join(__dirname, '../../../../openapi/openapi.yaml')];
  for (const candidate of candidates) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error('openapi/openapi.yaml not found');
}

/** The API contract (openapi/openapi.yaml), parsed once. */
export function loadOpenApi(): OpenApiDocument {
  cached ??= parse(readFileSync(openApiPath(), 'utf8')) as OpenApiDocument;
  return cached;
}

/** `GET /openapi.json` (the contract as JSON) and `GET /docs` (Swagger UI); both public. */
export function openApiRouter(version: string): Router {
  const doc = { ...loadOpenApi(), info: { ...loadOpenApi().info, version } };
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.use('/docs', swaggerUi.serve);
  router.get('/docs', swaggerUi.setup(doc, { customSiteTitle: 'scayle-erp-ledger API', swaggerOptions: { persistAuthorization: true } }));
  return router;
}
