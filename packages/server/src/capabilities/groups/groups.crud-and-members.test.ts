/**
 * Groups and their members: names unique ignoring case (409), If-Match on update and delete (412),
 * users and nested groups as members (adding twice is harmless, removing a non-member is 404), member
 * lists paged by time or name, and a user's groups directly or through nesting. Deleting a group takes
 * its memberships with it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
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

describeEachDialect('groups', (get) => {
  let dir: TestDirectory;
  beforeAll(async () => {
    dir = await createDirectory(get().database);
  });
  afterAll(() => dir.close());

  it('creates, reads, updates and deletes a group', async () => {
    const tenant = await insertTenant(get().database);
    const group = await dir.groups.create(tenant.id, { name: 'Engineering', description: 'Builders' }, ctx);
    expect(group).toMatchObject({ name: 'Engineering', description: 'Builders', version: 1 });
    expect(await dir.groups.get(tenant.id, group.id)).toEqual(group);
    expect(await dir.groups.getByName(tenant.id, 'engineering')).toEqual(group);
    expect(await dir.groups.resolve(tenant.id, 'ENGINEERING')).toEqual(group);
    expect(await dir.groups.resolve(tenant.id, group.id)).toEqual(group);

    const updated = await dir.groups.update(tenant.id, group.id, { name: 'Eng', description: null }, 1, ctx);
    expect(updated).toMatchObject({ name: 'Eng', description: null, version: 2 });
    await expectAppError(
      dir.groups.update(tenant.id, group.id, { name: 'Stale' }, 1, ctx),
      'precondition_failed',
    );
    await expectAppError(dir.groups.delete(tenant.id, group.id, 1, ctx), 'precondition_failed');
    await dir.groups.delete(tenant.id, group.id, 2, ctx);
    await expectAppError(dir.groups.get(tenant.id, group.id), 'not_found');
    await expectAppError(dir.groups.delete(tenant.id, group.id, undefined, ctx), 'not_found');
    await expectAppError(dir.groups.update(tenant.id, group.id, { name: 'x' }, undefined, ctx), 'not_found');
    expect(dir.events.filter((e) => e.target === `group:${group.id}`).map((e) => [e.type, e.tenant])).toEqual(
      [
        ['group.created', tenant.slug],
        ['group.updated', tenant.slug],
        ['group.deleted', tenant.slug],
      ],
    );
  });

  it('refuses a duplicate name differing only in case (409), and bad names (400)', async () => {
    const tenant = await insertTenant(get().database);
    await dir.groups.create(tenant.id, { name: 'Sales' }, ctx);
    await expectAppError(dir.groups.create(tenant.id, { name: 'SALES' }, ctx), 'conflict');
    const other = await dir.groups.create(tenant.id, { name: 'Marketing' }, ctx);
    await expectAppError(
      dir.groups.update(tenant.id, other.id, { name: 'sales' }, undefined, ctx),
      'conflict',
    );
    for (const name of ['', ' x', 'x ', 'a\u0000b', 'y'.repeat(129)]) {
      await expectAppError(dir.groups.create(tenant.id, { name }, ctx), 'validation_failed');
    }
  });

  it('answers malformed and unknown ids with not_found', async () => {
    const tenant = await insertTenant(get().database);
    const group = await dir.groups.create(tenant.id, { name: 'g' }, ctx);
    const user = await insertUser(get().database, tenant.id);
    for (const id of ['nope', '00000000-0000-7000-8000-000000000000']) {
      await expectAppError(dir.groups.get(tenant.id, id), 'not_found');
      await expectAppError(dir.groups.addUser(tenant.id, id, user, ctx), 'not_found');
      await expectAppError(dir.groups.addUser(tenant.id, group.id, id, ctx), 'not_found');
      await expectAppError(dir.groups.addGroup(tenant.id, group.id, id, ctx), 'not_found');
      await expectAppError(dir.groups.addGroup(tenant.id, id, group.id, ctx), 'not_found');
      await expectAppError(dir.groups.addGroup(tenant.id, id, id, ctx), 'not_found');
      await expectAppError(dir.groups.listMembers(tenant.id, id, toListOptions({}, 'addedAt')), 'not_found');
      await expectAppError(dir.groups.listUserGroups(tenant.id, id), 'not_found');
    }
  });

  it('adds and removes users and nested groups as members', async () => {
    const tenant = await insertTenant(get().database);
    const team = await dir.groups.create(tenant.id, { name: 'team' }, ctx);
    const sub = await dir.groups.create(tenant.id, { name: 'Sub-team' }, ctx);
    const ann = await insertUser(get().database, tenant.id, 'ann');
    await sleep(2);
    const bob = await insertUser(get().database, tenant.id, 'Bob');

    expect(await dir.groups.addUser(tenant.id, team.id, ann, ctx)).toBe(true);
    await sleep(2);
    expect(await dir.groups.addUser(tenant.id, team.id, ann, ctx)).toBe(false);
    expect(await dir.groups.addGroup(tenant.id, team.id, sub.id, ctx)).toBe(true);
    await sleep(2);
    expect(await dir.groups.addGroup(tenant.id, team.id, sub.id, ctx)).toBe(false);
    expect(await dir.groups.addUser(tenant.id, team.id, bob, ctx)).toBe(true);

    const all = await dir.groups.listMembers(tenant.id, team.id, toListOptions({}, 'addedAt'));
    expect(all.items.map((m) => [m.type, m.name])).toEqual([
      ['user', 'ann'],
      ['group', 'Sub-team'],
      ['user', 'Bob'],
    ]);
    const byName = await dir.groups.listMembers(
      tenant.id,
      team.id,
      toListOptions({ limit: 2, sort: 'name' }, 'addedAt'),
    );
    expect(byName.items.map((m) => m.name)).toEqual(['ann', 'Bob']);
    const rest = await dir.groups.listMembers(
      tenant.id,
      team.id,
      toListOptions({ limit: 2, sort: 'name', cursor: byName.nextCursor! }, 'addedAt'),
    );
    expect(rest).toEqual({
      items: [expect.objectContaining({ type: 'group', id: sub.id })],
      nextCursor: null,
    });
    const users = await dir.groups.listMembers(
      tenant.id,
      team.id,
      toListOptions({ sort: '-addedAt' }, 'addedAt'),
      'user',
    );
    expect(users.items.map((m) => m.id)).toEqual([bob, ann]);
    const groups = await dir.groups.listMembers(tenant.id, team.id, toListOptions({}, 'addedAt'), 'group');
    expect(groups.items.map((m) => m.id)).toEqual([sub.id]);

    await dir.groups.removeUser(tenant.id, team.id, ann, ctx);
    await expectAppError(dir.groups.removeUser(tenant.id, team.id, ann, ctx), 'not_found');
    await dir.groups.removeGroup(tenant.id, team.id, sub.id, ctx);
    await expectAppError(dir.groups.removeGroup(tenant.id, team.id, sub.id, ctx), 'not_found');
    const left = await dir.groups.listMembers(tenant.id, team.id, toListOptions({}, 'addedAt'));
    expect(left.items.map((m) => m.id)).toEqual([bob]);

    const memberEvents = dir.events.filter(
      (e) => e.target === `group:${team.id}` && e.type.startsWith('group.member'),
    );
    expect(memberEvents.map((e) => [e.type, e.data])).toEqual([
      ['group.member_added', { memberType: 'user', memberId: ann }],
      ['group.member_added', { memberType: 'group', memberId: sub.id }],
      ['group.member_added', { memberType: 'user', memberId: bob }],
      ['group.member_removed', { memberType: 'user', memberId: ann }],
      ['group.member_removed', { memberType: 'group', memberId: sub.id }],
    ]);
  });

  it("lists a user's groups, directly or through nesting", async () => {
    const tenant = await insertTenant(get().database);
    const [company, eng, backend, other] = await Promise.all(
      ['company', 'eng', 'backend', 'other'].map((name) => dir.groups.create(tenant.id, { name }, ctx)),
    );
    const user = await insertUser(get().database, tenant.id);
    await dir.groups.addGroup(tenant.id, company!.id, eng!.id, ctx);
    await dir.groups.addGroup(tenant.id, eng!.id, backend!.id, ctx);
    await dir.groups.addUser(tenant.id, backend!.id, user, ctx);
    await dir.groups.addUser(tenant.id, eng!.id, user, ctx);
    expect(other).toBeDefined();

    const direct = await dir.groups.listUserGroups(tenant.id, user);
    expect(direct.map((g) => [g.name, g.direct])).toEqual([
      ['backend', true],
      ['eng', true],
    ]);
    const transitive = await dir.groups.listUserGroups(tenant.id, user, { transitive: true });
    expect(transitive.map((g) => [g.name, g.direct])).toEqual([
      ['backend', true],
      ['company', false],
      ['eng', true],
    ]);
    expect(await dir.groups.listUserGroups(tenant.id, await insertUser(get().database, tenant.id))).toEqual(
      [],
    );
  });

  it('takes memberships with a deleted group', async () => {
    const tenant = await insertTenant(get().database);
    const parent = await dir.groups.create(tenant.id, { name: 'parent' }, ctx);
    const child = await dir.groups.create(tenant.id, { name: 'child' }, ctx);
    const user = await insertUser(get().database, tenant.id);
    await dir.groups.addGroup(tenant.id, parent.id, child.id, ctx);
    await dir.groups.addUser(tenant.id, child.id, user, ctx);
    await dir.groups.delete(tenant.id, child.id, undefined, ctx);
    expect((await dir.groups.listMembers(tenant.id, parent.id, toListOptions({}, 'addedAt'))).items).toEqual(
      [],
    );
    expect(await dir.groups.listUserGroups(tenant.id, user, { transitive: true })).toEqual([]);
  });

  it('pages through groups by name with a prefix filter', async () => {
    const tenant = await insertTenant(get().database);
    for (const name of ['ops', 'Dev', 'design', 'qa']) await dir.groups.create(tenant.id, { name }, ctx);
    const first = await dir.groups.list(tenant.id, toListOptions({ limit: 3 }, 'name'), {});
    expect(first.items.map((g) => g.name)).toEqual(['design', 'Dev', 'ops']);
    const second = await dir.groups.list(
      tenant.id,
      toListOptions({ limit: 3, cursor: first.nextCursor! }, 'name'),
      {},
    );
    expect(second).toEqual({ items: [expect.objectContaining({ name: 'qa' })], nextCursor: null });
    const de = await dir.groups.list(tenant.id, toListOptions({}, 'name'), { q: 'DE' });
    expect(de.items.map((g) => g.name)).toEqual(['design', 'Dev']);
  });
});
