/**
 * Tenants API end to end on each dialect: success, 400, 401, 403 (missing ability; another tenant),
 * 404, 409, 412, root protection, suspension blocking tenant-scoped tokens, and pagination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { dialectAvailable } from '../../../test/databases.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`tenants API [${dialect}]`, () => {
    let t: AdminTestApp;
    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('has the root tenant from first start', async () => {
      const r = await t.call('GET', '/api/v1/tenants/root');
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({
        slug: 'root',
        status: 'active',
        issuer: 'http://localhost:8080/t/root',
      });
      expect(r.headers.etag).toBe('"1"');
    });

    it('creates a tenant (201, Location, ETag) and refuses a duplicate slug (409)', async () => {
      const r = await t.call('POST', '/api/v1/tenants', {
        body: { slug: 'acme', displayName: 'Acme', domains: ['acme.example'] },
      });
      expect(r.statusCode).toBe(201);
      expect(r.headers.location).toBe('/api/v1/tenants/acme');
      expect(r.json()).toMatchObject({
        slug: 'acme',
        displayName: 'Acme',
        domains: ['acme.example'],
        version: 1,
      });
      const dup = await t.call('POST', '/api/v1/tenants', { body: { slug: 'acme', displayName: 'Again' } });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().code).toBe('conflict');
      const domain = await t.call('POST', '/api/v1/tenants', {
        body: { slug: 'other', displayName: 'x', domains: ['acme.example'] },
      });
      expect(domain.statusCode).toBe(409);
    });

    it.each([
      [{ slug: 'Bad Slug', displayName: 'x' }],
      [{ slug: '-x', displayName: 'x' }],
      [{ slug: 'x'.repeat(64), displayName: 'x' }],
      [{ slug: 'ok', displayName: '' }],
      [{ slug: 'ok', displayName: 'x', extra: 1 }],
      [{ slug: 'ok' }],
      [{ slug: 'ok', displayName: 'x', domains: ['not a domain'] }],
    ])('refuses invalid input %o with 400', async (body) => {
      const r = await t.call('POST', '/api/v1/tenants', { body });
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('validation_failed');
    });

    it('requires a credential (401) and a valid one (401)', async () => {
      const none = await t.call('GET', '/api/v1/tenants', { token: null });
      expect(none.statusCode).toBe(401);
      expect(none.json().code).toBe('unauthenticated');
      const bad = await t.call('GET', '/api/v1/tenants', { token: 'gk_adm_nottherightshape' });
      expect(bad.statusCode).toBe(401);
      expect(bad.json().code).toBe('invalid_token');
      expect(bad.headers['www-authenticate']).toMatch(/Bearer/);
    });

    it('answers 403 for a missing ability and for a tenant-scoped token on the tenant list', async () => {
      const readOnly = await t.token(null, ['tenants:read']);
      expect(
        (
          await t.call('POST', '/api/v1/tenants', {
            token: readOnly,
            body: { slug: 'nope', displayName: 'x' },
          })
        ).statusCode,
      ).toBe(403);
      await t.tenant('scoped');
      const scoped = await t.token('scoped', ['*']);
      expect((await t.call('GET', '/api/v1/tenants', { token: scoped })).statusCode).toBe(403);
      expect((await t.call('GET', '/api/v1/tenants/scoped', { token: scoped })).statusCode).toBe(200);
      expect((await t.call('GET', '/api/v1/tenants/acme', { token: scoped })).statusCode).toBe(403);
      expect((await t.call('GET', '/api/v1/tenants/does-not-exist', { token: scoped })).statusCode).toBe(403);
    });

    it('answers 404 for an unknown tenant', async () => {
      const r = await t.call('GET', '/api/v1/tenants/ghost');
      expect(r.statusCode).toBe(404);
      expect(r.json().code).toBe('not_found');
    });

    it('honours If-Match (412 on a stale ETag)', async () => {
      await t.tenant('etag');
      const ok = await t.call('PATCH', '/api/v1/tenants/etag', {
        body: { displayName: 'One' },
        headers: { 'if-match': '"1"' },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers.etag).toBe('"2"');
      const stale = await t.call('PATCH', '/api/v1/tenants/etag', {
        body: { displayName: 'Two' },
        headers: { 'if-match': '"1"' },
      });
      expect(stale.statusCode).toBe(412);
      expect(stale.json().code).toBe('precondition_failed');
      expect((await t.call('GET', '/api/v1/tenants/etag')).json().displayName).toBe('One');
    });

    it('protects the root tenant', async () => {
      expect(
        (await t.call('PATCH', '/api/v1/tenants/root', { body: { status: 'suspended' } })).statusCode,
      ).toBe(409);
      expect((await t.call('DELETE', '/api/v1/tenants/root')).statusCode).toBe(409);
    });

    it('suspension blocks the tenant’s own tokens at once; root can reactivate', async () => {
      await t.tenant('sus');
      const own = await t.token('sus', ['tenants:read']);
      expect((await t.call('GET', '/api/v1/tenants/sus', { token: own })).statusCode).toBe(200);
      const ownWrite = await t.token('sus', ['tenants:write']);
      expect(
        (await t.call('PATCH', '/api/v1/tenants/sus', { token: ownWrite, body: { status: 'suspended' } }))
          .statusCode,
      ).toBe(403);
      expect(
        (await t.call('PATCH', '/api/v1/tenants/sus', { body: { status: 'suspended' } })).statusCode,
      ).toBe(200);
      const blocked = await t.call('GET', '/api/v1/tenants/sus', { token: own });
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().code).toBe('tenant_suspended');
      expect((await t.call('PATCH', '/api/v1/tenants/sus', { body: { status: 'active' } })).statusCode).toBe(
        200,
      );
      expect((await t.call('GET', '/api/v1/tenants/sus', { token: own })).statusCode).toBe(200);
    });

    it('deletes a tenant (204) and then answers 404', async () => {
      await t.tenant('doomed');
      expect((await t.call('DELETE', '/api/v1/tenants/doomed')).statusCode).toBe(204);
      expect((await t.call('GET', '/api/v1/tenants/doomed')).statusCode).toBe(404);
    });

    it('paginates with cursors, filters and sorts', async () => {
      for (let i = 0; i < 7; i++) await t.tenant(`page-${i}`);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/tenants?limit=3&q=page-${cursor ? `&cursor=${cursor}` : ''}`;
        const r = await t.call('GET', url);
        expect(r.statusCode).toBe(200);
        const page = r.json() as { items: { slug: string }[]; nextCursor: string | null };
        seen.push(...page.items.map((x) => x.slug));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
      const desc = (await t.call('GET', '/api/v1/tenants?sort=-slug&limit=2&q=page-')).json();
      expect(desc.items.map((x: { slug: string }) => x.slug)).toEqual(['page-6', 'page-5']);
      const wrongSort = await t.call('GET', `/api/v1/tenants?sort=createdAt&cursor=${desc.nextCursor}`);
      expect(wrongSort.statusCode).toBe(400);
      expect(wrongSort.json().code).toBe('invalid_cursor');
      expect((await t.call('GET', '/api/v1/tenants?limit=0')).statusCode).toBe(400);
      expect((await t.call('GET', '/api/v1/tenants?limit=Infinity')).statusCode).toBe(400);
    });

    it('audits admin actions with the actor and changed fields', async () => {
      await t.runtime.audit.flush();
      const rows = await t.runtime.database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'tenant.updated')
        .where('tenant', '=', 'etag')
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.actor).toMatch(/^credential:/);
      expect(JSON.parse(rows[0]!.data)).toEqual({ changed: ['displayName'] });
    });
  });
}
