/**
 * Tenant isolation of groups: another tenant's group or user id behaves exactly like an unknown one
 * (not_found) for reads, changes, memberships and nesting in either direction, and nothing is written
 * across the boundary, although the foreign keys alone would allow it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { toListOptions } from '../../http/pagination.ts';
import {
  createDirectory,
  ctx,
  expectAppError,
  insertTenant,
  insertUser,
  type TestDirectory,
} from '../roles/test-support.ts';

describeEachDialect('groups across tenants', (get) => {
  let dir: TestDirectory;
  beforeAll(async () => {
    dir = await createDirectory(get().database);
  });
  afterAll(() => dir.close());

  async function side() {
    const tenant = await insertTenant(get().database);
    const user = await insertUser(get().database, tenant.id);
    const group = await dir.groups.create(tenant.id, { name: 'group' }, ctx);
    const child = await dir.groups.create(tenant.id, { name: 'child' }, ctx);
    return { t: tenant.id, user, group, child };
  }

  it("treats tenant B's ids as unknown in tenant A", async () => {
    const a = await side();
    const b = await side();
    const { groups } = dir;

    await expectAppError(groups.get(a.t, b.group.id), 'not_found');
    await expectAppError(groups.resolve(a.t, b.group.id), 'not_found');
    await expectAppError(groups.update(a.t, b.group.id, { name: 'x' }, undefined, ctx), 'not_found');
    await expectAppError(groups.update(a.t, b.group.id, { name: 'x' }, 1, ctx), 'not_found');
    await expectAppError(groups.delete(a.t, b.group.id, undefined, ctx), 'not_found');
    await expectAppError(groups.listMembers(a.t, b.group.id, toListOptions({}, 'addedAt')), 'not_found');
    // B's user into A's group, A's user into B's group, B's group nested into A's and back
    await expectAppError(groups.addUser(a.t, a.group.id, b.user, ctx), 'not_found');
    await expectAppError(groups.addUser(a.t, b.group.id, a.user, ctx), 'not_found');
    await expectAppError(groups.addGroup(a.t, a.group.id, b.group.id, ctx), 'not_found');
    await expectAppError(groups.addGroup(a.t, b.group.id, a.group.id, ctx), 'not_found');
    await expectAppError(groups.addGroup(a.t, b.group.id, b.child.id, ctx), 'not_found');
    await expectAppError(groups.listUserGroups(a.t, b.user), 'not_found');

    // memberships that exist in B cannot be removed through A
    await groups.addUser(b.t, b.group.id, b.user, ctx);
    await groups.addGroup(b.t, b.group.id, b.child.id, ctx);
    await expectAppError(groups.removeUser(a.t, b.group.id, b.user, ctx), 'not_found');
    await expectAppError(groups.removeGroup(a.t, b.group.id, b.child.id, ctx), 'not_found');
    const members = await groups.listMembers(b.t, b.group.id, toListOptions({}, 'addedAt'));
    expect(members.items.map((m) => m.id).sort()).toEqual([b.user, b.child.id].sort());

    // nothing crossed the boundary, and B's group is untouched
    const db = get().database.db;
    expect(
      await db.selectFrom('group_users').select('user_id').where('tenant_id', '=', a.t).execute(),
    ).toEqual([]);
    expect(
      await db.selectFrom('group_groups').select('child_id').where('tenant_id', '=', a.t).execute(),
    ).toEqual([]);
    expect(await groups.get(b.t, b.group.id)).toMatchObject({ name: 'group', version: 1 });
  });
});
