/**
 * Memberships on SQLite and PostgreSQL: several roles per membership (replaced as a set), a user in
 * several organizations, roles named case-insensitively and resolved within the tenant only, unknown
 * role names refused without changing anything, and another tenant's users and organizations 404.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { decodeCursor } from '../../http/pagination.ts';
import { newId } from '../../storage/ids.ts';
import { codeOf, createHarness, ctx, insertTenant, insertUser } from './test-support.ts';

const firstPage = { limit: 50, sort: 'userId' as const, descending: false, after: undefined };

describeEachDialect('organization memberships', (get) => {
  it('gives a member several roles and replaces the role set atomically', async () => {
    const { database } = get();
    const { organizations, events } = createHarness(database);
    const t = await insertTenant(database, 'roles', ['Release Manager']);
    const alice = await insertUser(database, t.id, 'alice');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);

    const added = await organizations.addMember(t.id, acme.id, alice, ['writer', 'Viewer', 'WRITER'], ctx);
    expect(added).toEqual({ userId: alice, roles: ['viewer', 'writer'], created: true });
    expect(events.at(-1)).toMatchObject({
      type: 'org.member_added',
      tenant: 'roles',
      actor: 'token:test',
      target: `org:${acme.id}`,
      data: { userId: alice, roles: ['viewer', 'writer'], previousRoles: [] },
    });

    const replaced = await organizations.addMember(t.id, acme.id, alice, ['release manager', 'owner'], ctx);
    expect(replaced).toEqual({ userId: alice, roles: ['owner', 'Release Manager'], created: false });
    expect(events.at(-1)?.data).toMatchObject({ previousRoles: ['viewer', 'writer'] });
    const rows = await database.db
      .selectFrom('org_members')
      .select('role_id')
      .where('org_id', '=', acme.id)
      .execute();
    expect(rows.map((r) => r.role_id).sort()).toEqual([t.roles.owner, t.roles['Release Manager']].sort());
    expect(await organizations.listMembers(t.id, acme.id, firstPage)).toEqual({
      items: [{ userId: alice, roles: ['owner', 'Release Manager'] }],
      nextCursor: null,
    });
  });

  it("lists a user's memberships across several organizations and units", async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const t = await insertTenant(database, 'multi');
    const bob = await insertUser(database, t.id, 'bob');
    const zeta = await organizations.create(t.id, { name: 'Zeta' }, ctx);
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    const sales = await organizations.create(t.id, { name: 'Sales', parentId: acme.id }, ctx);
    await organizations.addMember(t.id, zeta.id, bob, ['member'], ctx);
    await organizations.addMember(t.id, acme.id, bob, ['owner', 'auditor'], ctx);
    await organizations.addMember(t.id, sales.id, bob, ['admin'], ctx);

    expect(await organizations.listUserMemberships(t.id, bob)).toEqual([
      { orgId: acme.id, orgName: 'Acme', kind: 'organization', roles: ['auditor', 'owner'] },
      { orgId: sales.id, orgName: 'Sales', kind: 'unit', roles: ['admin'] },
      { orgId: zeta.id, orgName: 'Zeta', kind: 'organization', roles: ['member'] },
    ]);
    const carol = await insertUser(database, t.id, 'carol');
    expect(await organizations.listUserMemberships(t.id, carol)).toEqual([]);
  });

  it('refuses unknown role names with 400 naming them, and changes nothing', async () => {
    const { database } = get();
    const { organizations, events } = createHarness(database);
    const t = await insertTenant(database, 'unknown');
    const alice = await insertUser(database, t.id, 'alice');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    await organizations.addMember(t.id, acme.id, alice, ['viewer'], ctx);
    const before = events.length;

    const err = await organizations
      .addMember(t.id, acme.id, alice, ['writer', 'wizard', 'Sorcerer'], ctx)
      .then(
        () => undefined,
        (e: unknown) => e as { code: string; detail: string; extensions: unknown },
      );
    expect(err?.code).toBe('validation_failed');
    expect(err?.detail).toBe('unknown roles: "wizard", "Sorcerer"');
    expect(err?.extensions).toEqual({
      errors: [
        { path: 'body/roles/1', message: 'no role of that name' },
        { path: 'body/roles/2', message: 'no role of that name' },
      ],
    });
    expect(await codeOf(() => organizations.addMember(t.id, acme.id, alice, [], ctx))).toBe(
      'validation_failed',
    );
    expect((await organizations.listMembers(t.id, acme.id, firstPage)).items).toEqual([
      { userId: alice, roles: ['viewer'] },
    ]);
    expect(events.length).toBe(before);
  });

  it("answers 404 for another tenant's user or organization, and 400 for its custom role", async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const a = await insertTenant(database, 'cross-a');
    const b = await insertTenant(database, 'cross-b', ['b-only']);
    const userA = await insertUser(database, a.id, 'alice');
    const userB = await insertUser(database, b.id, 'bob');
    const orgA = await organizations.create(a.id, { name: 'A' }, ctx);
    const orgB = await organizations.create(b.id, { name: 'B' }, ctx);
    await organizations.addMember(b.id, orgB.id, userB, ['b-only'], ctx);

    expect(await codeOf(() => organizations.addMember(a.id, orgA.id, userB, ['viewer'], ctx))).toBe(
      'not_found',
    );
    expect(await codeOf(() => organizations.addMember(a.id, orgB.id, userA, ['viewer'], ctx))).toBe(
      'not_found',
    );
    expect(await codeOf(() => organizations.addMember(a.id, orgA.id, userA, ['b-only'], ctx))).toBe(
      'validation_failed',
    );
    expect(await codeOf(() => organizations.removeMember(a.id, orgB.id, userB, ctx))).toBe('not_found');
    expect(await codeOf(() => organizations.listMembers(a.id, orgB.id, firstPage))).toBe('not_found');
    expect(await codeOf(() => organizations.listUserMemberships(a.id, userB))).toBe('not_found');
    expect(await codeOf(() => organizations.addMember(a.id, orgA.id, 'nope', ['viewer'], ctx))).toBe(
      'not_found',
    );
    expect(await codeOf(() => organizations.listUserMemberships(a.id, newId()))).toBe('not_found');
    // tenant B's membership is untouched, and A's role names resolve to A's roles
    expect(await organizations.listUserMemberships(b.id, userB)).toEqual([
      { orgId: orgB.id, orgName: 'B', kind: 'organization', roles: ['b-only'] },
    ]);
    await organizations.addMember(a.id, orgA.id, userA, ['viewer'], ctx);
    const row = await database.db
      .selectFrom('org_members')
      .select(['role_id', 'tenant_id'])
      .where('user_id', '=', userA)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ role_id: a.roles.viewer, tenant_id: a.id });
  });

  it('removes a member with all its roles', async () => {
    const { database } = get();
    const { organizations, events } = createHarness(database);
    const t = await insertTenant(database, 'remove');
    const alice = await insertUser(database, t.id, 'alice');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    await organizations.addMember(t.id, acme.id, alice, ['admin', 'writer'], ctx);
    await organizations.removeMember(t.id, acme.id, alice, ctx);
    expect(events.at(-1)).toMatchObject({
      type: 'org.member_removed',
      target: `org:${acme.id}`,
      data: { userId: alice, previousRoles: ['admin', 'writer'] },
    });
    expect((await organizations.listMembers(t.id, acme.id, firstPage)).items).toEqual([]);
    expect(await codeOf(() => organizations.removeMember(t.id, acme.id, alice, ctx))).toBe('not_found');
  });

  it('pages through members by user id without repeats', async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const t = await insertTenant(database, 'member-pages');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    const users: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await insertUser(database, t.id, `user${i}`);
      users.push(id);
      await organizations.addMember(t.id, acme.id, id, i % 2 ? ['viewer', 'member'] : ['writer'], ctx);
    }
    for (const descending of [false, true]) {
      const seen: { userId: string; roles: string[] }[] = [];
      let cursor: string | null = null;
      do {
        const after = cursor ? decodeCursor(cursor, `userId:${descending ? 'desc' : 'asc'}`) : undefined;
        const page = await organizations.listMembers(t.id, acme.id, {
          ...firstPage,
          limit: 5,
          descending,
          after,
        });
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      const sorted = [...users].sort();
      expect(seen.map((m) => m.userId)).toEqual(descending ? sorted.reverse() : sorted);
      const odd = users.filter((_, i) => i % 2);
      for (const m of seen)
        expect(m.roles).toEqual(odd.includes(m.userId) ? ['member', 'viewer'] : ['writer']);
    }
  });

  it('keeps memberships of a user in one organization when another is deleted', async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const t = await insertTenant(database, 'keep');
    const alice = await insertUser(database, t.id, 'alice');
    const one = await organizations.create(t.id, { name: 'One' }, ctx);
    const two = await organizations.create(t.id, { name: 'Two' }, ctx);
    const unit = await organizations.create(t.id, { name: 'Unit', parentId: two.id }, ctx);
    await organizations.addMember(t.id, one.id, alice, ['member'], ctx);
    await organizations.addMember(t.id, unit.id, alice, ['admin'], ctx);
    await organizations.delete(t.id, two.id, ctx);
    expect(await organizations.listUserMemberships(t.id, alice)).toEqual([
      { orgId: one.id, orgName: 'One', kind: 'organization', roles: ['member'] },
    ]);
  });
});
