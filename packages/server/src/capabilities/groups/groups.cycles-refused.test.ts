/**
 * A group never contains itself, directly or transitively: nesting that would close a cycle of any
 * length is 409 group_cycle and leaves the memberships as they were, while shared sub-groups (a
 * diamond) are fine. On PostgreSQL, two instances nesting A in B and B in A at the same moment cannot
 * together create a cycle: the tenant's nesting lock lets exactly one of them through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDialect, dialectAvailable } from '../../../test/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import { toListOptions } from '../../http/pagination.ts';
import { createMemoryState } from '../../state/memory-state.ts';
import {
  createDirectory,
  ctx,
  expectAppError,
  insertTenant,
  type TestDirectory,
} from '../roles/test-support.ts';

describeEachDialect('group cycles', (get) => {
  let dir: TestDirectory;
  beforeAll(async () => {
    dir = await createDirectory(get().database);
  });
  afterAll(() => dir.close());

  async function groupsOf(count: number) {
    const tenant = await insertTenant(get().database);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await dir.groups.create(tenant.id, { name: `g${i}` }, ctx)).id);
    return { tenantId: tenant.id, ids };
  }

  async function childrenOf(tenantId: string, groupId: string) {
    const page = await dir.groups.listMembers(tenantId, groupId, toListOptions({}, 'addedAt'), 'group');
    return page.items.map((m) => m.id);
  }

  it('refuses a group containing itself', async () => {
    const { tenantId, ids } = await groupsOf(1);
    await expectAppError(dir.groups.addGroup(tenantId, ids[0]!, ids[0]!, ctx), 'group_cycle');
    expect(await childrenOf(tenantId, ids[0]!)).toEqual([]);
  });

  it('refuses a 2-cycle (A in B, then B in A)', async () => {
    const { tenantId, ids } = await groupsOf(2);
    const [a, b] = ids as [string, string];
    await dir.groups.addGroup(tenantId, b, a, ctx);
    await expectAppError(dir.groups.addGroup(tenantId, a, b, ctx), 'group_cycle');
    expect(await childrenOf(tenantId, a)).toEqual([]);
  });

  it('refuses a 3-cycle (A ⊃ B ⊃ C, then C ⊃ A)', async () => {
    const { tenantId, ids } = await groupsOf(3);
    const [a, b, c] = ids as [string, string, string];
    await dir.groups.addGroup(tenantId, a, b, ctx);
    await dir.groups.addGroup(tenantId, b, c, ctx);
    await expectAppError(dir.groups.addGroup(tenantId, c, a, ctx), 'group_cycle');
    await expectAppError(dir.groups.addGroup(tenantId, c, b, ctx), 'group_cycle');
    expect(await childrenOf(tenantId, c)).toEqual([]);
    // once the chain is cut, the same edge is allowed
    await dir.groups.removeGroup(tenantId, b, c, ctx);
    expect(await dir.groups.addGroup(tenantId, c, a, ctx)).toBe(true);
  });

  it('refuses a cycle closed across a long chain', async () => {
    const { tenantId, ids } = await groupsOf(8);
    for (let i = 0; i < ids.length - 1; i++) await dir.groups.addGroup(tenantId, ids[i]!, ids[i + 1]!, ctx);
    await expectAppError(dir.groups.addGroup(tenantId, ids[7]!, ids[0]!, ctx), 'group_cycle');
    await expectAppError(dir.groups.addGroup(tenantId, ids[5]!, ids[2]!, ctx), 'group_cycle');
  });

  it('allows a diamond: one group nested in two siblings of a common parent', async () => {
    const { tenantId, ids } = await groupsOf(4);
    const [top, left, right, bottom] = ids as [string, string, string, string];
    await dir.groups.addGroup(tenantId, top, left, ctx);
    await dir.groups.addGroup(tenantId, top, right, ctx);
    await dir.groups.addGroup(tenantId, left, bottom, ctx);
    expect(await dir.groups.addGroup(tenantId, right, bottom, ctx)).toBe(true);
    expect(await dir.groups.addGroup(tenantId, top, bottom, ctx)).toBe(true);
    await expectAppError(dir.groups.addGroup(tenantId, bottom, top, ctx), 'group_cycle');
  });
});

describe('group cycles under concurrency [postgres]', () => {
  it.runIf(dialectAvailable('postgres'))(
    'two instances nesting A in B and B in A at once: exactly one succeeds',
    async () => {
      const t = await createTestDatabase('postgres');
      const state = createMemoryState();
      const other = await t.openAnother();
      const one = await createDirectory(t.database, state);
      const two = await createDirectory(other, state);
      try {
        for (let round = 0; round < 10; round++) {
          const tenant = await insertTenant(t.database);
          const a = await one.groups.create(tenant.id, { name: 'A' }, ctx);
          const b = await one.groups.create(tenant.id, { name: 'B' }, ctx);
          const results = await Promise.allSettled([
            one.groups.addGroup(tenant.id, a.id, b.id, ctx),
            two.groups.addGroup(tenant.id, b.id, a.id, ctx),
          ]);
          const ok = results.filter((r) => r.status === 'fulfilled');
          const refused = results.filter(
            (r) => r.status === 'rejected' && r.reason instanceof AppError && r.reason.code === 'group_cycle',
          );
          expect([ok.length, refused.length]).toEqual([1, 1]);
          const edges = await t.database.db
            .selectFrom('group_groups')
            .select(['parent_id', 'child_id'])
            .where('tenant_id', '=', tenant.id)
            .execute();
          expect(edges).toHaveLength(1);
        }
      } finally {
        await one.close();
        await two.close();
        await t.cleanup();
      }
    },
  );
});
