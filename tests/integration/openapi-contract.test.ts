import { expect } from 'chai';
import request from 'supertest';
import { loadOpenApi } from '../../src/infrastructure/http/openapi';
import { LedgerService } from '../../src/infrastructure/service';
import { listRoutes } from '../support/express-routes';
import { tempDir } from '../support/temp-dir';
import { testConfig } from '../support/test-config';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
/** Routes that serve the documentation itself. */
const UNDOCUMENTED = new Set(['GET /openapi.json', 'GET /docs']);

describe('OpenAPI contract', () => {
  const dir = tempDir();
  let service: LedgerService;

  before(async () => {
    service = await LedgerService.start(testConfig(dir.path), {}, false);
  });
  after(async () => {
    await service.stop();
    dir.remove();
  });

  it('documents exactly the routes the app serves', () => {
    const served = listRoutes(service.app).filter((r) => !UNDOCUMENTED.has(r));
    const documented = Object.entries(loadOpenApi().paths)
      .flatMap(([path, item]) => Object.keys(item).filter((k) => HTTP_METHODS.includes(k)).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(served.filter((r) => !documented.includes(r)), 'routes missing from openapi/openapi.yaml').to.deep.equal([]);
    expect(documented.filter((r) => !served.includes(r)), 'documented operations the app does not serve').to.deep.equal([]);
  });

  it('gives every operation an operationId, a tag and at least one response', () => {
    for (const [path, item] of Object.entries(loadOpenApi().paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        const operation = op as { operationId?: string; tags?: string[]; responses?: object };
        expect(operation.operationId, `${method} ${path}`).to.be.a('string');
        expect(operation.tags, `${method} ${path}`).to.be.an('array').that.is.not.empty;
        expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).to.not.be.empty;
      }
    }
  });

  it('serves the contract at /openapi.json and Swagger UI at /docs', async () => {
    const spec = await request(service.server).get('/openapi.json').expect(200);
    expect(spec.body.openapi).to.equal('3.1.0');
    expect(spec.body.paths).to.have.property('/v1/health');
    const docs = await request(service.server).get('/docs/').expect(200);
    expect(docs.text).to.contain('swagger-ui');
  });
});
