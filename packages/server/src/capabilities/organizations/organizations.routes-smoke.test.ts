/**
 * Smoke test of the organization routes through `app.inject()`: they register under the strict-schema
 * check and the admin guard, answer with the documented status codes, ETags and Location, serialise
 * the recursive tree, and appear in the OpenAPI document. (The full per-endpoint API suite with real
 * admin tokens lives with the admin API.)
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import { registerAdminGuard } from '../../http/admin-guard.ts';
import { registerInputGuards } from '../../http/input-guards.ts';
import { registerOpenApi } from '../../http/openapi.ts';
import { registerProblemHandlers } from '../../http/problem.ts';
import { assertStrictSchema } from '../../http/schema-kit.ts';
import { organizationsPlugin } from './index.ts';
import { createHarness, insertTenant, insertUser, type Tenant } from './test-support.ts';

const tokens: Record<string, string[]> = { admin: ['*'], reader: ['orgs:read'] };

async function buildTestApp(t: TestDatabase): Promise<FastifyInstance> {
  const app = Fastify({
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRoute', (route) => {
    const s = route.schema as Record<string, unknown> | undefined;
    for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
      if (s?.[part]) assertStrictSchema(s[part], `${route.method} ${route.url} ${part}`);
    }
  });
  registerProblemHandlers(app);
  registerInputGuards(app);
  await registerOpenApi(app, 'http://localhost', 'test');
  const { organizations } = createHarness(t.database);
  await app.register(
    async (admin) => {
      registerAdminGuard(admin, {
        async authenticate(secret) {
          const abilities = tokens[secret];
          if (!abilities) throw new AppError('invalid_token');
          return {
            credentialId: secret,
            actor: `token:${secret}`,
            tenantId: null,
            tenantSlug: null,
            abilities,
          };
        },
        async resolveTenant(slug) {
          const row = await t.database.db
            .selectFrom('tenants')
            .select(['id', 'slug', 'status'])
            .where('slug', '=', slug)
            .executeTakeFirst();
          if (!row) throw new AppError('not_found');
          return row;
        },
      });
      await admin.register(organizationsPlugin, { prefix: '/tenants/:tenant', organizations });
    },
    { prefix: '/api/v1' },
  );
  await app.ready();
  return app;
}

describe('organization routes (smoke)', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let tenant: Tenant;
  const base = '/api/v1/tenants/smoke/organizations';
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    app = await buildTestApp(t);
    tenant = await insertTenant(t.database, 'smoke');
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('creates, reads, renames with If-Match, moves, nests and deletes', async () => {
    const created = await app.inject({
      method: 'POST',
      url: base,
      headers: as('admin'),
      payload: { name: 'Acme' },
    });
    expect(created.statusCode).toBe(201);
    const acme = created.json();
    expect(created.headers.location).toBe(`${base}/${acme.id}`);
    expect(created.headers.etag).toBe('"1"');
    expect(acme).toMatchObject({ name: 'Acme', kind: 'organization', parentId: null, version: 1 });
    expect(acme.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const unit = (
      await app.inject({
        method: 'POST',
        url: base,
        headers: as('admin'),
        payload: { name: 'Sales', parentId: acme.id },
      })
    ).json();
    const leaf = (
      await app.inject({
        method: 'POST',
        url: base,
        headers: as('admin'),
        payload: { name: 'EMEA', parentId: unit.id },
      })
    ).json();

    const got = await app.inject({ url: `${base}/${unit.id}`, headers: as('reader') });
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');

    const stale = await app.inject({
      method: 'PATCH',
      url: `${base}/${unit.id}`,
      headers: { ...as('admin'), 'if-match': '"7"' },
      payload: { name: 'Revenue' },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('precondition_failed');
    const renamed = await app.inject({
      method: 'PATCH',
      url: `${base}/${unit.id}`,
      headers: { ...as('admin'), 'if-match': '"1"' },
      payload: { name: 'Revenue' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.headers.etag).toBe('"2"');

    const cycle = await app.inject({
      method: 'POST',
      url: `${base}/${unit.id}/move`,
      headers: as('admin'),
      payload: { parentId: leaf.id },
    });
    expect(cycle.statusCode).toBe(409);
    expect(cycle.json().code).toBe('org_unit_cycle');

    const tree = await app.inject({ url: `${base}/${acme.id}/tree`, headers: as('reader') });
    expect(tree.statusCode).toBe(200);
    const body = tree.json();
    expect(body.children[0].name).toBe('Revenue');
    expect(body.children[0].children[0]).toMatchObject({ id: leaf.id, name: 'EMEA', children: [] });

    const list = await app.inject({
      url: `${base}?parentId=root&sort=-createdAt&limit=10`,
      headers: as('reader'),
    });
    expect(list.json()).toMatchObject({ items: [{ id: acme.id }], nextCursor: null });

    const denied = await app.inject({ method: 'DELETE', url: `${base}/${acme.id}`, headers: as('reader') });
    expect(denied.statusCode).toBe(403);
    const deleted = await app.inject({ method: 'DELETE', url: `${base}/${acme.id}`, headers: as('admin') });
    expect(deleted.statusCode).toBe(204);
    expect((await app.inject({ url: `${base}/${leaf.id}`, headers: as('reader') })).statusCode).toBe(404);
  });

  it('sets, lists and removes members; lists a user’s organizations', async () => {
    const org = (
      await app.inject({ method: 'POST', url: base, headers: as('admin'), payload: { name: 'Org' } })
    ).json();
    const user = await insertUser(t.database, tenant.id, 'alice');
    const member = `${base}/${org.id}/members/${user}`;
    const put = (roles: string[]) =>
      app.inject({ method: 'PUT', url: member, headers: as('admin'), payload: { roles } });
    expect((await put(['viewer', 'writer'])).statusCode).toBe(201);
    const again = await put(['admin']);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ userId: user, roles: ['admin'] });
    const unknown = await put(['wizard']);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'validation_failed', detail: 'unknown role: "wizard"' });

    const members = await app.inject({ url: `${base}/${org.id}/members`, headers: as('reader') });
    expect(members.json()).toEqual({ items: [{ userId: user, roles: ['admin'] }], nextCursor: null });
    const orgs = await app.inject({
      url: `/api/v1/tenants/smoke/users/${user}/organizations`,
      headers: as('reader'),
    });
    expect(orgs.json()).toEqual({
      items: [{ orgId: org.id, orgName: 'Org', kind: 'organization', roles: ['admin'] }],
    });
    expect((await app.inject({ method: 'DELETE', url: member, headers: as('admin') })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: member, headers: as('admin') })).statusCode).toBe(404);
  });

  it('answers 404 for non-UUID ids and 400 for bad bodies', async () => {
    for (const url of [
      `${base}/nope`,
      `${base}/nope/tree`,
      `${base}/nope/members`,
      '/api/v1/tenants/smoke/users/x/organizations',
    ]) {
      const r = await app.inject({ url, headers: as('reader') });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().code).toBe('not_found');
    }
    const bad = [{}, { name: '' }, { name: ' x' }, { name: 'x', extra: 1 }, { name: 'x'.repeat(201) }];
    for (const payload of bad) {
      const r = await app.inject({ method: 'POST', url: base, headers: as('admin'), payload });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const tooMany = await app.inject({
      method: 'PUT',
      url: `${base}/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}/members/x`,
      headers: as('admin'),
      payload: { roles: Array.from({ length: 21 }, (_, i) => `r${i}`) },
    });
    expect(tooMany.statusCode).toBe(400);
  });

  it('documents every route under the organizations tag, with the recursive tree schema', async () => {
    const spec = (await app.inject('/openapi.json')).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
      components: { schemas: Record<string, { title?: string }> };
    };
    const operations = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/v1/tenants/{tenant}/'))
      .flatMap(([, ops]) => Object.values(ops));
    expect(operations).toHaveLength(11);
    for (const op of operations) expect(op.tags).toEqual(['organizations']);
    // shared schemas are named by their $id
    expect(Object.keys(spec.components.schemas)).toContain('OrganizationTreeNode');
  });
});
