/**
 * `If-Match` is honoured on every operation that documents it, enumerated from the served OpenAPI
 * document (a new operation is covered the moment it exists): a stale ETag is refused with 412 and
 * changes nothing, an ETag longer than the documented maximum is a 400, and `*` (or the current ETag,
 * where the resource has one) lets the operation through. A resource without a version (a link, a
 * token, the settings) has no ETag, so no specific entity tag can match it (RFC 9110 §13.1.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../test/admin.ts';
import { dialectAvailable } from '../../test/databases.ts';

type Method = 'PATCH' | 'DELETE';
interface Operation {
  method: Method;
  path: string;
  maxLength: number;
}

/** A valid body for each documented PATCH (so only the precondition can refuse it). */
const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/tenants/{tenant}': { displayName: 'changed' },
  'PATCH /api/v1/settings': { logLevel: 'info' },
  'PATCH /api/v1/tenants/{tenant}/roles/{roleId}': { description: 'changed' },
  'PATCH /api/v1/tenants/{tenant}/groups/{groupId}': { description: 'changed' },
  'PATCH /api/v1/tenants/{tenant}/organizations/{orgId}': { name: 'changed' },
  'PATCH /api/v1/tenants/{tenant}/users/{userId}': { name: 'changed' },
  'PATCH /api/v1/tenants/{tenant}/clients/{id}': { name: 'changed' },
  'PATCH /api/v1/tenants/{tenant}/gateway/routes/{routeId}': { description: 'changed' },
  'PATCH /api/v1/tenants/{tenant}/sign-in-settings': { branding: { accentColor: '#123456' } },
};

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`If-Match on every documented operation [${dialect}]`, () => {
    let t: AdminTestApp;
    let operations: Operation[];
    let ids: Record<string, string>;
    let rootTokenId: string;

    beforeAll(async () => {
      t = await createAdminTestApp({ dialect });
      await t.tenant('ifm');
      const tenant = await t.services.tenants.resolve('ifm');
      const ctx = { actor: 'test' };
      const s = t.services;
      const user = await s.users.create(tenant.id, { username: 'ifm-user' }, ctx);
      const group = await s.groups.create(tenant.id, { name: 'ifm-group' }, ctx);
      const child = await s.groups.create(tenant.id, { name: 'ifm-child' }, ctx);
      const role = await s.roles.create(tenant.id, { name: 'ifm-role', permissions: ['users:read'] }, ctx);
      const org = await s.organizations.create(tenant.id, { name: 'ifm-org' }, ctx);
      await s.groups.addUser(tenant.id, group.id, user.id, ctx);
      await s.groups.addGroup(tenant.id, group.id, child.id, ctx);
      await s.roles.assignToUser(tenant.id, user.id, role.id, ctx);
      await s.roles.assignToGroup(tenant.id, group.id, role.id, ctx);
      await s.organizations.addMember(tenant.id, org.id, user.id, ['member'], ctx);
      await s.users.linkIdentity(tenant.id, user.id, { provider: 'ldap', subject: 'ifm' }, ctx);
      await s.users.setProperty(tenant.id, user.id, 'app', 'key', 'v', ctx);
      const scoped = await s.credentials.issue(
        { kind: 'adm', tenantId: tenant.id, ownerType: 'system', name: 'x', abilities: ['users:read'] },
        ctx,
      );
      const root = await s.credentials.issue(
        { kind: 'adm', tenantId: null, ownerType: 'system', name: 'y', abilities: ['users:read'] },
        ctx,
      );
      rootTokenId = root.credential.id;
      const client = (
        await t.call('POST', '/api/v1/tenants/ifm/clients', {
          body: { name: 'ifm-client', grantTypes: ['client_credentials'] },
        })
      ).json<{ client: { id: string } }>().client;
      const secrets = (await t.call('GET', `/api/v1/tenants/ifm/clients/${client.id}/secrets`)).json<{
        items: { id: string }[];
      }>();
      ids = {
        tenant: 'ifm',
        userId: user.id,
        groupId: group.id,
        childId: child.id,
        roleId: role.id,
        orgId: org.id,
        tokenId: scoped.credential.id,
        provider: 'ldap',
        subject: 'ifm',
        app: 'app',
        key: 'key',
        id: client.id,
        secretId: secrets.items[0]!.id,
      };
      const spec = (await t.app.inject('/openapi.json')).json<{
        paths: Record<
          string,
          Record<string, { parameters?: { in: string; name: string; schema: { maxLength: number } }[] }>
        >;
      }>();
      operations = Object.entries(spec.paths).flatMap(([path, ops]) =>
        Object.entries(ops).flatMap(([m, op]) => {
          const header = op.parameters?.find((p) => p.in === 'header' && p.name === 'if-match');
          return header
            ? [{ method: m.toUpperCase() as Method, path, maxLength: header.schema.maxLength }]
            : [];
        }),
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    const fill = (path: string) =>
      path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name === 'tokenId' && path.startsWith('/api/v1/tokens') ? rootTokenId : ids[name]!,
      );
    const successes = async () => {
      await t.runtime.audit.flush();
      const rows = await t.runtime.database.db
        .selectFrom('audit_log')
        .select('seq')
        .where('result', '=', 'success')
        .execute();
      return rows.length;
    };
    const call = (op: Operation, ifMatch: string) =>
      t.call(op.method, fill(op.path), {
        body: BODIES[`${op.method} ${op.path}`],
        headers: { 'if-match': ifMatch },
      });

    it('documents If-Match on every PATCH and DELETE, with a maximum length', () => {
      expect(operations.length).toBeGreaterThanOrEqual(20);
      for (const op of operations) expect(op.maxLength, `${op.method} ${op.path}`).toBeGreaterThan(2);
    });

    it('refuses an over-long If-Match with 400 on every operation that documents it', async () => {
      for (const op of operations) {
        const r = await call(op, `"${'9'.repeat(op.maxLength)}"`);
        expect(r.statusCode, `${op.method} ${op.path} ${r.body}`).toBe(400);
      }
    });

    it('refuses a stale If-Match with 412 on every operation that documents it, changing nothing', async () => {
      const before = await successes();
      for (const op of operations) {
        const r = await call(op, '"987654"');
        expect(r.statusCode, `${op.method} ${op.path} ${r.body}`).toBe(412);
        expect(r.json<{ code: string }>().code).toBe('precondition_failed');
      }
      // nothing was changed: every resource is still there, with its first version
      const tenant = await t.services.tenants.resolve('ifm');
      const s = t.services;
      expect((await s.users.get(tenant.id, ids.userId!)).version).toBe(1);
      expect((await s.groups.get(tenant.id, ids.groupId!)).version).toBe(1);
      expect(await s.roles.listUserRoles(tenant.id, ids.userId!)).toHaveLength(1);
      expect(await s.users.listIdentities(tenant.id, ids.userId!)).toHaveLength(1);
      expect(await s.users.listProperties(tenant.id, ids.userId!)).toHaveLength(1);
      expect((await s.credentials.get(ids.tokenId!, tenant.id)).revokedAt).toBeNull();
      expect((await s.credentials.get(rootTokenId, null)).revokedAt).toBeNull();
      expect(await successes()).toBe(before);
    });

    it('lets If-Match: * through (a resource without an ETag still exists)', async () => {
      const r = await t.call('PATCH', '/api/v1/settings', {
        body: { logLevel: 'info' },
        headers: { 'if-match': '*' },
      });
      expect(r.statusCode, r.body).toBe(200);
      const del = await t.call('DELETE', fill('/api/v1/tenants/{tenant}/users/{userId}/properties/app/key'), {
        headers: { 'if-match': '*' },
      });
      expect(del.statusCode, del.body).toBe(204);
    });
  });
}
