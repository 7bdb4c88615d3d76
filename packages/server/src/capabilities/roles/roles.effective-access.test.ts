/**
 * Effective access = the user's direct roles ∪ the roles of every group it is in, directly or through
 * any depth of nesting. The answer is cached, and every kind of change that can alter it — role
 * permissions or name, role deleted, role assigned or taken from a user or group, membership added or
 * removed, nesting added or removed, group deleted — shows up in the very next answer, on this
 * instance at once and on other instances once the invalidation message arrives.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { createMemoryState } from '../../state/memory-state.ts';
import type { Database } from '../../storage/database.ts';
import { hasPermission } from './effective.ts';
import {
  createDirectory,
  ctx,
  expectAppError,
  insertTenant,
  insertUser,
  type TestDirectory,
} from './test-support.ts';

/** company ⊃ eng ⊃ backend ∋ user; the user holds `viewer`, eng holds `deployer`, company `auditor`. */
async function nestedScenario(database: Database, dir: TestDirectory) {
  const tenant = await insertTenant(database);
  await dir.roles.seedBuiltinRoles(tenant.id);
  const t = tenant.id;
  const company = await dir.groups.create(t, { name: 'company' }, ctx);
  const eng = await dir.groups.create(t, { name: 'eng' }, ctx);
  const backend = await dir.groups.create(t, { name: 'backend' }, ctx);
  await dir.groups.addGroup(t, company.id, eng.id, ctx);
  await dir.groups.addGroup(t, eng.id, backend.id, ctx);
  const user = await insertUser(database, t);
  await dir.groups.addUser(t, backend.id, user, ctx);
  const viewer = await dir.roles.getByName(t, 'viewer');
  const auditor = await dir.roles.getByName(t, 'auditor');
  const deployer = await dir.roles.create(
    t,
    { name: 'deployer', permissions: ['deploy:run', 'users:read'] },
    ctx,
  );
  await dir.roles.assignToUser(t, user, viewer.id, ctx);
  await dir.roles.assignToGroup(t, company.id, auditor.id, ctx);
  await dir.roles.assignToGroup(t, eng.id, deployer.id, ctx);
  return { t, user, company, eng, backend, viewer, auditor, deployer };
}

const BASELINE = {
  roles: ['auditor', 'deployer', 'viewer'],
  permissions: ['audit:read', 'deploy:run', 'groups:read', 'orgs:read', 'roles:read', 'users:read'],
};

