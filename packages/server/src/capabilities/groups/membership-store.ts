/**
 * Group memberships: users in groups (`group_users`) and groups nested in groups (`group_groups`,
 * parent_id → child_id). A foreign key proves a row exists, not that it belongs to the tenant, so both
 * ends are looked up inside the tenant first. Nesting refuses cycles: inside one transaction it takes
 * the tenant's nesting lock (an advisory lock on PostgreSQL; SQLite's write lock already serialises),
 * walks the child's descendants with the one nesting query (`storage/group-nesting.ts`; both
 * dialects; terminates even on a cycle) and inserts only when the parent is not among them — so two concurrent inserts (A→B, B→A)
 * cannot together create a cycle.
 */
import { sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import { withNestedGroups } from '../../storage/group-nesting.ts';
import { keysetPage, type ListOptions } from '../../storage/keyset.ts';
import { deleteMatching } from '../../storage/primitives.ts';
import type { MemberSort, MemberType } from './schemas.ts';
import type { GroupRow } from './store.ts';

/** Outcome of adding a member: newly added, already there, an end not in the tenant, or a cycle. */
export type AddResult = 'added' | 'exists' | 'missing' | 'cycle';

export interface MemberRow {
  type: MemberType;
  id: string;
  name: string;
  name_lower: string;
  created_at: number;
}

export type UserGroupRow = GroupRow & { direct: number };

export interface MembershipStore {
  groupExists(tenantId: string, groupId: string): Promise<boolean>;
  userExists(tenantId: string, userId: string): Promise<boolean>;
  addUser(tenantId: string, groupId: string, userId: string, now: number): Promise<AddResult>;
  removeUser(tenantId: string, groupId: string, userId: string): Promise<boolean>;
  addGroup(tenantId: string, parentId: string, childId: string, now: number): Promise<AddResult>;
  removeGroup(tenantId: string, parentId: string, childId: string): Promise<boolean>;
  /** Up to `options.limit + 1` direct members (users and nested groups) after the cursor. */
  listMembers(
    tenantId: string,
    groupId: string,
    options: ListOptions<MemberSort>,
    type: MemberType | undefined,
  ): Promise<MemberRow[]>;
  /** The user's groups by name; with `transitive`, also every group reached through nesting. */
  userGroups(tenantId: string, userId: string, transitive: boolean): Promise<UserGroupRow[]>;
  /** The direct groups of many users (one query): user id → group names, by name. */
  groupNamesOfUsers(tenantId: string, userIds: readonly string[]): Promise<Map<string, string[]>>;
}

/** The lock that serialises nesting changes of one tenant. */
export function nestingLock(tenantId: string): string {
  return `groups:${tenantId}`;
}

export function createMembershipStore(database: Database): MembershipStore {
  const { db, dialect } = database;

  async function exists(table: 'users' | 'groups', tenantId: string, id: string): Promise<boolean> {
    const row = await db
      .selectFrom(table)
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  function missingOnForeignKey(err: unknown): AddResult {
    if (dialect.isForeignKeyViolation(err)) return 'missing';
    throw err;
  }

  return {
    groupExists: (tenantId, groupId) => exists('groups', tenantId, groupId),
    userExists: (tenantId, userId) => exists('users', tenantId, userId),
    async addUser(tenantId, groupId, userId, now) {
      const [group, user] = await Promise.all([
        exists('groups', tenantId, groupId),
        exists('users', tenantId, userId),
      ]);
      if (!group || !user) return 'missing';
      try {
        const r = await db
          .insertInto('group_users')
          .values({ tenant_id: tenantId, group_id: groupId, user_id: userId, created_at: now })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? 'added' : 'exists';
      } catch (err) {
        return missingOnForeignKey(err);
      }
    },
    removeUser: (tenantId, groupId, userId) =>
      deleteMatching(db, 'group_users', { tenant_id: tenantId, group_id: groupId, user_id: userId }),
    async addGroup(tenantId, parentId, childId, now) {
      return db
        .transaction()
        .execute(async (trx): Promise<AddResult> => {
          await dialect.lockInTransaction(trx, nestingLock(tenantId));
          const ends = [...new Set([parentId, childId])];
          const found = await trx
            .selectFrom('groups')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('id', 'in', ends)
            .execute();
          if (found.length < ends.length) return 'missing';
          if (parentId === childId) return 'cycle';
          const reachable = await sql<{ hit: number }>`
            ${withNestedGroups(tenantId, { nestedIn: childId })}
            select 1 as hit from nested where id = ${parentId} limit 1`.execute(trx);
          if (reachable.rows.length > 0) return 'cycle';
          const r = await trx
            .insertInto('group_groups')
            .values({ tenant_id: tenantId, parent_id: parentId, child_id: childId, created_at: now })
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst();
          return Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? 'added' : 'exists';
        })
        .catch(missingOnForeignKey);
    },
    removeGroup: (tenantId, parentId, childId) =>
      deleteMatching(db, 'group_groups', { tenant_id: tenantId, parent_id: parentId, child_id: childId }),
    async listMembers(tenantId, groupId, options, type) {
      const users = db
        .selectFrom('group_users as gu')
        .innerJoin('users as u', 'u.id', 'gu.user_id')
        .select([
          sql<MemberType>`'user'`.as('type'),
          'u.id as id',
          'u.username as name',
          'u.username_lower as name_lower',
          'gu.created_at as created_at',
        ])
        .where('gu.tenant_id', '=', tenantId)
        .where('gu.group_id', '=', groupId);
      const groups = db
        .selectFrom('group_groups as gg')
        .innerJoin('groups as c', 'c.id', 'gg.child_id')
        .select([
          sql<MemberType>`'group'`.as('type'),
          'c.id as id',
          'c.name as name',
          'c.name_lower as name_lower',
          'gg.created_at as created_at',
        ])
        .where('gg.tenant_id', '=', tenantId)
        .where('gg.parent_id', '=', groupId);
      const members = type === 'user' ? users : type === 'group' ? groups : users.unionAll(groups);
      const column = options.sort === 'name' ? 'name_lower' : 'created_at';
      const q = db.selectFrom(members.as('m')).selectAll();
      return keysetPage(q, `m.${column}`, options, 'm.id').execute();
    },
    async groupNamesOfUsers(tenantId, userIds) {
      const names = new Map<string, string[]>();
      if (userIds.length === 0) return names;
      const rows = await db
        .selectFrom('group_users as gu')
        .innerJoin('groups as g', 'g.id', 'gu.group_id')
        .select(['gu.user_id', 'g.name'])
        .where('gu.tenant_id', '=', tenantId)
        .where('g.tenant_id', '=', tenantId)
        .where('gu.user_id', 'in', [...userIds])
        .orderBy('g.name_lower')
        .execute();
      for (const r of rows) {
        const list = names.get(r.user_id);
        if (list) list.push(r.name);
        else names.set(r.user_id, [r.name]);
      }
      return names;
    },
    async userGroups(tenantId, userId, transitive) {
      if (!transitive) {
        return db
          .selectFrom('groups as g')
          .innerJoin('group_users as gu', 'gu.group_id', 'g.id')
          .selectAll('g')
          .select(sql<number>`1`.as('direct'))
          .where('gu.tenant_id', '=', tenantId)
          .where('gu.user_id', '=', userId)
          .where('g.tenant_id', '=', tenantId)
          .orderBy('g.name_lower')
          .execute();
      }
      const r = await sql<UserGroupRow>`
        ${withNestedGroups(tenantId, { groupsOfUser: userId }, 'member_of')}
        select g.*, case when exists (
          select 1 from group_users gu where gu.group_id = g.id and gu.user_id = ${userId}
        ) then 1 else 0 end as direct
        from groups g
        where g.tenant_id = ${tenantId} and g.id in (select id from member_of)
        order by g.name_lower`.execute(db);
      return r.rows;
    },
  };
}
