/**
 * The users routes wired the way `app.ts` wires capabilities — strict-schema check at registration,
 * problem+json errors, input guards, OpenAPI, and the admin guard with a fixed test authenticator — so the
 * HTTP contract is checked here without the full runtime: status codes, ETag / If-Match, Location,
 * abilities, 400 for unknown fields, 404 for malformed ids. (The full admin API suite, with real
 * tokens and tenants, lives with the admin test harness.)
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import { type Principal, registerAdminGuard } from '../../http/admin-guard.ts';
import { registerInputGuards } from '../../http/input-guards.ts';
import { registerOpenApi } from '../../http/openapi.ts';
import { registerProblemHandlers } from '../../http/problem.ts';
import { assertStrictSchema } from '../../http/schema-kit.ts';
import { usersPlugin } from './index.ts';
import { createTenant, usersFixture } from './test-support.ts';

const TOKENS: Record<string, Principal> = {
  writer: {
    credentialId: 'w',
    actor: 'token:w',
    tenantId: 'x',
    tenantSlug: 'acme',
    abilities: ['users:write'],
  },
  reader: {
    credentialId: 'r',
    actor: 'token:r',
    tenantId: 'x',
    tenantSlug: 'acme',
    abilities: ['users:read'],
  },
};

describe('users routes', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: object,
    headers = {},
  ) =>
    app.inject({
      method,
      url: `/api/v1/tenants/acme${url}`,
      headers: { authorization: 'Bearer writer', ...headers },
      ...(body ? { payload: body } : {}),
    });

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    const tenant = await createTenant(t, 'acme');
    const { users } = usersFixture(t);
    app = Fastify({
      routerOptions: { maxParamLength: 512 },
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
    await app.register(
      async (admin) => {
        registerAdminGuard(admin, {
          authenticate: async (secret) => {
            const p = TOKENS[secret];
            if (!p) throw new AppError('invalid_token');
            return { ...p, tenantId: tenant.id };
          },
          resolveTenant: async (slug) => {
            if (slug !== 'acme') throw new AppError('not_found');
            return { id: tenant.id, slug, status: 'active' };
          },
        });
        await admin.register(usersPlugin, { prefix: '/tenants/:tenant', users });
      },
      { prefix: '/api/v1' },
    );
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('documents every route in OpenAPI under the users tag', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const ops = Object.entries(doc.paths)
      .filter(([path]) => path.includes('/users'))
      .flatMap(([, methods]) => Object.values(methods));
    expect(ops).toHaveLength(16); // with the two exact lookups (the bulk import needs importBodyLimit)
    expect(ops.every((op) => op.tags?.includes('users'))).toBe(true);
  });

  it('creates (201, Location, ETag), reads, updates with If-Match and refuses stale ETags (412)', async () => {
    const created = await call('POST', '/users', {
      username: 'Alice',
      email: 'alice@example.com',
      password: 'long enough password',
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user.password).toBeUndefined();
    expect(created.headers.location).toBe(`/api/v1/tenants/acme/users/${user.id}`);
    expect(created.headers.etag).toBe('"1"');
    const got = await call('GET', `/users/${user.id}`);
    expect(got.headers.etag).toBe('"1"');
    const patched = await call('PATCH', `/users/${user.id}`, { name: 'Alice A' }, { 'if-match': '"1"' });
    expect(patched.statusCode).toBe(200);
    expect(patched.headers.etag).toBe('"2"');
    const stale = await call('PATCH', `/users/${user.id}`, { name: 'Eve' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('precondition_failed');
    expect((await call('DELETE', `/users/${user.id}`, undefined, { 'if-match': '"1"' })).statusCode).toBe(
      412,
    );
    expect((await call('POST', `/users/${user.id}/disable`)).json().status).toBe('disabled');
    expect((await call('POST', `/users/${user.id}/enable`)).headers.etag).toBe('"4"');
  });

  it('answers 409 for a duplicate differing only in case, 400 for unknown fields, 404 for garbage ids', async () => {
    await call('POST', '/users', { username: 'bob' });
    const dup = await call('POST', '/users', { username: 'BOB' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('conflict');
    expect((await call('POST', '/users', { username: 'carl', admin: true })).statusCode).toBe(400);
    expect((await call('POST', '/users', { username: 'has space' })).statusCode).toBe(400);
    expect((await call('GET', '/users/not-a-uuid')).json().code).toBe('not_found');
    expect((await call('GET', `/users/${'x'.repeat(300)}`)).statusCode).toBe(404);
    expect((await call('PATCH', '/users/not-a-uuid', { name: 'x' })).statusCode).toBe(404);
    expect((await call('DELETE', '/users/00000000-0000-7000-8000-000000000000')).statusCode).toBe(404);
    expect((await call('GET', '/users?limit=0')).statusCode).toBe(400);
    expect((await call('GET', '/users?sort=password')).statusCode).toBe(400);
    expect((await call('GET', '/users?cursor=garbage')).json().code).toBe('invalid_cursor');
  });

  it('lists with cursor pagination, sorting and filters', async () => {
    for (const name of ['dora', 'Dan', 'dave'])
      await call('POST', '/users', { username: name, emailVerified: true });
    const first = (await call('GET', '/users?limit=2&sort=-username&q=D&emailVerified=true')).json();
    expect(first.items.map((u: { username: string }) => u.username)).toEqual(['dora', 'dave']);
    const second = (
      await call('GET', `/users?limit=2&sort=-username&q=D&emailVerified=true&cursor=${first.nextCursor}`)
    ).json();
    expect(second).toEqual({ items: [expect.objectContaining({ username: 'Dan' })], nextCursor: null });
  });

  it('refuses writes to a read-only credential (403) and serves it reads', async () => {
    const headers = { authorization: 'Bearer reader' };
    expect((await call('POST', '/users', { username: 'zed' }, headers)).statusCode).toBe(403);
    expect((await call('GET', '/users', undefined, headers)).statusCode).toBe(200);
  });

  it('sets passwords (204) and manages identities and properties', async () => {
    const id = (await call('POST', '/users', { username: 'erin' })).json().id;
    expect((await call('PUT', `/users/${id}/password`, { password: 'a new password' })).statusCode).toBe(204);
    expect((await call('PUT', `/users/${id}/password`, { password: 'short' })).statusCode).toBe(400);
    const linked = await call('POST', `/users/${id}/identities`, {
      provider: 'scim',
      subject: 'a/b',
      data: { x: 1 },
    });
    expect(linked.statusCode).toBe(201);
    expect(linked.headers.location).toBe(`/api/v1/tenants/acme/users/${id}/identities/scim/a%2Fb`);
    expect(
      (await call('POST', `/users/${id}/identities`, { provider: 'scim', subject: 'a/b' })).statusCode,
    ).toBe(409);
    expect((await call('GET', `/users/${id}/identities`)).json().items).toHaveLength(1);
    expect((await call('DELETE', `/users/${id}/identities/scim/a%2Fb`)).statusCode).toBe(204);
    const prop = await call('PUT', `/users/${id}/properties/crm/tier`, { value: 'gold' });
    expect(prop.json()).toMatchObject({ app: 'crm', key: 'tier', value: 'gold' });
    expect((await call('GET', `/users/${id}/properties?app=crm`)).json().items).toHaveLength(1);
    expect((await call('DELETE', `/users/${id}/properties/crm/tier`)).statusCode).toBe(204);
    expect((await call('DELETE', `/users/${id}`, undefined, { 'if-match': '"2"' })).statusCode).toBe(204);
    expect((await call('GET', `/users/${id}/identities`)).statusCode).toBe(404);
  });
});
