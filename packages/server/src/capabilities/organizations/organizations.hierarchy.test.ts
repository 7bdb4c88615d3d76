/**
 * The organization hierarchy on SQLite and PostgreSQL: nesting, sibling-name uniqueness, moves with
 * cycle refusal, the nested tree, the depth limit, ETag preconditions, cascading deletes, stable
 * pagination and tenant isolation of ids.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { decodeCursor } from '../../http/pagination.ts';
import { newId } from '../../storage/ids.ts';
import { MAX_LEVELS, type OrganizationTree } from './model.ts';
import { codeOf, createHarness, ctx, insertTenant, insertUser } from './test-support.ts';

const firstPage = { limit: 50, sort: 'name' as const, descending: false, after: undefined };

function shape(node: OrganizationTree): unknown {
  return { name: node.name, kind: node.kind, children: node.children.map(shape) };
}

describeEachDialect('organizations hierarchy', (get) => {
  it('creates an organization with units three levels deep', async () => {
    const { database } = get();
    const { organizations, events } = createHarness(database);
    const t = await insertTenant(database, 'deep');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    const sales = await organizations.create(t.id, { name: 'Sales', parentId: acme.id }, ctx);
    const emea = await organizations.create(t.id, { name: 'EMEA', parentId: sales.id }, ctx);
    const berlin = await organizations.create(t.id, { name: 'Berlin', parentId: emea.id }, ctx);

    expect(acme).toMatchObject({ kind: 'organization', parentId: null, tenantId: t.id, version: 1 });
    expect(sales).toMatchObject({ kind: 'unit', parentId: acme.id });
    expect(berlin).toMatchObject({ kind: 'unit', parentId: emea.id, name: 'Berlin' });
    expect(await organizations.get(t.id, berlin.id)).toEqual(berlin);
    expect(events.map((e) => e.type)).toEqual(['org.created', 'org.created', 'org.created', 'org.created']);
    expect(events[1]).toMatchObject({
      tenant: 'deep',
      actor: 'token:test',
      target: `org:${sales.id}`,
      requestId: 'req-1',
      data: { name: 'Sales', kind: 'unit', parentId: acme.id },
    });
  });

  it('refuses a sibling with the same name in any case, but allows it elsewhere', async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const t = await insertTenant(database, 'siblings');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    expect(await codeOf(() => organizations.create(t.id, { name: 'ACME' }, ctx))).toBe('conflict');
    const sales = await organizations.create(t.id, { name: 'Sales', parentId: acme.id }, ctx);
    expect(await codeOf(() => organizations.create(t.id, { name: 'sales', parentId: acme.id }, ctx))).toBe(
      'conflict',
    );
    // the same name under another parent, and at the top level, is fine
    await organizations.create(t.id, { name: 'Sales', parentId: sales.id }, ctx);
    await organizations.create(t.id, { name: 'Sales' }, ctx);
    // renaming into a sibling's name conflicts too; a case-only rename of itself does not
    const ops = await organizations.create(t.id, { name: 'Ops', parentId: acme.id }, ctx);
    expect(await codeOf(() => organizations.rename(t.id, ops.id, 'SALES', ctx))).toBe('conflict');
    expect((await organizations.rename(t.id, ops.id, 'OPS', ctx)).name).toBe('OPS');
  });

  it('validates names and refuses parents that do not exist', async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const t = await insertTenant(database, 'names');
    for (const name of ['', ' padded', 'tab\there', 'x'.repeat(201)]) {
      expect(await codeOf(() => organizations.create(t.id, { name }, ctx))).toBe('validation_failed');
    }
    expect(await codeOf(() => organizations.create(t.id, { name: 'A', parentId: newId() }, ctx))).toBe(
      'not_found',
    );
    expect(await codeOf(() => organizations.create(t.id, { name: 'A', parentId: 'nope' }, ctx))).toBe(
      'not_found',
    );
  });

  it('moves a unit and refuses moves under itself, a descendant, or of an organization', async () => {
    const { database } = get();
    const { organizations, events } = createHarness(database);
    const t = await insertTenant(database, 'moves');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    const other = await organizations.create(t.id, { name: 'Other' }, ctx);
    const a = await organizations.create(t.id, { name: 'A', parentId: acme.id }, ctx);
    const b = await organizations.create(t.id, { name: 'B', parentId: a.id }, ctx);
    const c = await organizations.create(t.id, { name: 'C', parentId: b.id }, ctx);

    expect(await codeOf(() => organizations.move(t.id, a.id, a.id, ctx))).toBe('org_unit_cycle');
    expect(await codeOf(() => organizations.move(t.id, a.id, b.id, ctx))).toBe('org_unit_cycle');
    expect(await codeOf(() => organizations.move(t.id, a.id, c.id, ctx))).toBe('org_unit_cycle');
    expect(await codeOf(() => organizations.move(t.id, acme.id, other.id, ctx))).toBe('validation_failed');
    expect(await codeOf(() => organizations.move(t.id, a.id, newId(), ctx))).toBe('not_found');

    events.length = 0;
    const moved = await organizations.move(t.id, b.id, other.id, ctx);
    expect(moved).toMatchObject({ parentId: other.id, version: 2 });
    expect(events).toMatchObject([
      { type: 'org.moved', target: `org:${b.id}`, data: { from: a.id, to: other.id } },
    ]);
    // C came along; A may now go under C (no longer its descendant)
    expect((await organizations.tree(t.id, other.id)).children[0]?.children[0]?.id).toBe(c.id);
    expect((await organizations.move(t.id, a.id, c.id, ctx)).parentId).toBe(c.id);
    // a move to the current parent changes nothing
    expect(await organizations.move(t.id, a.id, c.id, ctx)).toMatchObject({ version: 2 });
  });

  it('returns the nested tree with children sorted by name', async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const t = await insertTenant(database, 'trees');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    const sales = await organizations.create(t.id, { name: 'Sales', parentId: acme.id }, ctx);
    await organizations.create(t.id, { name: 'Engineering', parentId: acme.id }, ctx);
    const emea = await organizations.create(t.id, { name: 'emea', parentId: sales.id }, ctx);
    await organizations.create(t.id, { name: 'Americas', parentId: sales.id }, ctx);
    await organizations.create(t.id, { name: 'Berlin', parentId: emea.id }, ctx);

    expect(shape(await organizations.tree(t.id, acme.id))).toEqual({
      name: 'Acme',
      kind: 'organization',
      children: [
        { name: 'Engineering', kind: 'unit', children: [] },
        {
          name: 'Sales',
          kind: 'unit',
          children: [
            { name: 'Americas', kind: 'unit', children: [] },
            { name: 'emea', kind: 'unit', children: [{ name: 'Berlin', kind: 'unit', children: [] }] },
          ],
        },
      ],
    });
    expect(shape(await organizations.tree(t.id, emea.id))).toEqual({
      name: 'emea',
      kind: 'unit',
      children: [{ name: 'Berlin', kind: 'unit', children: [] }],
    });
  });

  it(`refuses to nest deeper than ${MAX_LEVELS} levels, by create or by move`, async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const t = await insertTenant(database, 'depth');
    let parent = await organizations.create(t.id, { name: 'L1' }, ctx);
    const chain = [parent];
    for (let level = 2; level <= MAX_LEVELS; level++) {
      parent = await organizations.create(t.id, { name: `L${level}`, parentId: parent.id }, ctx);
      chain.push(parent);
    }
    expect(
      await codeOf(() => organizations.create(t.id, { name: 'too deep', parentId: parent.id }, ctx)),
    ).toBe('validation_failed');
    // a two-level subtree fits under level 30 but not under level 31
    const top = await organizations.create(t.id, { name: 'Other' }, ctx);
    const sub = await organizations.create(t.id, { name: 'Sub', parentId: top.id }, ctx);
    await organizations.create(t.id, { name: 'Leaf', parentId: sub.id }, ctx);
    expect(await codeOf(() => organizations.move(t.id, sub.id, chain[30]!.id, ctx))).toBe(
      'validation_failed',
    );
    await organizations.move(t.id, sub.id, chain[29]!.id, ctx);

    let depth = 0;
    for (let node: OrganizationTree | undefined = await organizations.tree(t.id, chain[0]!.id); node; ) {
      depth++;
      node = node.children.find((c) => c.name !== 'Sub') ?? node.children[0];
    }
    expect(depth).toBe(MAX_LEVELS);
  });

  it('honours the expected version on rename, move and delete (412 when stale)', async () => {
    const { database } = get();
    const { organizations, events } = createHarness(database);
    const t = await insertTenant(database, 'etags');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    const unit = await organizations.create(t.id, { name: 'Unit', parentId: acme.id }, ctx);
    const renamed = await organizations.rename(t.id, unit.id, 'Renamed', ctx, unit.version);
    expect(renamed).toMatchObject({ name: 'Renamed', version: 2 });
    expect(events.at(-1)).toMatchObject({
      type: 'org.updated',
      data: { changed: { name: 'Renamed' }, previous: { name: 'Unit' } },
    });
    expect(await codeOf(() => organizations.rename(t.id, unit.id, 'Again', ctx, 1))).toBe(
      'precondition_failed',
    );
    const other = await organizations.create(t.id, { name: 'Other' }, ctx);
    expect(await codeOf(() => organizations.move(t.id, unit.id, other.id, ctx, 1))).toBe(
      'precondition_failed',
    );
    expect(await codeOf(() => organizations.delete(t.id, unit.id, ctx, 1))).toBe('precondition_failed');
    expect((await organizations.get(t.id, unit.id)).name).toBe('Renamed');
    await organizations.delete(t.id, unit.id, ctx, 2);
    expect(await codeOf(() => organizations.get(t.id, unit.id))).toBe('not_found');
  });

  it('deletes units and memberships below a deleted organization', async () => {
    const { database } = get();
    const { organizations, events } = createHarness(database);
    const t = await insertTenant(database, 'cascade');
    const alice = await insertUser(database, t.id, 'alice');
    const acme = await organizations.create(t.id, { name: 'Acme' }, ctx);
    const a = await organizations.create(t.id, { name: 'A', parentId: acme.id }, ctx);
    const b = await organizations.create(t.id, { name: 'B', parentId: a.id }, ctx);
    const keep = await organizations.create(t.id, { name: 'Keep' }, ctx);
    await organizations.addMember(t.id, b.id, alice, ['viewer', 'writer'], ctx);
    await organizations.addMember(t.id, keep.id, alice, ['member'], ctx);

    await organizations.delete(t.id, acme.id, ctx);
    expect(events.at(-1)).toMatchObject({
      type: 'org.deleted',
      target: `org:${acme.id}`,
      data: { name: 'Acme', kind: 'organization', unitsDeleted: 2 },
    });
    for (const id of [acme.id, a.id, b.id]) {
      expect(await codeOf(() => organizations.get(t.id, id))).toBe('not_found');
    }
    const rows = await database.db
      .selectFrom('org_members')
      .select('org_id')
      .where('tenant_id', '=', t.id)
      .execute();
    expect(rows.map((r) => r.org_id)).toEqual([keep.id]);
    expect(await organizations.listUserMemberships(t.id, alice)).toEqual([
      { orgId: keep.id, orgName: 'Keep', kind: 'organization', roles: ['member'] },
    ]);
  });

  it('pages through a filtered list in a stable keyset order, in both sorts and directions', async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const t = await insertTenant(database, 'pages');
    const root = await organizations.create(t.id, { name: 'Root' }, ctx);
    await organizations.create(t.id, { name: 'alpha' }, ctx);
    const created = [];
    for (let i = 0; i < 23; i++) {
      const name = `Unit ${String.fromCharCode(97 + i)}${i}`;
      created.push(await organizations.create(t.id, { name, parentId: root.id }, ctx));
    }
    const original = new Set(created.map((o) => o.name));
    const byName = created.map((o) => o.name);
    const byCreated = [...created]
      .sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1))
      .map((o) => o.name);

    for (const sort of ['name', 'createdAt'] as const) {
      for (const descending of [false, true]) {
        const key = `${sort}:${descending ? 'desc' : 'asc'}`;
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const after = cursor ? decodeCursor(cursor, key) : undefined;
          const page = await organizations.list(
            t.id,
            { parentId: root.id, kind: 'unit' },
            { limit: 5, sort, descending, after },
          );
          seen.push(...page.items.map((o) => o.name));
          cursor = page.nextCursor;
          // inserts between pages never make a page repeat or skip a row that was already there
          if (pages++ === 1)
            await organizations.create(t.id, { name: `Unit 0 ${key}`, parentId: root.id }, ctx);
        } while (cursor);
        expect(new Set(seen).size).toBe(seen.length);
        const expected = sort === 'name' ? byName : byCreated;
        expect(seen.filter((n) => original.has(n))).toEqual(descending ? [...expected].reverse() : expected);
      }
    }
    const top = await organizations.list(t.id, { parentId: null }, firstPage);
    expect(top.items.map((o) => o.name)).toEqual(['alpha', 'Root']);
    const units = await organizations.list(t.id, { kind: 'unit' }, { ...firstPage, limit: 200 });
    expect(units.items).toHaveLength(created.length + 4);
    expect(units.nextCursor).toBeNull();
    // a cursor of one sort cannot be used with another
    const page = await organizations.list(t.id, {}, { ...firstPage, limit: 1 });
    const nameCursor = decodeCursor(page.nextCursor!, 'name:asc');
    expect(
      await codeOf(() =>
        organizations.list(t.id, {}, { ...firstPage, sort: 'createdAt', after: nameCursor }),
      ),
    ).toBe('invalid_cursor');
  });

  it("never finds, lists, moves or deletes another tenant's organizations", async () => {
    const { database } = get();
    const { organizations } = createHarness(database);
    const a = await insertTenant(database, 'iso-a');
    const b = await insertTenant(database, 'iso-b');
    const orgA = await organizations.create(a.id, { name: 'A' }, ctx);
    const unitA = await organizations.create(a.id, { name: 'Unit', parentId: orgA.id }, ctx);
    const orgB = await organizations.create(b.id, { name: 'B' }, ctx);
    const unitB = await organizations.create(b.id, { name: 'Unit', parentId: orgB.id }, ctx);

    expect(await codeOf(() => organizations.get(a.id, orgB.id))).toBe('not_found');
    expect(await codeOf(() => organizations.tree(a.id, orgB.id))).toBe('not_found');
    expect(await codeOf(() => organizations.rename(a.id, unitB.id, 'X', ctx))).toBe('not_found');
    expect(await codeOf(() => organizations.delete(a.id, orgB.id, ctx))).toBe('not_found');
    expect(await codeOf(() => organizations.move(a.id, unitB.id, orgA.id, ctx))).toBe('not_found');
    expect(await codeOf(() => organizations.move(a.id, unitA.id, orgB.id, ctx))).toBe('not_found');
    expect(await codeOf(() => organizations.create(a.id, { name: 'X', parentId: orgB.id }, ctx))).toBe(
      'not_found',
    );
    const listed = await organizations.list(a.id, {}, firstPage);
    expect(listed.items.map((o) => o.id).sort()).toEqual([orgA.id, unitA.id].sort());
    expect((await organizations.list(a.id, { parentId: orgB.id }, firstPage)).items).toEqual([]);
    expect(await codeOf(() => organizations.get(a.id, 'not-a-uuid'))).toBe('not_found');
    expect((await organizations.tree(b.id, orgB.id)).children.map((c) => c.id)).toEqual([unitB.id]);
  });
});
