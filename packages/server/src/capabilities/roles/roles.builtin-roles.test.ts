/**
 * Every tenant gets the six built-in roles with their fixed permissions, seeding twice changes
 * nothing, and no built-in role can be renamed, changed or deleted (409 role_in_use) — nor shadowed
 * by a custom role whose name differs only in case (409 conflict).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { createDirectory, ctx, expectAppError, insertTenant, type TestDirectory } from './test-support.ts';

describeEachDialect('built-in roles', (get) => {
  let dir: TestDirectory;
  beforeAll(async () => {
    dir = await createDirectory(get().database);
  });
  afterAll(() => dir.close());

  async function seededTenant() {
    const tenant = await insertTenant(get().database);
    await dir.roles.seedBuiltinRoles(tenant.id);
    return tenant;
  }

  it('seeds the six built-in roles with their permissions', async () => {
    const tenant = await seededTenant();
    const page = await dir.roles.list(
      tenant.id,
      { limit: 50, sort: 'name', descending: false, after: undefined },
      {},
    );
    expect(page.items.map((r) => [r.name, r.permissions, r.builtin])).toEqual([
      ['admin', ['audit:read', 'groups:*', 'orgs:*', 'roles:*', 'settings:*', 'tokens:*', 'users:*'], true],
      ['auditor', ['audit:read'], true],
      ['member', [], true],
      ['owner', ['*'], true],
      ['viewer', ['groups:read', 'orgs:read', 'roles:read', 'users:read'], true],
      ['writer', ['groups:write', 'orgs:write', 'users:write'], true],
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it('is idempotent: seeding again keeps the same six rows', async () => {
    const tenant = await seededTenant();
    const before = await dir.roles.getByName(tenant.id, 'owner');
    await dir.roles.seedBuiltinRoles(tenant.id);
    await Promise.all([dir.roles.seedBuiltinRoles(tenant.id), dir.roles.seedBuiltinRoles(tenant.id)]);
    const page = await dir.roles.list(
      tenant.id,
      { limit: 50, sort: 'name', descending: false, after: undefined },
      {},
    );
    expect(page.items).toHaveLength(6);
    expect(await dir.roles.getByName(tenant.id, 'OWNER')).toEqual(before);
  });

  it('refuses to rename, change or delete a built-in role', async () => {
    const tenant = await seededTenant();
    const admin = await dir.roles.getByName(tenant.id, 'admin');
    await expectAppError(
      dir.roles.update(tenant.id, admin.id, { permissions: ['*'] }, undefined, ctx),
      'role_in_use',
    );
    await expectAppError(
      dir.roles.update(tenant.id, admin.id, { name: 'boss' }, admin.version, ctx),
      'role_in_use',
    );
    await expectAppError(
      dir.roles.update(tenant.id, admin.id, { description: 'x' }, undefined, ctx),
      'role_in_use',
    );
    await expectAppError(dir.roles.delete(tenant.id, admin.id, undefined, ctx), 'role_in_use');
    await expectAppError(dir.roles.delete(tenant.id, admin.id, admin.version, ctx), 'role_in_use');
    expect(await dir.roles.get(tenant.id, admin.id)).toEqual(admin);
  });

  it('refuses custom roles named like a built-in one, ignoring case', async () => {
    const tenant = await seededTenant();
    await expectAppError(dir.roles.create(tenant.id, { name: 'Owner' }, ctx), 'conflict');
    const custom = await dir.roles.create(tenant.id, { name: 'support' }, ctx);
    await expectAppError(
      dir.roles.update(tenant.id, custom.id, { name: 'VIEWER' }, undefined, ctx),
      'conflict',
    );
  });

  it('filters built-in and custom roles', async () => {
    const tenant = await seededTenant();
    await dir.roles.create(tenant.id, { name: 'ops' }, ctx);
    const options = { limit: 50, sort: 'name' as const, descending: false, after: undefined };
    expect((await dir.roles.list(tenant.id, options, { builtin: false })).items.map((r) => r.name)).toEqual([
      'ops',
    ]);
    expect((await dir.roles.list(tenant.id, options, { builtin: true })).items).toHaveLength(6);
  });
});
