import { statSync } from 'node:fs';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { ApiKeyConfigError, ApiKeyRegistry, loadOrCreateLocalKeys, parseApiKeys } from '../../../src/infrastructure/http/auth/api-keys';
import { actorOf, requireRole } from '../../../src/infrastructure/http/auth/auth.middleware';
import { problemErrorHandler } from '../../../src/infrastructure/http/problem-details';
import { createLogger } from '../../../src/infrastructure/logging/logger';
import { tempDir } from '../../support/temp-dir';

describe('API keys and roles', () => {
  it('parses role:key pairs and refuses unknown roles and short keys without echoing the key', () => {
    expect(parseApiKeys('finance:0123456789abcdef, integrator:fedcba9876543210')).to.deep.equal([
      { role: 'finance', key: '0123456789abcdef' },
      { role: 'integrator', key: 'fedcba9876543210' },
    ]);
    expect(() => parseApiKeys('boss:0123456789abcdef')).to.throw(ApiKeyConfigError, /pair 1: role must be one of/);
    try {
      parseApiKeys('cx:short-secret');
      expect.fail('expected ApiKeyConfigError');
    } catch (err) {
      expect((err as Error).message).to.contain('at least 16').and.not.contain('short-secret');
    }
  });

  it('generates one key per role with owner-only permissions and reuses them', () => {
    const dir = tempDir();
    try {
      const first = loadOrCreateLocalKeys(dir.path);
      expect(first.created).to.equal(true);
      expect(first.keys.map((k) => k.role)).to.deep.equal(['admin', 'finance', 'operations', 'cx', 'auditor', 'integrator']);
      expect(statSync(first.file).mode & 0o777).to.equal(0o600);
      const second = loadOrCreateLocalKeys(dir.path);
      expect(second.created).to.equal(false);
      expect(second.keys).to.deep.equal(first.keys);
    } finally {
      dir.remove();
    }
  });

  describe('requireRole', () => {
    const registry = new ApiKeyRegistry(parseApiKeys('finance:finance-key-0000001,auditor:auditor-key-0000001,admin:admin-key-00000001'));
    const app = express();
    app.post('/close', requireRole(registry, 'finance'), (_req, res) => {
      res.json({ actor: actorOf(res) });
    });
    app.use(problemErrorHandler(createLogger('silent')));

    it('401 without a key or with an unknown one, with WWW-Authenticate', async () => {
      const none = await request(app).post('/close').expect(401);
      expect(none.headers['www-authenticate']).to.match(/^Bearer/);
      expect(none.body.errors).to.deep.equal([{ field: 'Authorization', message: 'missing bearer API key' }]);
      const wrong = await request(app).post('/close').set('Authorization', 'Bearer nope-nope-nope-nope').expect(401);
      expect(wrong.body.errors[0].message).to.equal('unknown API key');
    });

    it('403 for a role the route does not admit, naming the roles that may', async () => {
      const res = await request(app).post('/close').set('Authorization', 'Bearer auditor-key-0000001').expect(403);
      expect(res.body.requiredRoles).to.deep.equal(['admin', 'finance']);
    });

    it('admits the role and admin, and names the actor by key id, never by key', async () => {
      const res = await request(app).post('/close').set('Authorization', 'Bearer finance-key-0000001').expect(200);
      expect(res.body.actor).to.match(/^finance:[0-9a-f]{12}$/);
      expect(res.body.actor).to.not.contain('finance-key');
      await request(app).post('/close').set('Authorization', 'Bearer admin-key-00000001').expect(200);
    });
  });
});
