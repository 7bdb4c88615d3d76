/**
 * Tenant rows and their custom domains. Lists use keyset pagination on (slug) or (created_at, id) so
 * listing stays O(page) with 10,000+ tenants. Updates are guarded by `version` (ETag).
 */

import type { Database } from '../../storage/database.ts';
import { keysetPage, type ListOptions } from '../../storage/keyset.ts';
import { startsWith } from '../../storage/prefix.ts';
import type { TenantsTable } from '../../storage/tables.ts';
import type { TenantSort } from './schemas.ts';

export type TenantRow = TenantsTable & { domains: string[] };

export interface TenantFilters {
  status?: 'active' | 'suspended';
  q?: string;
}

export interface TenantStore {
  insert(row: TenantsTable, domains: readonly string[]): Promise<void>;
  bySlug(slug: string): Promise<TenantRow | undefined>;
  byId(id: string): Promise<TenantRow | undefined>;
  list(options: ListOptions<TenantSort>, filters: TenantFilters): Promise<TenantRow[]>;
  /** Applies the patch when `version` matches (or is undefined); returns the new row, or undefined. */
  update(
    id: string,
    patch: Partial<Pick<TenantsTable, 'display_name' | 'status'>>,
    domains: readonly string[] | undefined,
    expected: number | undefined,
    now: number,
  ): Promise<TenantRow | undefined>;
  delete(id: string, expected: number | undefined): Promise<boolean>;
  count(): Promise<number>;
}

export function createTenantStore(database: Database): TenantStore {
  const { db } = database;

  async function withDomains(rows: TenantsTable[]): Promise<TenantRow[]> {
    if (rows.length === 0) return [];
    const domains = await db
      .selectFrom('tenant_domains')
      .select(['tenant_id', 'domain'])
      .where(
        'tenant_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('domain')
      .execute();
    return rows.map((r) => ({
      ...r,
      domains: domains.filter((d) => d.tenant_id === r.id).map((d) => d.domain),
    }));
  }

  async function one(column: 'slug' | 'id', value: string): Promise<TenantRow | undefined> {
    const row = await db.selectFrom('tenants').selectAll().where(column, '=', value).executeTakeFirst();
    return row ? (await withDomains([row]))[0] : undefined;
  }

  return {
    async insert(row, domains) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('tenants').values(row).execute();
        for (const domain of domains) {
          await trx
            .insertInto('tenant_domains')
            .values({ domain, tenant_id: row.id, created_at: row.created_at })
            .execute();
        }
      });
    },
    bySlug: (slug) => one('slug', slug),
    byId: (id) => one('id', id),
    async list(options, filters) {
      const column = options.sort === 'slug' ? 'slug' : 'created_at';
      let q = db.selectFrom('tenants').selectAll();
      if (filters.status) q = q.where('status', '=', filters.status);
      if (filters.q) q = q.where(startsWith(database.dialect, 'slug', filters.q));
      return withDomains(await keysetPage(q, column, options).execute());
    },
    async update(id, patch, domains, expected, now) {
      return db.transaction().execute(async (trx) => {
        let q = trx
          .updateTable('tenants')
          .set((eb) => ({ ...patch, updated_at: now, version: eb('version', '+', 1) }))
          .where('id', '=', id);
        if (expected !== undefined) q = q.where('version', '=', expected);
        const r = await q.executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return undefined;
        if (domains) {
          await trx.deleteFrom('tenant_domains').where('tenant_id', '=', id).execute();
          for (const domain of domains) {
            await trx
              .insertInto('tenant_domains')
              .values({ domain, tenant_id: id, created_at: now })
              .execute();
          }
        }
        const row = await trx
          .selectFrom('tenants')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        const ds = await trx
          .selectFrom('tenant_domains')
          .select('domain')
          .where('tenant_id', '=', id)
          .orderBy('domain')
          .execute();
        return { ...row, domains: ds.map((d) => d.domain) };
      });
    },
    async delete(id, expected) {
      let q = db.deleteFrom('tenants').where('id', '=', id);
      if (expected !== undefined) q = q.where('version', '=', expected);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async count() {
      const r = await db
        .selectFrom('tenants')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
