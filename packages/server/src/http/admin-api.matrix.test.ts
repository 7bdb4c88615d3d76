/**
 * Every admin API endpoint, enumerated from the served OpenAPI document (so a new endpoint is
 * covered the moment it exists): without a credential → 401; with a credential lacking the route's
 * ability → 403; with a credential of tenant A addressing tenant B → 403; and with tenant A's
 * credential and tenant A in the path but tenant B's ids → 403/404, never a 2xx or a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../test/admin.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
interface Endpoint {
  method: Method;
  path: string;
  /** The ability the operation requires, from its OpenAPI security requirement. */
  ability: string;
}

/** A valid body per write endpoint, so the request reaches the service (and its tenant checks). */
const BODIES: Record<string, unknown> = {
  'POST /api/v1/tenants': { slug: 'matrix-new', displayName: 'x' },
  'PATCH /api/v1/tenants/{tenant}': { displayName: 'x' },
  'POST /api/v1/tokens': { name: 'x', abilities: ['users:read'] },
  'POST /api/v1/tenants/{tenant}/tokens': { name: 'x', abilities: ['users:read'] },
  'POST /api/v1/tenants/{tenant}/users': { username: 'matrix-user' },
  'PATCH /api/v1/tenants/{tenant}/users/{userId}': { name: 'x' },
  'PUT /api/v1/tenants/{tenant}/users/{userId}/password': { password: 'a-long-password-1' },
  'POST /api/v1/tenants/{tenant}/users/{userId}/identities': { provider: 'ldap', subject: 'matrix' },
  'PUT /api/v1/tenants/{tenant}/users/{userId}/properties/{app}/{key}': { value: 'x' },
  'POST /api/v1/tenants/{tenant}/roles': { name: 'matrix-role', permissions: ['users:read'] },
  'PATCH /api/v1/tenants/{tenant}/roles/{roleId}': { description: 'x' },
  'POST /api/v1/tenants/{tenant}/groups': { name: 'matrix-group' },
  'PATCH /api/v1/tenants/{tenant}/groups/{groupId}': { description: 'x' },
  'POST /api/v1/tenants/{tenant}/organizations': { name: 'matrix-org' },
  'PATCH /api/v1/tenants/{tenant}/organizations/{orgId}': { name: 'x' },
  'POST /api/v1/tenants/{tenant}/organizations/{orgId}/move': {
    parentId: '00000000-0000-7000-8000-000000000000',
  },
  'PUT /api/v1/tenants/{tenant}/organizations/{orgId}/members/{userId}': { roles: ['member'] },
  'POST /api/v1/tenants/{tenant}/users/{userId}/require-password-change': { required: true },
  'PATCH /api/v1/tenants/{tenant}/sign-in-settings': { branding: { accentColor: '#123456' } },
};

