/**
 * Role rows. Every query filters `tenant_id`, so another tenant's role id behaves exactly like an
 * unknown one. Updates and deletes are one guarded statement: `builtin = 0` keeps built-in roles
 * immutable and `version` implements If-Match, never read-then-compare. Lists use keyset pagination
 * on (name_lower, id) or (created_at, id).
 */

import type { Database } from '../../storage/database.ts';
import { keysetPage, type ListOptions } from '../../storage/keyset.ts';
import { startsWith } from '../../storage/prefix.ts';
import type { RolesTable } from '../../storage/tables.ts';
import { nameKey } from '../../text/identifiers.ts';
import type { RoleSort } from './schemas.ts';

export type RoleRow = RolesTable;

export interface RoleFilters {
  /** Name prefix, compared case-insensitively. */
  q?: string | undefined;
  builtin?: boolean | undefined;
}

export type RolePatch = Partial<Pick<RolesTable, 'name' | 'name_lower' | 'description' | 'permissions'>>;

export interface RoleStore {
  insert(row: RolesTable): Promise<void>;
  /** Inserts the rows whose name is still free in their tenant; returns how many were inserted. */
  insertMissing(rows: readonly RolesTable[]): Promise<number>;
  byId(tenantId: string, id: string): Promise<RoleRow | undefined>;
  byName(tenantId: string, nameLower: string): Promise<RoleRow | undefined>;
  /** Up to `options.limit + 1` rows after the cursor. */
  list(tenantId: string, options: ListOptions<RoleSort>, filters: RoleFilters): Promise<RoleRow[]>;
  /** Applies the patch to a custom role whose version matches `expected` (when given); the new row or undefined. */
  update(
    tenantId: string,
    id: string,
    patch: RolePatch,
    expected: number | undefined,
    now: number,
  ): Promise<RoleRow | undefined>;
  /** Deletes a custom role whose version matches `expected` (when given); false when nothing matched. */
  delete(tenantId: string, id: string, expected: number | undefined): Promise<boolean>;
}

export function createRoleStore(database: Database): RoleStore {
  const { db } = database;
  return {
    async insert(row) {
      await db.insertInto('roles').values(row).execute();
    },
    async insertMissing(rows) {
      if (rows.length === 0) return 0;
      const r = await db
        .insertInto('roles')
        .values([...rows])
        .onConflict((oc) => oc.columns(['tenant_id', 'name_lower']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0);
    },
    byId: (tenantId, id) =>
      db
        .selectFrom('roles')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    byName: (tenantId, nameLower) =>
      db
        .selectFrom('roles')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('name_lower', '=', nameLower)
        .executeTakeFirst(),
    async list(tenantId, options, filters) {
      const column = options.sort === 'name' ? 'name_lower' : 'created_at';
      let q = db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId);
      if (filters.q) q = q.where(startsWith(database.dialect, 'name_lower', nameKey(filters.q)));
      if (filters.builtin !== undefined) q = q.where('builtin', '=', filters.builtin ? 1 : 0);
      return keysetPage(q, column, options).execute();
    },
    async update(tenantId, id, patch, expected, now) {
      let q = db
        .updateTable('roles')
        .set((eb) => ({ ...patch, updated_at: now, version: eb('version', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('builtin', '=', 0);
      if (expected !== undefined) q = q.where('version', '=', expected);
      return q.returningAll().executeTakeFirst();
    },
    async delete(tenantId, id, expected) {
      let q = db
        .deleteFrom('roles')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('builtin', '=', 0);
      if (expected !== undefined) q = q.where('version', '=', expected);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
