/**
 * Listing users with keyset pagination: every sort (username, email, createdAt), both directions,
 * walked page by page, must return exactly the expected order — no duplicates, no misses — including
 * users without an email (after all addresses ascending, before them descending) and under filters
 * (status, email verified, case-insensitive prefix of username or email).
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import { decodeCursor } from '../../http/pagination.ts';
import { compareCodePoints, prefixSuccessor } from './list-query.ts';
import { foldCase } from './rules.ts';
import type { UserSort, UserView } from './schemas.ts';
import type { ListUsersOptions, UsersService } from './service.ts';
import type { UserFilters } from './store.ts';
import { createTenant, ctx, usersFixture } from './test-support.ts';

async function walk(
  users: UsersService,
  tenantId: string,
  sort: UserSort,
  descending: boolean,
  limit: number,
  filters: UserFilters = {},
): Promise<UserView[]> {
  const all: UserView[] = [];
  let after: ListUsersOptions['after'];
  for (let pages = 0; pages < 1000; pages++) {
    const page = await users.list(tenantId, { limit, sort, descending, after, filters });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    if (page.nextCursor === null) return all;
    after = decodeCursor(page.nextCursor, `${sort}:${descending ? 'desc' : 'asc'}`);
  }
  throw new Error('pagination does not end');
}

const cmp = (a: string | number, b: string | number) =>
  typeof a === 'string' && typeof b === 'string'
    ? Math.sign(compareCodePoints(a, b))
    : a < b
      ? -1
      : a > b
        ? 1
        : 0;

function expected(all: UserView[], sort: UserSort, descending: boolean): string[] {
  const withEmail = all.filter((u) => u.email !== null);
  const without = all.filter((u) => u.email === null);
  let order: UserView[];
  if (sort === 'username') order = [...all].sort((a, b) => cmp(foldCase(a.username), foldCase(b.username)));
  else if (sort === 'createdAt')
    order = [...all].sort((a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id));
  else
    order = [
      ...withEmail.sort((a, b) => cmp(foldCase(a.email!), foldCase(b.email!))),
      ...without.sort((a, b) => cmp(a.id, b.id)),
    ];
  if (descending) order.reverse();
  return order.map((u) => u.username);
}

describeEachDialect('users list', (get) => {
  let users: UsersService;
  let tenantId: string;
  let all: UserView[];

  beforeAll(async () => {
    ({ users } = usersFixture(get()));
    tenantId = (await createTenant(get())).id;
    // noise in another tenant must never show up
    const other = (await createTenant(get())).id;
    await users.create(other, { username: 'aaa-other', email: 'aaa@other.example' }, ctx);
    all = [];
    for (let i = 0; i < 47; i++) {
      const name = `${['Ann', 'bob', 'Cid', 'dan', 'Émile'][i % 5]}${String(i).padStart(2, '0')}`;
      all.push(
        await users.create(
          tenantId,
          {
            username: name,
            email: i % 4 === 0 ? null : `${name.split('').reverse().join('')}@Example.com`,
            status: i % 3 === 0 ? 'disabled' : 'active',
            emailVerified: i % 2 === 0,
          },
          ctx,
        ),
      );
    }
  });

  for (const sort of ['username', 'email', 'createdAt'] as const) {
    for (const descending of [false, true]) {
      it(`walks sort=${sort}${descending ? ' descending' : ''} page by page in order, with no duplicates or misses`, async () => {
        for (const limit of [1, 5, 46, 47, 200]) {
          const got = (await walk(users, tenantId, sort, descending, limit)).map((u) => u.username);
          expect(got, `limit ${limit}`).toEqual(expected(all, sort, descending));
        }
      });
    }
  }

  it('filters by status and email verification, under every sort', async () => {
    for (const sort of ['username', 'email', 'createdAt'] as const) {
      const disabled = await walk(users, tenantId, sort, false, 4, { status: 'disabled' });
      const want = all.filter((u) => u.status === 'disabled');
      expect(disabled.map((u) => u.username)).toEqual(expected(want, sort, false));
      const verified = await walk(users, tenantId, sort, true, 3, { emailVerified: true, status: 'active' });
      expect(verified.map((u) => u.username)).toEqual(
        expected(
          all.filter((u) => u.emailVerified && u.status === 'active'),
          sort,
          true,
        ),
      );
    }
  });

  it('filters by a case-insensitive prefix of the username or the email', async () => {
    const byName = await walk(users, tenantId, 'username', false, 3, { q: 'BOB' });
    expect(byName.map((u) => u.username)).toEqual(
      all.filter((u) => u.username.startsWith('bob')).map((u) => u.username),
    );
    const byEmail = await walk(users, tenantId, 'email', false, 2, { q: '00nnA@' });
    expect(byEmail.map((u) => u.username)).toEqual([]); // Ann00 has no email (i = 0)
    const one = await walk(users, tenantId, 'createdAt', false, 2, { q: '10bob@example' });
    expect(one.map((u) => u.username)).toEqual(['bob01']);
    const accent = await walk(users, tenantId, 'username', true, 50, { q: 'émile' });
    expect(accent.length).toBeGreaterThan(0);
    expect(accent.every((u) => u.username.startsWith('Émile'))).toBe(true);
    expect(await walk(users, tenantId, 'username', false, 10, { q: 'zzz' })).toEqual([]);
  });

  it('merges username and email prefix matches in order across pages, under every sort', async () => {
    const t = (await createTenant(get())).id;
    const made: UserView[] = [];
    const specs: [string, string | null][] = [
      ['mike', null],
      ['Mila', 'zed@example.com'],
      ['zora', 'MILES@example.com'],
      ['yan', 'mi@example.com'],
      ['mi', 'mi.two@example.com'],
      ['bo', 'other@example.com'],
      ['mîa', null],
      // usernames are identifiers (letters, digits, ASCII punctuation): an astral-plane letter and the
      // highest precomposed Hangul syllable stand in for the far ends of the code space
      ['m\u{10400}x', 'mi\u{1F600}@example.com'],
      ['mi\uD7A3z', null],
      ['Zmi', 'xmi@example.com'],
    ];
    for (const [username, email] of specs) made.push(await users.create(t, { username, email }, ctx));
    const match = made.filter(
      (u) => foldCase(u.username).startsWith('mi') || foldCase(u.email ?? '').startsWith('mi'),
    );
    expect(match.length).toBe(7);
    for (const sort of ['username', 'email', 'createdAt'] as const) {
      for (const descending of [false, true]) {
        for (const limit of [1, 2, 3, 50]) {
          const got = await walk(users, t, sort, descending, limit, { q: 'MI' });
          expect(
            got.map((u) => u.username),
            `${sort} ${descending} ${limit}`,
          ).toEqual(expected(match, sort, descending));
        }
      }
    }
  });

  it('refuses a cursor whose value does not fit the sort', async () => {
    const err = await users
      .list(tenantId, {
        limit: 5,
        sort: 'createdAt',
        descending: false,
        after: { sort: 'x', value: 'abc', id: 'x' },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_cursor');
  });

  it('computes prefix successors in code-point order', () => {
    expect(prefixSuccessor('abc')).toBe('abd');
    expect(prefixSuccessor('a\u{10ffff}')).toBe('b');
    expect(prefixSuccessor('\u{10ffff}')).toBeNull();
    expect(prefixSuccessor('a\ud7ff')).toBe('a\ue000');
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0); // JS '<' says otherwise
    expect('\u{1F600}' < '\uFFFD').toBe(true);
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
  });
});