describe('admin API authorization matrix', () => {
  let t: AdminTestApp;
  let endpoints: Endpoint[];
  let ids: Record<string, string>;
  let tokenA: string;
  /** A token per noun, holding `<noun>:*` — wrong for every route of another noun. */
  let byNoun: Record<string, string>;

  beforeAll(async () => {
    t = await createAdminTestApp();
    await t.tenant('matrix-a');
    await t.tenant('matrix-b');
    const ctx = { actor: 'test' };
    const b = await t.services.tenants.resolve('matrix-b');
    const s = t.services as unknown as Record<
      string,
      Record<string, (...a: unknown[]) => Promise<{ id: string }>>
    >;
    const user = s.users
      ? await s.users.create!(b.id, { username: 'b-user' }, ctx)
      : { id: '00000000-0000-7000-8000-000000000001' };
    const group = await t.services.groups.create(b.id, { name: 'b-group' }, ctx);
    const role = await t.services.roles.create(b.id, { name: 'b-role', permissions: ['users:read'] }, ctx);
    const org = await t.services.organizations.create(b.id, { name: 'b-org' }, ctx);
    const token = await t.services.credentials.issue(
      { kind: 'adm', tenantId: b.id, ownerType: 'system', name: 'b', abilities: ['*'] },
      ctx,
    );
    ids = {
      userId: user.id,
      groupId: group.id,
      childId: group.id,
      roleId: role.id,
      orgId: org.id,
      tokenId: token.credential.id,
      provider: 'ldap',
      subject: 'b-subject',
      app: 'b-app',
      key: 'b-key',
    };
    tokenA = await t.token('matrix-a', ['*']);
    byNoun = {};
    for (const noun of ['tenants', 'users', 'groups', 'roles', 'orgs', 'tokens', 'settings', 'audit']) {
      byNoun[noun] = await t.token(null, [`${noun}:*`]);
    }
    const spec = (await t.app.inject('/openapi.json')).json() as {
      paths: Record<string, Record<string, { security?: { adminToken?: string[] }[] }>>;
    };
    endpoints = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => ({
            method: m.toUpperCase() as Method,
            path,
            ability: ops[m]?.security?.[0]?.adminToken?.[0] ?? '',
          })),
      );
  });
  afterAll(async () => {
    await t?.close();
  });

  const fill = (path: string, tenant: string) =>
    path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'tenant' ? tenant : (ids[name] ?? 'unknown')));

  it('covers the directory endpoints, each documenting its ability', () => {
    expect(endpoints.length).toBeGreaterThan(30);
    for (const e of endpoints) expect(e.ability, `${e.method} ${e.path}`).toMatch(/^[a-z]+:(read|write)$/);
  });

  it('documents errors as problem+json, If-Match on updates, and named shared schemas', async () => {
    const spec = (await t.app.inject('/openapi.json')).json() as {
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<string, { content?: Record<string, unknown> }>;
            parameters?: { in: string; name: string }[];
          }
        >
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(spec.components.schemas)).toEqual(
      expect.arrayContaining(['Problem', 'Tenant', 'Credential']),
    );
    for (const e of endpoints) {
      const op = spec.paths[e.path]![e.method.toLowerCase()]!;
      for (const code of ['400', '401', '403']) {
        expect(op.responses[code]?.content, `${e.method} ${e.path} ${code}`).toHaveProperty([
          'application/problem+json',
        ]);
      }
      if (e.method === 'PATCH' || e.method === 'DELETE') {
        expect(
          op.parameters?.some((p) => p.in === 'header' && p.name === 'if-match'),
          `${e.method} ${e.path}`,
        ).toBe(true);
      }
    }
  });

  it('answers 401 without a credential everywhere', async () => {
    // failed authentications count per address (429 after 20): one address per endpoint
    for (const [i, e] of endpoints.entries()) {
      const r = await t.call(e.method, fill(e.path, 'matrix-a'), {
        token: null,
        body: BODIES[`${e.method} ${e.path}`],
        remoteAddress: `10.77.${i >> 8}.${i & 255}`,
      });
      expect(r.statusCode, `${e.method} ${e.path}`).toBe(401);
    }
  });

  it('answers 403 when the credential lacks the ability', async () => {
    for (const e of endpoints) {
      const noun = e.ability.split(':')[0]!;
      // every other noun's full ability, and read-only for a write route
      const wrong = Object.entries(byNoun)
        .filter(([n]) => n !== noun)
        .map(([, token]) => token);
      if (e.ability.endsWith(':write')) wrong.push(await t.token(null, [`${noun}:read`]));
      for (const token of wrong) {
        const r = await t.call(e.method, fill(e.path, 'matrix-a'), {
          token,
          body: BODIES[`${e.method} ${e.path}`],
        });
        expect(r.statusCode, `${e.method} ${e.path}`).toBe(403);
      }
    }
  });

  it("answers 403 when tenant A's credential addresses tenant B", async () => {
    for (const e of endpoints.filter((x) => x.path.includes('{tenant}'))) {
      const r = await t.call(e.method, fill(e.path, 'matrix-b'), {
        token: tokenA,
        body: BODIES[`${e.method} ${e.path}`],
      });
      expect(r.statusCode, `${e.method} ${e.path}`).toBe(403);
    }
  });

  it("answers 403/404 for tenant B's ids under tenant A, and B's data is unchanged", async () => {
    const idParam = /\{(userId|groupId|childId|roleId|orgId|tokenId)\}/;
    const missing: string[] = [];
    for (const e of endpoints.filter((x) => x.path.includes('{tenant}') && idParam.test(x.path))) {
      const key = `${e.method} ${e.path}`;
      if (['POST', 'PUT', 'PATCH'].includes(e.method) && !(key in BODIES)) {
        // endpoints without a body (PUT links) need none
        const r0 = await t.call(e.method, fill(e.path, 'matrix-a'), { token: tokenA });
        if (r0.statusCode === 400) missing.push(key);
      }
      const r = await t.call(e.method, fill(e.path, 'matrix-a'), { token: tokenA, body: BODIES[key] });
      expect([403, 404], `${key} → ${r.statusCode} ${r.body.slice(0, 200)}`).toContain(r.statusCode);
    }
    expect(missing, 'add a sample body for these endpoints').toEqual([]);
    const b = await t.services.tenants.resolve('matrix-b');
    expect((await t.services.groups.get(b.id, ids.groupId!)).name).toBe('b-group');
    expect((await t.services.roles.get(b.id, ids.roleId!)).description ?? null).toBeNull();
  });
});
