/**
 * Two writers (on PostgreSQL: two independent connections, like two instances) moving units crosswise
 * at the same time — A under B while B goes under A. Each move's cycle check is sound alone; only the
 * tenant's `orgs:` lock around check-and-update stops the pair from building a cycle together.
 * Concurrent writes of the same membership serialise the same way instead of colliding on the key.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import type { Database } from '../../storage/database.ts';
import { codeOf, createHarness, ctx, insertTenant, insertUser } from './test-support.ts';

async function writers(first: Database, openAnother: () => Promise<Database>, label: string) {
  const second = label === 'postgres' ? await openAnother() : first;
  return [createHarness(first).organizations, createHarness(second).organizations] as const;
}

describeEachDialect('organizations under concurrent writers', (get, label) => {
  it('never lets two crosswise moves build a cycle', async () => {
    const t = get();
    const [one, two] = await writers(t.database, () => t.openAnother(), label);
    const tenant = await insertTenant(t.database, 'race');
    for (let round = 0; round < 10; round++) {
      const top = await one.create(tenant.id, { name: `Top ${round}` }, ctx);
      const a = await one.create(tenant.id, { name: 'A', parentId: top.id }, ctx);
      const b = await one.create(tenant.id, { name: 'B', parentId: top.id }, ctx);
      const codes = await Promise.all([
        codeOf(() => one.move(tenant.id, a.id, b.id, ctx)),
        codeOf(() => two.move(tenant.id, b.id, a.id, ctx)),
      ]);
      expect(codes.sort()).toEqual(['org_unit_cycle', 'resolved']);
      // the hierarchy is still a tree: every node reachable from the top, exactly once
      const tree = await one.tree(tenant.id, top.id);
      const child = tree.children[0]!;
      expect(tree.children).toHaveLength(1);
      expect(child.children.map((c) => c.id)).toEqual([child.id === a.id ? b.id : a.id]);
    }
  });

  it('serialises concurrent replacements of one membership', async () => {
    const t = get();
    const [one, two] = await writers(t.database, () => t.openAnother(), label);
    const tenant = await insertTenant(t.database, 'race-members');
    const user = await insertUser(t.database, tenant.id, 'alice');
    const org = await one.create(tenant.id, { name: 'Acme' }, ctx);
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all([
        one.addMember(tenant.id, org.id, user, ['admin', 'writer'], ctx),
        two.addMember(tenant.id, org.id, user, ['viewer'], ctx),
      ]);
      expect(results.filter((r) => r.created).length).toBeLessThanOrEqual(1);
      const page = await one.listMembers(tenant.id, org.id, {
        limit: 10,
        sort: 'userId',
        descending: false,
        after: undefined,
      });
      expect([['admin', 'writer'], ['viewer']]).toContainEqual(page.items[0]?.roles);
    }
  });
});
