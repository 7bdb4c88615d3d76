/**
 * Custom roles: created with deduplicated, sorted permissions; names unique ignoring case (409);
 * updates and deletes honour If-Match (412 on a stale version); malformed permissions, too many of
 * them, or bad names are refused with validation_failed (400); malformed ids are simply not found;
 * every change is an event naming the tenant by slug.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { toListOptions } from '../../http/pagination.ts';
import { createDirectory, ctx, expectAppError, insertTenant, type TestDirectory } from './test-support.ts';

describeEachDialect('custom roles', (get) => {
  let dir: TestDirectory;
  beforeAll(async () => {
    dir = await createDirectory(get().database);
  });
  afterAll(() => dir.close());

  it('creates, reads, updates and deletes a role', async () => {
    const tenant = await insertTenant(get().database);
    const created = await dir.roles.create(
      tenant.id,
      {
        name: 'Support',
        description: 'Helpdesk',
        permissions: ['users:read', 'audit:read', 'users:read', 'users:*'],
      },
      ctx,
    );
    expect(created).toMatchObject({
      name: 'Support',
      description: 'Helpdesk',
      permissions: ['audit:read', 'users:*', 'users:read'],
      builtin: false,
      version: 1,
    });
    expect(await dir.roles.get(tenant.id, created.id)).toEqual(created);
    expect(await dir.roles.getByName(tenant.id, 'SUPPORT')).toEqual(created);

    const updated = await dir.roles.update(
      tenant.id,
      created.id,
      { name: 'Support desk', permissions: ['*'], description: null },
      1,
      ctx,
    );
    expect(updated).toMatchObject({
      name: 'Support desk',
      permissions: ['*'],
      description: null,
      version: 2,
    });
    await dir.roles.delete(tenant.id, created.id, 2, ctx);
    await expectAppError(dir.roles.get(tenant.id, created.id), 'not_found');
    await expectAppError(dir.roles.delete(tenant.id, created.id, undefined, ctx), 'not_found');

    const types = dir.events.filter((e) => e.target === `role:${created.id}`).map((e) => [e.type, e.tenant]);
    expect(types).toEqual([
      ['role.created', tenant.slug],
      ['role.updated', tenant.slug],
      ['role.deleted', tenant.slug],
    ]);
    expect(
      dir.events.find((e) => e.type === 'role.updated' && e.target === `role:${created.id}`)?.data,
    ).toEqual({
      changed: ['description', 'name', 'permissions'],
    });
  });

  it('refuses a duplicate name differing only in case (409)', async () => {
    const tenant = await insertTenant(get().database);
    await dir.roles.create(tenant.id, { name: 'Billing' }, ctx);
    await expectAppError(dir.roles.create(tenant.id, { name: 'bILLING' }, ctx), 'conflict');
    const other = await dir.roles.create(tenant.id, { name: 'Finance' }, ctx);
    await expectAppError(
      dir.roles.update(tenant.id, other.id, { name: 'billing' }, undefined, ctx),
      'conflict',
    );
    // the same name is free in another tenant
    const tenantB = await insertTenant(get().database);
    await expect(dir.roles.create(tenantB.id, { name: 'billing' }, ctx)).resolves.toMatchObject({
      name: 'billing',
    });
  });

  it('answers a stale If-Match with 412 and changes nothing', async () => {
    const tenant = await insertTenant(get().database);
    const role = await dir.roles.create(tenant.id, { name: 'ops', permissions: ['users:read'] }, ctx);
    await dir.roles.update(tenant.id, role.id, { description: 'first' }, 1, ctx);
    await expectAppError(
      dir.roles.update(tenant.id, role.id, { description: 'second' }, 1, ctx),
      'precondition_failed',
    );
    await expectAppError(dir.roles.delete(tenant.id, role.id, 1, ctx), 'precondition_failed');
    expect(await dir.roles.get(tenant.id, role.id)).toMatchObject({ description: 'first', version: 2 });
  });

  it.each([
    ['Users:read'],
    ['users'],
    ['users:'],
    [':read'],
    ['users:read:extra'],
    ['*:read'],
    ['users :read'],
    ['1users:read'],
    [`${'a'.repeat(33)}:read`],
    [''],
  ])('refuses the permission %j (400 validation_failed)', async (permission) => {
    const tenant = await insertTenant(get().database);
    await expectAppError(
      dir.roles.create(tenant.id, { name: 'bad', permissions: ['users:read', permission] }, ctx),
      'validation_failed',
    );
    const role = await dir.roles.create(tenant.id, { name: 'good', permissions: ['users:read'] }, ctx);
    await expectAppError(
      dir.roles.update(tenant.id, role.id, { permissions: [permission] }, undefined, ctx),
      'validation_failed',
    );
    expect((await dir.roles.get(tenant.id, role.id)).permissions).toEqual(['users:read']);
  });

  it('accepts at most 200 distinct permissions', async () => {
    const tenant = await insertTenant(get().database);
    const many = Array.from({ length: 201 }, (_, i) => `n${i}:read`);
    await expectAppError(
      dir.roles.create(tenant.id, { name: 'big', permissions: many }, ctx),
      'validation_failed',
    );
    const role = await dir.roles.create(
      tenant.id,
      { name: 'big', permissions: [...many.slice(0, 200), 'n0:read'] },
      ctx,
    );
    expect(role.permissions).toHaveLength(200);
  });

  it.each([' padded', 'padded ', 'tab\there', '', 'x'.repeat(65)])(
    'refuses the role name %j',
    async (name) => {
      const tenant = await insertTenant(get().database);
      await expectAppError(dir.roles.create(tenant.id, { name }, ctx), 'validation_failed');
    },
  );

  it('answers malformed and unknown ids with not_found', async () => {
    const tenant = await insertTenant(get().database);
    for (const id of ['nope', "' or 1=1 --", '00000000-0000-7000-8000-000000000000']) {
      await expectAppError(dir.roles.get(tenant.id, id), 'not_found');
      await expectAppError(
        dir.roles.update(tenant.id, id, { description: 'x' }, undefined, ctx),
        'not_found',
      );
      await expectAppError(dir.roles.delete(tenant.id, id, undefined, ctx), 'not_found');
    }
    await expectAppError(dir.roles.getByName(tenant.id, 'nobody'), 'not_found');
  });

  it('pages through roles by name and by creation', async () => {
    const tenant = await insertTenant(get().database);
    for (const name of ['delta', 'Alpha', 'charlie', 'bravo', 'echo']) {
      await dir.roles.create(tenant.id, { name }, ctx);
      await sleep(2); // distinct creation times, so the creation order is the expected one
    }
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await dir.roles.list(tenant.id, toListOptions({ limit: 2, cursor }, 'name'), {});
      names.push(...page.items.map((r) => r.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(names).toEqual(['Alpha', 'bravo', 'charlie', 'delta', 'echo']);

    const newest = await dir.roles.list(
      tenant.id,
      toListOptions({ limit: 3, sort: '-createdAt' }, 'name'),
      {},
    );
    expect(newest.items.map((r) => r.name)).toEqual(['echo', 'bravo', 'charlie']);
    const next = await dir.roles.list(
      tenant.id,
      toListOptions({ limit: 3, sort: '-createdAt', cursor: newest.nextCursor! }, 'name'),
      {},
    );
    expect(next.items.map((r) => r.name)).toEqual(['Alpha', 'delta']);
    expect(next.nextCursor).toBeNull();
    expect(() => toListOptions({ sort: 'name', cursor: newest.nextCursor! }, 'name')).toThrow();
  });

  it('filters by name prefix, ignoring case, with % and _ taken literally', async () => {
    const tenant = await insertTenant(get().database);
    for (const name of ['Alpha', 'al_pha', 'alps', 'bravo', 'x%y'])
      await dir.roles.create(tenant.id, { name }, ctx);
    const names = async (q: string) =>
      (await dir.roles.list(tenant.id, toListOptions({}, 'name'), { q })).items.map((r) => r.name).sort();
    expect(await names('AL')).toEqual(['Alpha', 'al_pha', 'alps']);
    expect(await names('al_')).toEqual(['al_pha']);
    expect(await names('%')).toEqual([]);
    expect(await names('x%')).toEqual(['x%y']);
  });
});
