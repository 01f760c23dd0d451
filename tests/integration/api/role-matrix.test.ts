import { expect } from 'chai';
import request from 'supertest';
import { ROLES } from '../../../src/infrastructure/http/auth/api-keys';
import { READ_ONLY_POSTS, ROUTE_ROLES, rolesOf, type GuardedRoute } from '../../../src/infrastructure/http/auth/route-roles';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { listRoutes } from '../../support/express-routes';

/** Routes that authenticate otherwise (public, or Scayle's Basic credentials). */
const NOT_BY_API_KEY = [/^GET \/v1\/health$/, /^GET \/openapi\.json$/, /^GET \/docs$/, /^POST \/v1\/ingest\/scayle\/webhooks/];

const SAMPLE_PARAMS: Record<string, string> = { orderId: '901', exceptionId: 'no-such-exception', period: '2024-05', commandId: 'c-1' };

function call(api: ApiTestService, route: GuardedRoute) {
  const [method, template] = route.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x');
  const agent = request(api.server);
  const req = method === 'GET' ? agent.get(path) : method === 'PUT' ? agent.put(path) : method === 'POST' ? agent.post(path) : agent.delete(path);
  return method === 'GET' ? req : req.set('Content-Type', 'application/json').send('{}');
}

describe('role matrix: every route × every role', () => {
  let api: ApiTestService;
  before(async () => {
    api = await startApiService();
  });
  after(() => api.dispose());

  it('every route the app serves with an API key is in ROUTE_ROLES, and every entry is served', () => {
    const served = listRoutes(api.service.app).filter((r) => !NOT_BY_API_KEY.some((re) => re.test(r)));
    expect(served.filter((r) => !(r in ROUTE_ROLES)), 'routes missing from ROUTE_ROLES').to.deep.equal([]);
    expect(Object.keys(ROUTE_ROLES).filter((r) => !served.includes(r)), 'ROUTE_ROLES entries the app does not serve').to.deep.equal([]);
  });

  it('auditor never writes', () => {
    for (const route of Object.keys(ROUTE_ROLES) as GuardedRoute[]) {
      if (!route.startsWith('GET ') && !READ_ONLY_POSTS.includes(route)) expect(rolesOf(route), route).to.not.include('auditor');
    }
  });

  for (const route of Object.keys(ROUTE_ROLES) as GuardedRoute[]) {
    describe(route, () => {
      it('401 without an API key', async () => {
        const res = await call(api, route);
        expect(res.status, route).to.equal(401);
        expect(res.headers['www-authenticate']).to.match(/^Bearer/);
      });
      for (const role of ROLES) {
        const allowed = rolesOf(route).includes(role);
        it(`${role}: ${allowed ? 'admitted (not 401/403)' : '403'}`, async () => {
          const res = await call(api, route).set(auth(role));
          if (allowed) expect(res.status, `${role} ${route}: ${res.text}`).to.not.be.oneOf([401, 403]);
          else {
            expect(res.status, `${role} ${route}`).to.equal(403);
            expect(res.body.requiredRoles).to.deep.equal(rolesOf(route));
          }
        });
      }
    });
  }
});
