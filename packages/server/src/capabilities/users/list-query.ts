/**
 * Keyset pagination over a tenant's users, each sort walking one index so a page costs O(page) at
 * any depth and any tenant size — no OFFSET, no COUNT:
 * - `username`  → (tenant_id, username_lower) unique, or (tenant_id, status, username_lower) when
 *                 filtering by status; the value alone is a complete cursor because it is unique;
 * - `createdAt` → (tenant_id, created_at, id), cursor (created_at, id) compared as a row value;
 * - `email`     → (tenant_id, email_lower) unique. Users without an email sort after every address
 *                 (before them when descending), ordered by id among themselves — the same order on
 *                 SQLite and PostgreSQL, which place NULLs differently, because the two groups are
 *                 read by two queries instead of one ORDER BY.
 * The `q` filter is a prefix range on the folded columns (`>= q AND < successor(q)`), which an index
 * can serve where a LIKE could not. "Username OR email" would defeat the index order, so each column
 * is queried on its own (limit + 1 rows each) and the two ordered results are merged. Ranges assume
 * byte-order comparison of text: SQLite's BINARY, and on PostgreSQL the "C" collation that migration
 * 0005 gives these columns whatever the database default is.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { ListOptions } from '../../storage/keyset.ts';
import type { Tables, UsersTable } from '../../storage/tables.ts';
import { USER_COLUMNS, type UserRow } from './rows.ts';
import { foldCase } from './rules.ts';
import type { UserSort, UserStatus } from './schemas.ts';

export interface UserFilters {
  status?: UserStatus;
  /** Case-insensitive prefix of the username or the email. */
  q?: string;
  emailVerified?: boolean;
}

type Query = SelectQueryBuilder<Tables, 'users', UserRow>;
type Options = ListOptions<UserSort>;

