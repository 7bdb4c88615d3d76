/**
 * Export pages through the keyset list (never one big read) and yields one flat row per user of the
 * tenant, in username order, with the documented columns.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { exportUsers, USER_EXPORT_COLUMNS } from './export.ts';
import { createTenant, ctx, usersFixture } from './test-support.ts';

describeEachDialect('users export', (get) => {
  it('yields every user of the tenant once, in username order, page by page', async () => {
    const { users } = usersFixture(get());
    const tenantId = (await createTenant(get())).id;
    const other = (await createTenant(get())).id;
    await users.create(other, { username: 'outsider' }, ctx);
    for (let i = 0; i < 23; i++) {
      await users.create(
        tenantId,
        {
          username: `u${String(i).padStart(2, '0')}`,
          email: i % 2 ? `u${i}@example.com` : null,
          name: `User ${i}`,
        },
        ctx,
      );
    }
    const first = await users.create(tenantId, { username: 'A-first', emailVerified: true }, ctx);
    await users.disable(tenantId, first.id, undefined, ctx);

    const pages: number[] = [];
    const spy = {
      ...users,
      list: async (...args: Parameters<typeof users.list>) => {
        pages.push(args[1].limit);
        return users.list(...args);
      },
    };
    const rows = [];
    for await (const row of exportUsers(spy, tenantId, { pageSize: 5 })) rows.push(row);

    expect(rows).toHaveLength(24);
    expect(pages).toHaveLength(5);
    expect(rows.map((r) => r.username)).toEqual([
      'A-first',
      ...Array.from({ length: 23 }, (_, i) => `u${String(i).padStart(2, '0')}`),
    ]);
    expect(Object.keys(rows[0]!)).toEqual([...USER_EXPORT_COLUMNS]);
    expect(rows[0]).toMatchObject({
      id: first.id,
      status: 'disabled',
      emailVerified: 'true',
      email: null,
      lastSignInAt: null,
    });
    expect(rows[2]).toMatchObject({
      username: 'u01',
      email: 'u1@example.com',
      fullname: 'User 1',
      emailVerified: 'false',
    });
    expect(rows[0]!.createdAt).toBe(first.createdAt);
  });
});
