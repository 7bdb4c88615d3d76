/**
 * The gateway's admin API on both dialects: routes (create, tie refused with 409 naming the other
 * route, ETags, bad patterns and modes refused with 400), permissions, limits, a client's HMAC
 * secrets (shown once), API tokens (personal and service; secrets shown once), explain, the abilities
 * each needs, and an audit entry for every write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTenantApi, expectWritesAudited, problemCode } from '../../../test/tenant-api.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`gateway admin API [${dialect}]`, () => {
    let t: AdminTestApp;
    const { api, writes } = createTenantApi(() => t, '/api/v1/tenants/acme');
    let clientId = '';

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant('acme');
      const c = await api('POST', '/clients', { body: { name: 'reports' } });
      clientId = (c.json() as unknown as { client: { id: string } }).client.id;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('creates, reads, updates and deletes routes; refuses ties and bad input', async () => {
      const created = await api('POST', '/gateway/routes', {
        body: {
          host: 'API.example.com',
          path: '/v1/{id}',
          auth: { GET: ['api_key'], POST: ['hmac', 'api_key'] },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      const route = created.json() as unknown as { id: string; host: string; version: number };
      expect(route.host).toBe('api.example.com');
      const tie = await api('POST', '/gateway/routes', {
        body: { host: 'api.example.com', path: '/v1/{other}', auth: { GET: ['public'] } },
      });
      expect(problemCode(tie, 409)).toBe('route_conflict');
      expect((tie.json() as unknown as { detail: string }).detail).toContain(route.id);
      for (const body of [
        { host: 'a b', path: '/x', auth: { GET: ['public'] } },
        { host: 'a.com', path: 'x', auth: { GET: ['public'] } },
        { host: 'a.com', path: '/x', auth: { GET: ['magic'] } },
        { host: 'a.com', path: '/x', auth: { get: ['public'] } },
        { host: 'a.com', path: '/x', auth: { GET: ['public', 'api_key'] } },
        { host: 'a.com', path: '/x', auth: {} },
        { host: 'a.com', path: '/x', auth: { GET: ['public'] }, extra: 1 },
      ]) {
        const r = await api('POST', '/gateway/routes', { body });
        expect(r.statusCode, JSON.stringify(body)).toBe(400);
      }
      const got = await api('GET', `/gateway/routes/${route.id}`);
      expect(got.headers.etag).toBe('"1"');
      const stale = await api('PATCH', `/gateway/routes/${route.id}`, {
        body: { description: 'x' },
        ifMatch: '"9"',
      });
      expect(problemCode(stale, 412)).toBe('precondition_failed');
      const patched = await api('PATCH', `/gateway/routes/${route.id}`, {
        body: { auth: { '*': ['api_key'] } },
        ifMatch: '"1"',
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect((await api('GET', '/gateway/routes')).json()).toMatchObject({ items: [{ id: route.id }] });

      const grant = await api('POST', '/gateway/permissions', {
        body: { routeId: route.id, client: 'reports', methods: ['GET', 'POST'], scopes: ['reports:read'] },
      });
      expect(grant.statusCode, grant.body).toBe(201);
      expect(
        problemCode(
          await api('POST', '/gateway/permissions', { body: { routeId: route.id, methods: ['GET'] } }),
          400,
        ),
      ).toBe('validation_failed');
      expect(
        problemCode(
          await api('POST', '/gateway/permissions', {
            body: { routeId: route.id, role: 'nope', methods: ['GET'] },
          }),
          404,
        ),
      ).toBe('not_found');
      const limit = await api('PUT', '/gateway/limits', {
        body: { client: 'reports', routeId: route.id, quota: 1000, quotaWindowSeconds: 86400, burst: 10 },
      });
      expect(limit.statusCode, limit.body).toBe(200);
      expect((limit.json() as unknown as { burstWindowSeconds: number }).burstWindowSeconds).toBe(1);
      expect(problemCode(await api('PUT', '/gateway/limits', { body: { client: 'reports' } }), 400)).toBe(
        'validation_failed',
      );

      const explained = await api('POST', '/authz/explain', {
        body: { method: 'GET', url: 'https://api.example.com/v1/7' },
        noop: true,
      });
      expect(explained.statusCode, explained.body).toBe(200);
      expect(explained.json()).toMatchObject({ allow: false, status: 401, reason: 'credentials_required' });

      expect((await api('DELETE', `/gateway/routes/${route.id}`)).statusCode).toBe(204);
      expect((await api('GET', '/gateway/permissions')).json()).toMatchObject({ items: [] });
    });

    it("manages a client's HMAC secrets and API tokens, each secret shown once", async () => {
      const h = await api('POST', `/clients/${clientId}/hmac-secrets`, { body: {} });
      expect(h.statusCode, h.body).toBe(201);
      const { secret } = h.json() as unknown as { secret: string };
      expect(secret).toMatch(/^gk_hms_/);
      const listed = await api('GET', '/clients/reports/hmac-secrets');
      expect(listed.body).not.toContain(secret);

      const user = await api('POST', '/users', { body: { username: 'ada', email: 'ada@example.com' } });
      const userId = (user.json() as unknown as { id: string }).id;
      const pat = await api('POST', '/api-tokens', {
        body: { name: 'laptop', user: userId, scopes: ['reports:read'] },
      });
      expect(pat.statusCode, pat.body).toBe(201);
      const created = pat.json() as unknown as { secret: string; token: { id: string; kind: string } };
      expect(created.secret).toMatch(/^gk_pat_/);
      expect(created.token.kind).toBe('personal');
      const svc = await api('POST', '/api-tokens', { body: { name: 'job', client: clientId, scopes: [] } });
      expect((svc.json() as unknown as { token: { kind: string } }).token.kind).toBe('service');
      expect(
        problemCode(
          await api('POST', '/api-tokens', { body: { name: 'x', scopes: ['Bad Scope'], user: userId } }),
          400,
        ),
      ).toBe('validation_failed');
      expect(problemCode(await api('POST', '/api-tokens', { body: { name: 'x', scopes: [] } }), 400)).toBe(
        'validation_failed',
      );
      const all = await api('GET', '/api-tokens');
      expect(all.body).not.toContain(created.secret);
      expect((all.json() as unknown as { items: unknown[] }).items).toHaveLength(2);
      expect((await api('GET', `/api-tokens?user=${userId}`)).json()).toMatchObject({
        items: [{ id: created.token.id }],
      });
      expect((await api('DELETE', `/api-tokens/${created.token.id}`)).statusCode).toBe(204);
      expect((await api('GET', `/api-tokens/${created.token.id}`)).json()).toMatchObject({
        revokedAt: expect.any(String),
      });
    });

    it('needs the right abilities', async () => {
      const reader = await t.token('acme', ['routes:read']);
      const as = (method: 'GET' | 'POST', url: string, body?: unknown) =>
        t.call(method, `/api/v1/tenants/acme${url}`, { token: reader, body });
      expect((await as('GET', '/gateway/routes')).statusCode).toBe(200);
      expect(
        (await as('POST', '/gateway/routes', { host: 'a.com', path: '/x', auth: { GET: ['public'] } }))
          .statusCode,
      ).toBe(403);
      expect((await as('GET', '/api-tokens')).statusCode).toBe(403);
      expect((await as('GET', '/gateway/limits')).statusCode).toBe(403);
    });

    it('audits every write', async () => {
      await expectWritesAudited(t, 'acme', writes, 5, [
        'gateway.route_created',
        'gateway.permission_granted',
        'gateway.limit_set',
        'gateway.hmac_secret_added',
        'credential.issued',
        'credential.revoked',
      ]);
    });
  });
}