/** The smallest string above every string that starts with `prefix` (code-point order), or null. */
export function prefixSuccessor(prefix: string): string | null {
  const points = [...prefix];
  while (points.length > 0) {
    let next = points.pop()!.codePointAt(0)! + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // surrogates are not scalar values
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return null;
}

/** Compares strings in code-point order, as SQLite BINARY and PostgreSQL "C" do (JS `<` does not). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** One query per `q` column (or one unrestricted query), each with the shared filters applied. */
function branches(db: Kysely<Tables>, tenantId: string, filters: UserFilters): (() => Query)[] {
  const base = () => {
    let q = db.selectFrom('users').select(USER_COLUMNS).where('tenant_id', '=', tenantId);
    if (filters.status !== undefined) q = q.where('status', '=', filters.status);
    if (filters.emailVerified !== undefined)
      q = q.where('email_verified', '=', filters.emailVerified ? 1 : 0);
    return q;
  };
  const prefix = filters.q === undefined ? '' : foldCase(filters.q.trim());
  if (prefix.length === 0) return [base];
  const end = prefixSuccessor(prefix);
  return (['username_lower', 'email_lower'] as const).map((column) => () => {
    const q = base().where(column, '>=', prefix);
    return end === null ? q : q.where(column, '<', end);
  });
}

function byUsername(q: Query, options: Options): Query {
  const after = options.after;
  if (after && typeof after.value === 'string') {
    q = q.where('username_lower', options.descending ? '<' : '>', after.value);
  }
  return q.orderBy('username_lower', options.descending ? 'desc' : 'asc').limit(options.limit + 1);
}

function byCreatedAt(q: Query, options: Options): Query {
  const dir = options.descending ? 'desc' : 'asc';
  const after = options.after;
  if (after && typeof after.value === 'number') {
    const value = after.value;
    q = q.where((eb) =>
      eb(eb.refTuple('created_at', 'id'), options.descending ? '<' : '>', eb.tuple(value, after.id)),
    );
  }
  return q
    .orderBy('created_at', dir)
    .orderBy('id', dir)
    .limit(options.limit + 1);
}

/** Users with an email, by email, after `value` (exclusive) when given. */
function withEmail(q: Query, descending: boolean, value: string | undefined, limit: number): Query {
  q = q.where('email_lower', 'is not', null);
  if (value !== undefined) q = q.where('email_lower', descending ? '<' : '>', value);
  return q.orderBy('email_lower', descending ? 'desc' : 'asc').limit(limit);
}

/**
 * Users without an email, by id, after `id` (exclusive) when given. The id is always bounded (by
 * '' or U+10FFFF when there is no cursor) so the planner sees a range it can walk on an index of
 * (tenant_id, id) over email-less users, instead of sorting the whole group.
 */
function withoutEmail(q: Query, descending: boolean, id: string | undefined, limit: number): Query {
  const bound = id ?? (descending ? '\u{10ffff}' : '');
  return q
    .where('email_lower', 'is', null)
    .where('id', descending ? '<' : '>', bound)
    .orderBy('id', descending ? 'desc' : 'asc')
    .limit(limit);
}

async function byEmail(query: () => Query, options: Options): Promise<UserRow[]> {
  const want = options.limit + 1;
  const { after, descending } = options;
  const nullGroupId = after !== undefined && after.value === null ? after.id : undefined;
  const emailValue = after && typeof after.value === 'string' ? after.value : undefined;
  // Ascending: addresses, then the no-email group. Descending: the no-email group, then addresses.
  if (descending) {
    const first =
      emailValue === undefined ? await withoutEmail(query(), true, nullGroupId, want).execute() : [];
    if (first.length >= want) return first;
    return [...first, ...(await withEmail(query(), true, emailValue, want - first.length).execute())];
  }
  const first = nullGroupId === undefined ? await withEmail(query(), false, emailValue, want).execute() : [];
  if (first.length >= want) return first;
  return [...first, ...(await withoutEmail(query(), false, nullGroupId, want - first.length).execute())];
}

/** Orders rows exactly as the queries of `sort` do (ascending). */
function comparator(sort: UserSort): (a: UserRow, b: UserRow) => number {
  if (sort === 'createdAt') return (a, b) => a.created_at - b.created_at || compareCodePoints(a.id, b.id);
  if (sort === 'email') {
    return (a, b) => {
      if (a.email_lower !== null && b.email_lower !== null)
        return compareCodePoints(a.email_lower, b.email_lower);
      if (a.email_lower !== null) return -1;
      if (b.email_lower !== null) return 1;
      return compareCodePoints(a.id, b.id);
    };
  }
  return (a, b) => compareCodePoints(a.username_lower, b.username_lower);
}

/** Fetches `limit + 1` rows of one page (the extra row tells that another page exists). */
export async function listUserRows(
  db: Kysely<Tables>,
  tenantId: string,
  options: Options,
  filters: UserFilters,
): Promise<UserRow[]> {
  const fetchOne = (query: () => Query): Promise<UserRow[]> => {
    if (options.sort === 'email') return byEmail(query, options);
    if (options.sort === 'createdAt') return byCreatedAt(query(), options).execute();
    return byUsername(query(), options).execute();
  };
  const parts = branches(db, tenantId, filters);
  if (parts.length === 1) return fetchOne(parts[0]!);
  const results = await Promise.all(parts.map(fetchOne));
  const byId = new Map<string, UserRow>();
  for (const row of results.flat()) byId.set(row.id, row);
  const cmp = comparator(options.sort);
  const merged = [...byId.values()].sort(options.descending ? (a, b) => cmp(b, a) : cmp);
  return merged.slice(0, options.limit + 1);
}

/** The cursor value of a row under a sort. */
export function sortValueOf(
  sort: UserSort,
  row: Pick<UsersTable, 'username_lower' | 'email_lower' | 'created_at'>,
): string | number | null {
  if (sort === 'email') return row.email_lower;
  if (sort === 'createdAt') return row.created_at;
  return row.username_lower;
}
