/**
 * Storage of memberships (`org_members`: one row per organization, user and role), plus the read-only
 * lookups they need in tables other capabilities own: a user's existence and role names → ids, always
 * filtered by tenant. Composed into the organization store (`store.ts`).
 */
import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import type { DialectFeatures } from '../../storage/dialect.ts';
import type { ListOptions } from '../../storage/keyset.ts';
import type { OrganizationsTable, Tables } from '../../storage/tables.ts';

export type MemberSort = 'userId';

export interface RoleRef {
  id: string;
  name: string;
  nameLower: string;
}

export interface MembershipRow {
  orgId: string;
  orgName: string;
  kind: OrganizationsTable['kind'];
  roleName: string;
}

/** Membership queries that run either on the pool or inside a transaction. */
export interface MembershipQueries {
  userExists(tenantId: string, userId: string): Promise<boolean>;
  /** The tenant's roles whose lower-cased names are in `namesLower`. */
  findRoles(tenantId: string, namesLower: readonly string[]): Promise<RoleRef[]>;
  /** The member's current role names (sorted) and when the membership began; undefined if none. */
  memberOf(
    tenantId: string,
    orgId: string,
    userId: string,
  ): Promise<{ roles: string[]; since: number } | undefined>;
  /**
   * Replaces the member's role rows with `roleIds`; run it inside a transaction so the set changes
   * atomically. A role, user or organization deleted meanwhile is `conflict`.
   */
  replaceMember(
    tenantId: string,
    orgId: string,
    userId: string,
    roleIds: readonly string[],
    since: number,
  ): Promise<void>;
  /** Removes every role row of the member; false when there was none. */
  removeMember(tenantId: string, orgId: string, userId: string): Promise<boolean>;
}

export interface MembershipReads {
  /** One page (`limit + 1` ids) of the distinct members of an organization, by user id. */
  listMemberIds(tenantId: string, orgId: string, options: ListOptions<MemberSort>): Promise<string[]>;
  /** Role names (sorted) of the given members of an organization. */
  memberRoles(tenantId: string, orgId: string, userIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Every (organization, role) pair of a user, ordered by organization name, then role name. */
  userMemberships(tenantId: string, userId: string): Promise<MembershipRow[]>;
}

type Executor = Kysely<Tables> | Transaction<Tables>;

export function createMembershipQueries(db: Executor, dialect: DialectFeatures): MembershipQueries {
  const memberRows = (tenantId: string, orgId: string, userId: string) =>
    db
      .deleteFrom('org_members')
      .where('tenant_id', '=', tenantId)
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId);

  return {
    async userExists(tenantId, userId) {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', userId)
        .executeTakeFirst();
      return row !== undefined;
    },

    async findRoles(tenantId, namesLower) {
      if (namesLower.length === 0) return [];
      const rows = await db
        .selectFrom('roles')
        .select(['id', 'name', 'name_lower'])
        .where('tenant_id', '=', tenantId)
        .where('name_lower', 'in', namesLower)
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.name, nameLower: r.name_lower }));
    },

    async memberOf(tenantId, orgId, userId) {
      const rows = await db
        .selectFrom('org_members as m')
        .innerJoin('roles as r', 'r.id', 'm.role_id')
        .select(['r.name', 'm.created_at'])
        .where('m.tenant_id', '=', tenantId)
        .where('m.org_id', '=', orgId)
        .where('m.user_id', '=', userId)
        .orderBy('r.name_lower')
        .execute();
      if (rows.length === 0) return undefined;
      return { roles: rows.map((r) => r.name), since: Math.min(...rows.map((r) => Number(r.created_at))) };
    },

    async replaceMember(tenantId, orgId, userId, roleIds, since) {
      await memberRows(tenantId, orgId, userId).execute();
      const rows = roleIds.map((roleId) => ({
        tenant_id: tenantId,
        org_id: orgId,
        user_id: userId,
        role_id: roleId,
        created_at: since,
      }));
      try {
        await db.insertInto('org_members').values(rows).execute();
      } catch (err) {
        if (dialect.isForeignKeyViolation(err)) {
          throw new AppError('conflict', { detail: 'a role, the user or the organization was just deleted' });
        }
        throw err;
      }
    },

    async removeMember(tenantId, orgId, userId) {
      const r = await memberRows(tenantId, orgId, userId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export function createMembershipReads(db: Kysely<Tables>): MembershipReads {
  return {
    async listMemberIds(tenantId, orgId, options) {
      let q = db
        .selectFrom('org_members')
        .select('user_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('org_id', '=', orgId);
      if (options.after) q = q.where('user_id', options.descending ? '<' : '>', options.after.id);
      const rows = await q
        .orderBy('user_id', options.descending ? 'desc' : 'asc')
        .limit(options.limit + 1)
        .execute();
      return rows.map((r) => r.user_id);
    },

    async memberRoles(tenantId, orgId, userIds) {
      const byUser = new Map<string, string[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return byUser;
      const rows = await db
        .selectFrom('org_members as m')
        .innerJoin('roles as r', 'r.id', 'm.role_id')
        .select(['m.user_id', 'r.name'])
        .where('m.tenant_id', '=', tenantId)
        .where('m.org_id', '=', orgId)
        .where('m.user_id', 'in', userIds)
        .orderBy('r.name_lower')
        .execute();
      for (const row of rows) byUser.get(row.user_id)?.push(row.name);
      return byUser;
    },

    userMemberships: (tenantId, userId) =>
      db
        .selectFrom('org_members as m')
        .innerJoin('organizations as o', 'o.id', 'm.org_id')
        .innerJoin('roles as r', 'r.id', 'm.role_id')
        .select(['o.id as orgId', 'o.name as orgName', 'o.kind', 'r.name as roleName'])
        .where('m.tenant_id', '=', tenantId)
        .where('m.user_id', '=', userId)
        .orderBy('o.name_lower')
        .orderBy('o.id')
        .orderBy('r.name_lower')
        .execute(),
  };
}
