/**
 * Group rows. Every query filters `tenant_id`, so another tenant's group id behaves exactly like an
 * unknown one. Updates and deletes are one statement guarded by `version` (If-Match), never
 * read-then-compare. Lists use keyset pagination on (name_lower, id) or (created_at, id).
 * Memberships live in `membership-store.ts`.
 */

import type { Database } from '../../storage/database.ts';
import { keysetPage, type ListOptions } from '../../storage/keyset.ts';
import { startsWith } from '../../storage/prefix.ts';
import type { GroupsTable } from '../../storage/tables.ts';
import { nameKey } from '../../text/identifiers.ts';
import type { GroupSort } from './schemas.ts';

export type GroupRow = GroupsTable;

export interface GroupFilters {
  /** Name prefix, compared case-insensitively. */
  q?: string | undefined;
}

export type GroupPatch = Partial<Pick<GroupsTable, 'name' | 'name_lower' | 'description'>>;

export interface GroupStore {
  insert(row: GroupsTable): Promise<void>;
  byId(tenantId: string, id: string): Promise<GroupRow | undefined>;
  byName(tenantId: string, nameLower: string): Promise<GroupRow | undefined>;
  /** Up to `options.limit + 1` rows after the cursor. */
  list(tenantId: string, options: ListOptions<GroupSort>, filters: GroupFilters): Promise<GroupRow[]>;
  /** Applies the patch when the version matches `expected` (when given); the new row or undefined. */
  update(
    tenantId: string,
    id: string,
    patch: GroupPatch,
    expected: number | undefined,
    now: number,
  ): Promise<GroupRow | undefined>;
  /** Deletes the group (its memberships and role mappings cascade); false when nothing matched. */
  delete(tenantId: string, id: string, expected: number | undefined): Promise<boolean>;
}

export function createGroupStore(database: Database): GroupStore {
  const { db } = database;
  return {
    async insert(row) {
      await db.insertInto('groups').values(row).execute();
    },
    byId: (tenantId, id) =>
      db
        .selectFrom('groups')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    byName: (tenantId, nameLower) =>
      db
        .selectFrom('groups')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('name_lower', '=', nameLower)
        .executeTakeFirst(),
    async list(tenantId, options, filters) {
      const column = options.sort === 'name' ? 'name_lower' : 'created_at';
      let q = db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId);
      if (filters.q) q = q.where(startsWith(database.dialect, 'name_lower', nameKey(filters.q)));
      return keysetPage(q, column, options).execute();
    },
    async update(tenantId, id, patch, expected, now) {
      let q = db
        .updateTable('groups')
        .set((eb) => ({ ...patch, updated_at: now, version: eb('version', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id);
      if (expected !== undefined) q = q.where('version', '=', expected);
      return q.returningAll().executeTakeFirst();
    },
    async delete(tenantId, id, expected) {
      let q = db.deleteFrom('groups').where('tenant_id', '=', tenantId).where('id', '=', id);
      if (expected !== undefined) q = q.where('version', '=', expected);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
