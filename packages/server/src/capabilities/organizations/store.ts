/**
 * Storage of organizations and org units (memberships: `membership-store.ts`, composed in here). Every
 * query filters by `tenant_id`, so an id from another tenant simply is not found. Hierarchy walks are
 * recursive CTEs bounded by a level limit (a corrupt cycle can never loop forever); they follow
 * `parent_key`, which the sibling-name index `(tenant_id, parent_key, name_lower)` covers. Rules
 * (depth, cycles, who may move) live in the service.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import type { Database } from '../../storage/database.ts';
import type { DialectFeatures } from '../../storage/dialect.ts';
import { keysetPage, type ListOptions } from '../../storage/keyset.ts';
import type { OrganizationsTable, Tables } from '../../storage/tables.ts';
import {
  createMembershipQueries,
  createMembershipReads,
  type MembershipQueries,
  type MembershipReads,
} from './membership-store.ts';

export type { MemberSort, MembershipRow, RoleRef } from './membership-store.ts';

export type OrgRow = OrganizationsTable;
export type OrganizationSort = 'name' | 'createdAt';

export interface OrgFilter {
  /** null: top-level organizations only; a string: the children of that organization or unit. */
  parentId?: string | null;
  kind?: OrgRow['kind'];
}

/** A subtree row: the organization plus its level below the subtree's root (root = 0). */
export type SubtreeRow = OrgRow & { level: number };

export type OrgChanges = Partial<Pick<OrgRow, 'name' | 'name_lower' | 'parent_id' | 'parent_key'>> & {
  updated_at: number;
};

/** Queries that run either on the pool or inside a transaction. */
export interface OrganizationQueries extends MembershipQueries {
  find(tenantId: string, id: string): Promise<OrgRow | undefined>;
  /** `id`, its parent, grandparent … up to the top-level organization; empty when `id` is not found. */
  ancestry(tenantId: string, id: string, maxLevels: number): Promise<string[]>;
  /** `id` and its descendants, ordered by level then name; empty when `id` is not found. */
  subtree(tenantId: string, id: string, maxLevels: number): Promise<SubtreeRow[]>;
  /** Inserts a row; a sibling with the same name (case-insensitively) is `conflict`. */
  insert(row: OrgRow): Promise<void>;
  /** Applies `changes` and bumps `version` only while the row still has `version`; undefined otherwise. */
  update(tenantId: string, id: string, version: number, changes: OrgChanges): Promise<OrgRow | undefined>;
  /** Deletes the row (units and memberships below it cascade) while it still has `version`. */
  delete(tenantId: string, id: string, version: number): Promise<boolean>;
}

export interface OrganizationStore extends OrganizationQueries, MembershipReads {
  /** One page (`limit + 1` rows) of organizations in keyset order. */
  list(tenantId: string, filter: OrgFilter, options: ListOptions<OrganizationSort>): Promise<OrgRow[]>;
  /** Runs `fn` in one transaction holding the cross-process lock `lockName` until it ends. */
  transact<T>(lockName: string, fn: (tx: OrganizationQueries) => Promise<T>): Promise<T>;
}

type Executor = Kysely<Tables> | Transaction<Tables>;

function createQueries(db: Executor, dialect: DialectFeatures): OrganizationQueries {
  const isUniqueViolation = (err: unknown) => dialect.isUniqueViolation(err);
  return {
    ...createMembershipQueries(db, dialect),

    find: (tenantId, id) =>
      db
        .selectFrom('organizations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),

    async ancestry(tenantId, id, maxLevels) {
      const r = await sql<{ id: string }>`
        with recursive chain (id, parent_id, n) as (
          select id, parent_id, 1 from organizations where tenant_id = ${tenantId} and id = ${id}
          union all
          select o.id, o.parent_id, c.n + 1 from organizations o join chain c on o.id = c.parent_id
          where o.tenant_id = ${tenantId} and c.n < ${maxLevels}
        )
        select id from chain order by n`.execute(db);
      return r.rows.map((row) => row.id);
    },

    async subtree(tenantId, id, maxLevels) {
      const r = await sql<SubtreeRow>`
        with recursive sub (id, level) as (
          select id, 0 from organizations where tenant_id = ${tenantId} and id = ${id}
          union all
          select o.id, s.level + 1 from organizations o join sub s on o.parent_key = s.id
          where o.tenant_id = ${tenantId} and s.level < ${maxLevels - 1}
        )
        select o.*, s.level from sub s join organizations o on o.id = s.id
        order by s.level, o.name_lower, o.id`.execute(db);
      return r.rows.map((row) => ({ ...row, level: Number(row.level) }));
    },

    async insert(row) {
      try {
        await db.insertInto('organizations').values(row).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw siblingConflict(row.name);
        throw err;
      }
    },

    async update(tenantId, id, version, changes) {
      try {
        return await db
          .updateTable('organizations')
          .set({ ...changes, version: version + 1 })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .where('version', '=', version)
          .returningAll()
          .executeTakeFirst();
      } catch (err) {
        if (isUniqueViolation(err)) throw siblingConflict(changes.name);
        throw err;
      }
    },

    async delete(tenantId, id, version) {
      const r = await db
        .deleteFrom('organizations')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

function siblingConflict(name: string | undefined): AppError {
  return new AppError('conflict', {
    detail: `an organization or unit named "${(name ?? '').slice(0, 200)}" already exists at this level`,
  });
}

/**
 * Creates the Kysely-backed organization store.
 *
 * @example
 * const store = createOrganizationStore(database);
 * const page = await store.list(tenantId, { parentId: null }, { limit: 50, sort: 'name', descending: false, after: undefined });
 */
export function createOrganizationStore(database: Database): OrganizationStore {
  const { db, dialect } = database;
  return {
    ...createQueries(db, dialect),
    ...createMembershipReads(db),

    list(tenantId, filter, options) {
      const column = options.sort === 'name' ? 'name_lower' : 'created_at';
      let q = db.selectFrom('organizations').selectAll().where('tenant_id', '=', tenantId);
      if (filter.parentId !== undefined) q = q.where('parent_key', '=', filter.parentId ?? '');
      if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
      return keysetPage(q, column, options).execute();
    },

    transact(lockName, fn) {
      return db.transaction().execute(async (trx) => {
        await dialect.lockInTransaction(trx, lockName);
        return fn(createQueries(trx, dialect));
      });
    },
  };
}
