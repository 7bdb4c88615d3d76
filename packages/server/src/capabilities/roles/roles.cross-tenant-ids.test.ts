/**
 * Tenant isolation of roles: another tenant's role, user or group id behaves exactly like an unknown
 * one (not_found) — for reads, changes, assignments in either direction and effective access — and
 * nothing is written across the boundary, although the foreign keys alone would allow it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import {
  createDirectory,
  ctx,
  expectAppError,
  insertTenant,
  insertUser,
  type TestDirectory,
} from './test-support.ts';

describeEachDialect('roles across tenants', (get) => {
  let dir: TestDirectory;
  beforeAll(async () => {
    dir = await createDirectory(get().database);
  });
  afterAll(() => dir.close());

  async function side() {
    const tenant = await insertTenant(get().database);
    await dir.roles.seedBuiltinRoles(tenant.id);
    const role = await dir.roles.create(tenant.id, { name: 'custom', permissions: ['users:read'] }, ctx);
    const user = await insertUser(get().database, tenant.id);
    const group = await dir.groups.create(tenant.id, { name: 'group' }, ctx);
    return { t: tenant.id, role, user, group };
  }

  it("treats tenant B's ids as unknown in tenant A", async () => {
    const a = await side();
    const b = await side();
    const { roles, access } = dir;

    await expectAppError(roles.get(a.t, b.role.id), 'not_found');
    await expectAppError(roles.update(a.t, b.role.id, { description: 'x' }, undefined, ctx), 'not_found');
    await expectAppError(roles.update(a.t, b.role.id, { description: 'x' }, 1, ctx), 'not_found');
    await expectAppError(roles.delete(a.t, b.role.id, undefined, ctx), 'not_found');
    // B's role to A's user, A's role to B's user, B's role to B's user — all inside A
    await expectAppError(roles.assignToUser(a.t, a.user, b.role.id, ctx), 'not_found');
    await expectAppError(roles.assignToUser(a.t, b.user, a.role.id, ctx), 'not_found');
    await expectAppError(roles.assignToUser(a.t, b.user, b.role.id, ctx), 'not_found');
    await expectAppError(roles.assignToGroup(a.t, a.group.id, b.role.id, ctx), 'not_found');
    await expectAppError(roles.assignToGroup(a.t, b.group.id, a.role.id, ctx), 'not_found');
    await expectAppError(roles.listUserRoles(a.t, b.user), 'not_found');
    await expectAppError(roles.listGroupRoles(a.t, b.group.id), 'not_found');
    await expectAppError(access.effectiveAccess(a.t, b.user), 'not_found');

    // links that exist in B cannot be removed through A
    await roles.assignToUser(b.t, b.user, b.role.id, ctx);
    await roles.assignToGroup(b.t, b.group.id, b.role.id, ctx);
    await expectAppError(roles.removeFromUser(a.t, b.user, b.role.id, ctx), 'not_found');
    await expectAppError(roles.removeFromGroup(a.t, b.group.id, b.role.id, ctx), 'not_found');
    expect((await roles.listUserRoles(b.t, b.user)).map((r) => r.id)).toEqual([b.role.id]);
    expect((await roles.listGroupRoles(b.t, b.group.id)).map((r) => r.id)).toEqual([b.role.id]);

    // nothing crossed the boundary
    const crossing = await get()
      .database.db.selectFrom('user_roles')
      .select('user_id')
      .where('tenant_id', '=', a.t)
      .execute();
    expect(crossing).toEqual([]);
    expect((await roles.getByName(a.t, 'custom')).id).toBe(a.role.id);
  });

  it('lists, assigns and removes within one tenant', async () => {
    const a = await side();
    expect(await dir.roles.assignToUser(a.t, a.user, a.role.id, ctx)).toBe(true);
    expect(await dir.roles.assignToUser(a.t, a.user, a.role.id, ctx)).toBe(false);
    expect(await dir.roles.assignToGroup(a.t, a.group.id, a.role.id, ctx)).toBe(true);
    expect(await dir.roles.assignToGroup(a.t, a.group.id, a.role.id, ctx)).toBe(false);
    expect((await dir.roles.listUserRoles(a.t, a.user)).map((r) => r.name)).toEqual(['custom']);
    expect((await dir.roles.listGroupRoles(a.t, a.group.id)).map((r) => r.name)).toEqual(['custom']);
    await dir.roles.removeFromUser(a.t, a.user, a.role.id, ctx);
    await dir.roles.removeFromGroup(a.t, a.group.id, a.role.id, ctx);
    await expectAppError(dir.roles.removeFromUser(a.t, a.user, a.role.id, ctx), 'not_found');
    await expectAppError(dir.roles.removeFromGroup(a.t, a.group.id, a.role.id, ctx), 'not_found');
    expect(await dir.roles.listUserRoles(a.t, a.user)).toEqual([]);
    const types = dir.events.filter((e) => e.data?.roleId === a.role.id).map((e) => e.type);
    expect(types).toEqual(['user.role_added', 'group.role_added', 'user.role_removed', 'group.role_removed']);
  });
});