describeEachDialect('effective access', (get) => {
  let dir: TestDirectory;
  beforeAll(async () => {
    dir = await createDirectory(get().database);
  });
  afterAll(() => dir.close());

  it('unites direct roles and the roles of groups reached through three levels of nesting', async () => {
    const s = await nestedScenario(get().database, dir);
    expect(await dir.access.effectiveAccess(s.t, s.user)).toEqual(BASELINE);
    const loner = await insertUser(get().database, s.t);
    expect(await dir.access.effectiveAccess(s.t, loner)).toEqual({ roles: [], permissions: [] });
    await expectAppError(dir.access.effectiveAccess(s.t, 'not-an-id'), 'not_found');
    await expectAppError(
      dir.access.effectiveAccess(s.t, '00000000-0000-7000-8000-000000000000'),
      'not_found',
    );
  });

  it('serves answers from the cache until a change invalidates them', async () => {
    const s = await nestedScenario(get().database, dir);
    expect(await dir.access.effectiveAccess(s.t, s.user)).toEqual(BASELINE);
    // a write behind the services' back is not seen: the answer comes from the cache
    await get().database.db.deleteFrom('user_roles').where('user_id', '=', s.user).execute();
    expect(await dir.access.effectiveAccess(s.t, s.user)).toEqual(BASELINE);
    await dir.access.directoryChanged(s.t);
    expect((await dir.access.effectiveAccess(s.t, s.user)).roles).toEqual(['auditor', 'deployer']);
  });

  it('reflects every kind of change in the very next answer', async () => {
    const s = await nestedScenario(get().database, dir);
    const { t, user } = s;
    const answer = () => dir.access.effectiveAccess(t, user);
    expect(await answer()).toEqual(BASELINE);

    // role permissions changed
    await dir.roles.update(t, s.deployer.id, { permissions: ['deploy:*'] }, undefined, ctx);
    expect((await answer()).permissions).toContain('deploy:*');
    expect((await answer()).permissions).not.toContain('deploy:run');
    // role renamed
    await dir.roles.update(t, s.deployer.id, { name: 'release' }, undefined, ctx);
    expect((await answer()).roles).toEqual(['auditor', 'release', 'viewer']);
    // role taken from a user, given back
    await dir.roles.removeFromUser(t, user, s.viewer.id, ctx);
    expect((await answer()).roles).toEqual(['auditor', 'release']);
    await dir.roles.assignToUser(t, user, s.viewer.id, ctx);
    expect((await answer()).roles).toEqual(['auditor', 'release', 'viewer']);
    // role taken from a group, given to another
    await dir.roles.removeFromGroup(t, s.company.id, s.auditor.id, ctx);
    expect((await answer()).roles).toEqual(['release', 'viewer']);
    await dir.roles.assignToGroup(t, s.backend.id, s.auditor.id, ctx);
    expect((await answer()).roles).toEqual(['auditor', 'release', 'viewer']);
    // nesting removed (backend leaves eng: eng's `release` no longer reaches the user), added back
    await dir.groups.removeGroup(t, s.eng.id, s.backend.id, ctx);
    expect((await answer()).roles).toEqual(['auditor', 'viewer']);
    await dir.groups.addGroup(t, s.eng.id, s.backend.id, ctx);
    expect((await answer()).roles).toEqual(['auditor', 'release', 'viewer']);
    // membership removed, added elsewhere
    await dir.groups.removeUser(t, s.backend.id, user, ctx);
    expect((await answer()).roles).toEqual(['viewer']);
    await dir.groups.addUser(t, s.company.id, user, ctx);
    expect((await answer()).roles).toEqual(['viewer']);
    await dir.roles.assignToGroup(t, s.company.id, s.deployer.id, ctx);
    expect((await answer()).roles).toEqual(['release', 'viewer']);
    // group deleted
    await dir.groups.delete(t, s.company.id, undefined, ctx);
    expect((await answer()).roles).toEqual(['viewer']);
    // role deleted
    const temp = await dir.roles.create(t, { name: 'temp', permissions: ['temp:read'] }, ctx);
    await dir.roles.assignToUser(t, user, temp.id, ctx);
    expect(await answer()).toEqual({
      roles: ['temp', 'viewer'],
      permissions: ['groups:read', 'orgs:read', 'roles:read', 'temp:read', 'users:read'],
    });
    await dir.roles.delete(t, temp.id, undefined, ctx);
    expect((await answer()).roles).toEqual(['viewer']);
  });

  it('invalidates another instance through the shared state', async () => {
    const state = createMemoryState();
    const here = await createDirectory(get().database, state);
    const there = await createDirectory(get().database, state);
    try {
      const s = await nestedScenario(get().database, here);
      expect(await there.access.effectiveAccess(s.t, s.user)).toEqual(BASELINE);
      await here.groups.removeUser(s.t, s.backend.id, s.user, ctx);
      await expect
        .poll(() => there.access.effectiveAccess(s.t, s.user))
        .toEqual({
          roles: ['viewer'],
          permissions: ['groups:read', 'orgs:read', 'roles:read', 'users:read'],
        });
      await here.roles.assignToUser(s.t, s.user, s.auditor.id, ctx);
      await expect
        .poll(async () => (await there.access.effectiveAccess(s.t, s.user)).roles)
        .toEqual(['auditor', 'viewer']);
    } finally {
      await here.close();
      await there.close();
    }
  });

  it('keeps tenants apart: a change in one tenant leaves the other cached', async () => {
    const a = await nestedScenario(get().database, dir);
    const b = await nestedScenario(get().database, dir);
    expect(await dir.access.effectiveAccess(b.t, b.user)).toEqual(BASELINE);
    await get().database.db.deleteFrom('user_roles').where('user_id', '=', b.user).execute();
    await dir.roles.removeFromUser(a.t, a.user, a.viewer.id, ctx);
    expect(await dir.access.effectiveAccess(b.t, b.user)).toEqual(BASELINE);
  });
});

it('hasPermission follows the admin ability rules', () => {
  expect(hasPermission(['*'], 'anything:read')).toBe(true);
  expect(hasPermission(['users:*'], 'users:delete')).toBe(true);
  expect(hasPermission(['users:write'], 'users:read')).toBe(true);
  expect(hasPermission(['users:read'], 'users:write')).toBe(false);
  expect(hasPermission(['users:read'], 'groups:read')).toBe(false);
  expect(hasPermission(['groups:*'], 'users:read')).toBe(false);
  expect(hasPermission([], 'users:read')).toBe(false);
});
