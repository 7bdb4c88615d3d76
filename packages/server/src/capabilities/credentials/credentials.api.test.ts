/**
 * Admin API tokens end to end: issue (secret shown once, stored only as a digest), scoping, no
 * privilege escalation, expiry, revocation taking effect immediately — and across instances within
 * a second on PostgreSQL + Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { digestSecret } from '../../crypto/secret-token.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`admin API tokens [${dialect}]`, () => {
    let t: AdminTestApp;
    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant('tok');
      await t.tenant('other');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('issues a token once and stores only its digest', async () => {
      const r = await t.call('POST', '/api/v1/tenants/tok/tokens', {
        body: { name: 'ci', abilities: ['users:read'] },
      });
      expect(r.statusCode).toBe(201);
      const { secret, credential } = r.json() as {
        secret: string;
        credential: { id: string; prefix: string };
      };
      expect(secret).toMatch(/^gk_adm_/);
      expect(secret.startsWith(credential.prefix)).toBe(true);
      const row = await t.runtime.database.db
        .selectFrom('credentials')
        .selectAll()
        .where('id', '=', credential.id)
        .executeTakeFirstOrThrow();
      expect(row.digest).toBe(digestSecret(secret));
      expect(JSON.stringify(row)).not.toContain(secret);
      const got = await t.call('GET', `/api/v1/tenants/tok/tokens/${credential.id}`);
      expect(got.json()).not.toHaveProperty('secret');
      // the token works for its tenant and ability only
      expect((await t.call('GET', '/api/v1/tenants/tok/tokens', { token: secret })).statusCode).toBe(403);
      expect((await t.call('GET', '/api/v1/tenants/other/tokens', { token: secret })).statusCode).toBe(403);
    });

    it('refuses to grant abilities the caller lacks', async () => {
      const limited = await t.token('tok', ['tokens:write']);
      const r = await t.call('POST', '/api/v1/tenants/tok/tokens', {
        token: limited,
        body: { name: 'x', abilities: ['*'] },
      });
      expect(r.statusCode).toBe(403);
      const ok = await t.call('POST', '/api/v1/tenants/tok/tokens', {
        token: limited,
        body: { name: 'x', abilities: ['tokens:read'] },
      });
      expect(ok.statusCode).toBe(201);
    });

    it.each([[['nope']], [['users:delete']], [[]], [['*', 'x'.repeat(40)]]])(
      'refuses abilities %o',
      async (abilities) => {
        const r = await t.call('POST', '/api/v1/tokens', { body: { name: 'x', abilities } });
        expect(r.statusCode).toBe(400);
      },
    );

    it('revocation takes effect at once (401 afterwards) and is idempotent', async () => {
      const r = await t.call('POST', '/api/v1/tokens', {
        body: { name: 'temp', abilities: ['tenants:read'] },
      });
      const { secret, credential } = r.json() as { secret: string; credential: { id: string } };
      expect((await t.call('GET', '/api/v1/tenants', { token: secret })).statusCode).toBe(200);
      expect((await t.call('DELETE', `/api/v1/tokens/${credential.id}`)).statusCode).toBe(204);
      expect((await t.call('GET', '/api/v1/tenants', { token: secret })).statusCode).toBe(401);
      expect((await t.call('DELETE', `/api/v1/tokens/${credential.id}`)).statusCode).toBe(204);
      expect((await t.call('DELETE', `/api/v1/tenants/tok/tokens/${credential.id}`)).statusCode).toBe(404);
    });

    it('an expired token is refused', async () => {
      const { secret, credential } = await t.services.credentials.issue(
        {
          kind: 'adm',
          tenantId: null,
          ownerType: 'system',
          name: 'short',
          abilities: ['*'],
          expiresAt: Date.now() + 50,
        },
        { actor: 'test' },
      );
      expect(credential.expiresAt).not.toBeNull();
      await new Promise((r) => setTimeout(r, 80));
      expect((await t.call('GET', '/api/v1/tenants', { token: secret })).statusCode).toBe(401);
    });

    it('a single-use credential is consumed exactly once under concurrency', async () => {
      const { secret } = await t.services.credentials.issue(
        { kind: 'setup', tenantId: null, ownerType: 'system', name: 'setup', abilities: [] },
        { actor: 'test' },
      );
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => t.services.credentials.consume(secret, 'setup', { actor: 'test' })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('a typo in a token is caught by its checksum before any lookup', async () => {
      const { secret } = await t.services.credentials.issue(
        { kind: 'adm', tenantId: null, ownerType: 'system', name: 'typo', abilities: ['*'] },
        { actor: 'test' },
      );
      const typo = `${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
      const r = await t.call('GET', '/api/v1/tenants', { token: typo });
      expect(r.statusCode).toBe(401);
    });
  });
}

describe('revocation across instances', () => {
  it.runIf(dialectAvailable('postgres') && Boolean(process.env.GATEKEEPER_TEST_REDIS_URL))(
    'a token revoked on one instance is refused by another within a second',
    async () => {
      const a = await createAdminTestApp({ dialect: 'postgres', redis: true });
      try {
        const { createRuntime } = await import('../../runtime.ts');
        const { createServices } = await import('../../services.ts');
        const { buildApp } = await import('../../app.ts');
        const { loadConfig } = await import('../../config/load.ts');
        const { createLogger } = await import('../../logger.ts');
        const c = a.runtime.loaded.config;
        const env = {
          GATEKEEPER_DATABASE_URL: a.db.url,
          GATEKEEPER_MASTER_KEYS: c.masterKeys,
          GATEKEEPER_REDIS_URL: c.redisUrl,
          GATEKEEPER_REDIS_PREFIX: c.redisPrefix,
        };
        const rt = await createRuntime(loadConfig({ env }), { logger: createLogger('silent') });
        const services = createServices(rt);
        await services.start();
        const b = await buildApp(rt, services);
        try {
          const issued = await a.call('POST', '/api/v1/tokens', {
            body: { name: 'x', abilities: ['tenants:read'] },
          });
          const { secret, credential } = issued.json() as { secret: string; credential: { id: string } };
          const onB = () =>
            b.inject({ url: '/api/v1/tenants', headers: { authorization: `Bearer ${secret}` } });
          expect((await onB()).statusCode).toBe(200); // now cached on B
          await a.call('DELETE', `/api/v1/tokens/${credential.id}`);
          const deadline = Date.now() + 1000;
          let status = 200;
          while (Date.now() < deadline) {
            status = (await onB()).statusCode;
            if (status === 401) break;
            await new Promise((r) => setTimeout(r, 10));
          }
          expect(status).toBe(401);
        } finally {
          await b.close();
          await services.stop();
          await rt.close();
        }
      } finally {
        await a.close();
      }
    },
  );
});
