/**
 * The `api_key` mode through `/authz` as nginx asks: a service token of a permitted client is
 * allowed with identity headers; no token, a garbage, duplicated or oversize Authorization, an admin
 * token, another tenant's token, a revoked or expired token and a disabled client are 401s with their
 * reasons; a missing grant is a 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { askNginx, ctx, gatewayTenant } from './test-support.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`/authz api_key [${dialect}]`, () => {
    let t: TestRuntime;
    let g: Awaited<ReturnType<typeof gatewayTenant>>;
    let other: Awaited<ReturnType<typeof gatewayTenant>>;
    let routeId: string;

    beforeAll(async () => {
      t = await createTestRuntime({ dialect, redis: dialect === 'postgres' });
      g = await gatewayTenant(t.services, 'acme');
      other = await gatewayTenant(t.services, 'other');
      const route = await g.route('api.example.com', '/datasets/*', { GET: ['api_key'], POST: ['api_key'] });
      routeId = route.id;
      await g.grantClient(route.id, ['GET']);
    });
    afterAll(async () => {
      await t?.close();
    });

    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it('allows a permitted service token and names the caller', async () => {
      const r = await askNginx(t.app, 'acme', { uri: '/datasets/42?x=1', headers: bearer(g.serviceToken) });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['x-client-id']).toBe(g.client.clientId);
      expect(r.headers['x-client-name']).toBe('acme-svc');
      expect(r.headers['x-route-id']).toBe(routeId);
      expect(r.headers['x-scopes']).toBe('datasets:read');
      expect(r.headers['x-client-ip']).toBe('127.0.0.1');
    });

    it('refuses a method the grant does not cover with 403', async () => {
      const r = await askNginx(t.app, 'acme', {
        method: 'POST',
        uri: '/datasets/42',
        headers: bearer(g.serviceToken),
      });
      expect(r.statusCode).toBe(403);
      expect(r.headers['x-authz-reason']).toBe('not_permitted');
    });

    it.each([
      ['no credential', {}, 'credentials_required'],
      ['garbage', { authorization: 'Bearer !!!' }, 'invalid_token'],
      ['truncated', { authorization: 'Bearer gk_svc_abc' }, 'invalid_token'],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }, 'malformed_authorization'],
      ['oversize', { authorization: `Bearer ${'a'.repeat(6000)}` }, 'invalid_token'],
    ])('refuses %s with 401', async (_name, headers, reason) => {
      const r = await askNginx(t.app, 'acme', { uri: '/datasets/1', headers });
      expect(r.statusCode).toBe(401);
      expect(r.headers['x-authz-reason']).toBe(reason);
      expect(r.headers['www-authenticate']).toContain('Bearer realm="acme"');
    });

    it('refuses a duplicated Authorization header', async () => {
      const r = await t.app.inject({
        url: '/t/acme/authz',
        headers: {
          'x-original-method': 'GET',
          'x-original-host': 'api.example.com',
          'x-original-uri': '/datasets/1',
          authorization: [`Bearer ${g.serviceToken}`, 'Bearer gk_svc_x'] as never,
        },
      });
      expect(r.statusCode).toBe(401);
      expect(r.headers['x-authz-reason']).toBe('duplicate_credentials');
    });

    it("refuses another tenant's token and an admin token", async () => {
      const r = await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer(other.serviceToken) });
      expect(r.statusCode).toBe(401);
      expect(r.headers['x-authz-reason']).toBe('wrong_tenant');
      const adm = await t.services.credentials.issue(
        { kind: 'adm', tenantId: g.tenantId, ownerType: 'system', name: 'a', abilities: ['*'] },
        ctx,
      );
      const r2 = await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer(adm.secret) });
      expect(r2.statusCode).toBe(401);
      expect(r2.headers['x-authz-reason']).toBe('wrong_credential_kind');
    });

    it('refuses revoked and expired tokens and a disabled client', async () => {
      const mk = (expiresInDays?: number) =>
        t.services.apiTokens.create(
          g.tenantId,
          {
            owner: { type: 'client', id: g.client.id },
            name: 'tmp',
            scopes: [],
            ...(expiresInDays ? { expiresInDays } : {}),
          },
          ctx,
        );
      const revoked = await mk();
      expect(
        (await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer(revoked.secret) })).statusCode,
      ).toBe(200);
      await t.services.apiTokens.revoke(g.tenantId, revoked.token.id, ctx);
      const r = await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer(revoked.secret) });
      expect([r.statusCode, r.headers['x-authz-reason']]).toEqual([401, 'credential_revoked']);

      const expiring = await mk(1);
      await t.runtime.database.db
        .updateTable('credentials')
        .set({ expires_at: Date.now() - 1 })
        .where('id', '=', expiring.token.id)
        .execute();
      await t.runtime.changes.announce('cache.credentials', '*');
      const e = await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer(expiring.secret) });
      expect([e.statusCode, e.headers['x-authz-reason']]).toEqual([401, 'credential_expired']);

      const c = await t.services.clients.get(g.tenantId, g.client.id);
      await t.services.clients.update(g.tenantId, c.id, { status: 'disabled' }, c.version, ctx);
      const d = await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer(g.serviceToken) });
      expect([d.statusCode, d.headers['x-authz-reason']]).toEqual([401, 'client_disabled']);
      const again = await t.services.clients.get(g.tenantId, g.client.id);
      await t.services.clients.update(g.tenantId, again.id, { status: 'active' }, again.version, ctx);
      expect(
        (await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer(g.serviceToken) })).statusCode,
      ).toBe(200);
    });

    it('audits every denial with its reason', async () => {
      await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer('gk_svc_nope') });
      await t.runtime.audit.flush();
      const rows = await t.runtime.database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'authz.denied')
        .execute();
      const reasons = rows.map((r) => (JSON.parse(r.data) as { reason: string }).reason);
      expect(reasons).toContain('invalid_token');
      expect(reasons).toContain('credential_revoked');
      expect(JSON.stringify(rows)).not.toContain(g.serviceToken);
    });

    it('counts decisions by reason and records last use in batches, off the request path', async () => {
      const metrics = (await t.app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/gatekeeper_authz_decisions_total\{decision="allow",reason="allowed"\} \d+/);
      expect(metrics).toMatch(
        /gatekeeper_authz_decisions_total\{decision="deny",reason="invalid_token"\} \d+/,
      );
      expect(metrics).toContain('gatekeeper_authz_decision_seconds_bucket');
      const { secret, token } = await t.services.apiTokens.create(
        g.tenantId,
        { owner: { type: 'client', id: g.client.id }, name: 'used', scopes: [] },
        ctx,
      );
      expect(
        (await askNginx(t.app, 'acme', { uri: '/datasets/1', headers: bearer(secret) })).statusCode,
      ).toBe(200);
      const row = () =>
        t.runtime.database.db
          .selectFrom('credentials')
          .select('last_used_at')
          .where('id', '=', token.id)
          .executeTakeFirstOrThrow();
      expect((await row()).last_used_at).toBeNull();
      await t.services.credentials.flushLastUsed();
      expect((await row()).last_used_at).toEqual(expect.any(Number));
    });
  });
}
