/**
 * Personal API tokens at the gateway: granted to the user or through a role; required scopes; a
 * token's scopes cut to what its owner holds at use time (no escalation, and losing a permission
 * shrinks the token at once); a disabled owner's token stops working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { askNginx, ctx, gatewayTenant } from './test-support.ts';

describe('/authz personal tokens', () => {
  let t: TestRuntime;
  let g: Awaited<ReturnType<typeof gatewayTenant>>;
  let userId: string;
  let roleId: string;
  let token: string;

  beforeAll(async () => {
    t = await createTestRuntime();
    const s = t.services;
    g = await gatewayTenant(s, 'acme');
    const user = await s.users.create(g.tenantId, { username: 'ada', email: 'ada@example.com' }, ctx);
    userId = user.id;
    const role = await s.roles.create(
      g.tenantId,
      { name: 'analyst', permissions: ['datasets:read', 'reports:read'] },
      ctx,
    );
    roleId = role.id;
    await s.roles.assignToUser(g.tenantId, user.id, role.id, ctx);
    const data = await g.route('api.example.com', '/datasets/*', { GET: ['api_key'], DELETE: ['api_key'] });
    await s.gateway.config.grant(
      g.tenantId,
      {
        routeId: data.id,
        subjectType: 'role',
        subject: 'analyst',
        methods: ['GET'],
        scopes: ['datasets:read'],
      },
      ctx,
    );
    await s.gateway.config.grant(
      g.tenantId,
      {
        routeId: data.id,
        subjectType: 'user',
        subject: 'ada',
        methods: ['DELETE'],
        scopes: ['datasets:write'],
      },
      ctx,
    );
    token = (
      await s.apiTokens.create(
        g.tenantId,
        { owner: { type: 'user', id: user.id }, name: 'laptop', scopes: ['datasets:*', 'admin:write'] },
        ctx,
      )
    ).secret;
  });
  afterAll(async () => {
    await t?.close();
  });

  const ask = (method: string) =>
    askNginx(t.app, 'acme', { method, uri: '/datasets/7', headers: { authorization: `Bearer ${token}` } });

  it('allows through a role grant, with the scopes the owner holds', async () => {
    const r = await ask('GET');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['x-user-id']).toBe(userId);
    // datasets:* shrinks to the owner's datasets:read; admin:write is not the owner's at all
    expect(r.headers['x-scopes']).toBe('datasets:read');
  });

  it('refuses a required scope the owner does not hold (no escalation)', async () => {
    const r = await ask('DELETE');
    expect([r.statusCode, r.headers['x-authz-reason']]).toEqual([403, 'missing_scope']);
  });

  it('follows the owner: a lost permission and a disabled owner take effect at once', async () => {
    await t.services.roles.update(g.tenantId, roleId, { permissions: ['reports:read'] }, undefined, ctx);
    expect((await ask('GET')).headers['x-authz-reason']).toBe('missing_scope');
    await t.services.roles.update(
      g.tenantId,
      roleId,
      { permissions: ['datasets:read', 'datasets:write'] },
      undefined,
      ctx,
    );
    expect((await ask('GET')).statusCode).toBe(200);
    expect((await ask('DELETE')).statusCode).toBe(200);
    await t.services.users.disable(g.tenantId, userId, undefined, ctx);
    const r = await ask('GET');
    expect([r.statusCode, r.headers['x-authz-reason']]).toEqual([401, 'owner_inactive']);
  });

  it('never authenticates a gateway token to the admin API', async () => {
    const r = await t.app.inject({
      url: '/api/v1/tenants/acme/users',
      headers: { authorization: `Bearer ${g.serviceToken}` },
    });
    expect(r.statusCode).toBe(401);
  });
});
