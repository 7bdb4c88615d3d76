/**
 * Who holds which role: user ↔ role (`user_roles`) and group ↔ role (`group_roles`) links, and the
 * recursive query behind effective access. A foreign key proves a row exists, not that it belongs to
 * the tenant, so every link is inserted only after both ends are found inside the tenant (a tenant id
 * never changes, so that check cannot go stale; a concurrent delete surfaces as an FK violation and
 * is reported as "missing"). Nested groups are walked with the one nesting query
 * (`storage/group-nesting.ts`), which both dialects run and which terminates even on a cycle.
 */
import { sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import { withNestedGroups } from '../../storage/group-nesting.ts';
import { deleteMatching } from '../../storage/primitives.ts';
import type { RoleRow } from './store.ts';

/** Outcome of linking two rows: newly linked, already linked, or an end not found in the tenant. */
export type LinkResult = 'added' | 'exists' | 'missing';

export interface GrantedRole {
  name: string;
  /** JSON array text, as stored. */
  permissions: string;
}

export interface AssignmentStore {
  userExists(tenantId: string, userId: string): Promise<boolean>;
  groupExists(tenantId: string, groupId: string): Promise<boolean>;
  roleExists(tenantId: string, roleId: string): Promise<boolean>;
  assignToUser(tenantId: string, userId: string, roleId: string, now: number): Promise<LinkResult>;
  removeFromUser(tenantId: string, userId: string, roleId: string): Promise<boolean>;
  /** The user's direct roles, by name. */
  userRoles(tenantId: string, userId: string): Promise<RoleRow[]>;
  assignToGroup(tenantId: string, groupId: string, roleId: string, now: number): Promise<LinkResult>;
  removeFromGroup(tenantId: string, groupId: string, roleId: string): Promise<boolean>;
  /** The group's own roles (not those of groups it is nested in), by name. */
  groupRoles(tenantId: string, groupId: string): Promise<RoleRow[]>;
  /**
   * Every role the user holds directly or through a group it belongs to, directly or through any
   * depth of nesting (a member of C, where C is nested in B, is a member of B).
   */
  effectiveRoles(tenantId: string, userId: string): Promise<GrantedRole[]>;
}

type OwnedTable = 'users' | 'groups' | 'roles';

export function createAssignmentStore(database: Database): AssignmentStore {
  const { db, dialect } = database;

  async function exists(table: OwnedTable, tenantId: string, id: string): Promise<boolean> {
    const row = await db
      .selectFrom(table)
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async function link(
    table: 'user_roles' | 'group_roles',
    owner: { table: 'users' | 'groups'; id: string },
    tenantId: string,
    roleId: string,
    now: number,
  ): Promise<LinkResult> {
    const [ownerFound, roleFound] = await Promise.all([
      exists(owner.table, tenantId, owner.id),
      exists('roles', tenantId, roleId),
    ]);
    if (!ownerFound || !roleFound) return 'missing';
    const row =
      table === 'user_roles'
        ? { tenant_id: tenantId, user_id: owner.id, role_id: roleId, created_at: now }
        : { tenant_id: tenantId, group_id: owner.id, role_id: roleId, created_at: now };
    try {
      const r = await db
        .insertInto(table)
        .values(row as never)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? 'added' : 'exists';
    } catch (err) {
      if (dialect.isForeignKeyViolation(err)) return 'missing';
      throw err;
    }
  }

  return {
    userExists: (tenantId, userId) => exists('users', tenantId, userId),
    groupExists: (tenantId, groupId) => exists('groups', tenantId, groupId),
    roleExists: (tenantId, roleId) => exists('roles', tenantId, roleId),
    assignToUser: (tenantId, userId, roleId, now) =>
      link('user_roles', { table: 'users', id: userId }, tenantId, roleId, now),
    removeFromUser: (tenantId, userId, roleId) =>
      deleteMatching(db, 'user_roles', { tenant_id: tenantId, user_id: userId, role_id: roleId }),
    userRoles: (tenantId, userId) =>
      db
        .selectFrom('roles')
        .innerJoin('user_roles', 'user_roles.role_id', 'roles.id')
        .selectAll('roles')
        .where('user_roles.tenant_id', '=', tenantId)
        .where('user_roles.user_id', '=', userId)
        .where('roles.tenant_id', '=', tenantId)
        .orderBy('roles.name_lower')
        .execute(),
    assignToGroup: (tenantId, groupId, roleId, now) =>
      link('group_roles', { table: 'groups', id: groupId }, tenantId, roleId, now),
    removeFromGroup: (tenantId, groupId, roleId) =>
      deleteMatching(db, 'group_roles', { tenant_id: tenantId, group_id: groupId, role_id: roleId }),
    groupRoles: (tenantId, groupId) =>
      db
        .selectFrom('roles')
        .innerJoin('group_roles', 'group_roles.role_id', 'roles.id')
        .selectAll('roles')
        .where('group_roles.tenant_id', '=', tenantId)
        .where('group_roles.group_id', '=', groupId)
        .where('roles.tenant_id', '=', tenantId)
        .orderBy('roles.name_lower')
        .execute(),
    async effectiveRoles(tenantId, userId) {
      const r = await sql<GrantedRole>`
        ${withNestedGroups(tenantId, { groupsOfUser: userId }, 'member_of')}
        select r.name, r.permissions from roles r
        where r.tenant_id = ${tenantId} and (
          r.id in (select role_id from user_roles where tenant_id = ${tenantId} and user_id = ${userId})
          or r.id in (select role_id from group_roles
                      where tenant_id = ${tenantId} and group_id in (select id from member_of))
        )
        order by r.name_lower`.execute(db);
      return r.rows;
    },
  };
}
