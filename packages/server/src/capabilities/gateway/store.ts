/**
 * Rows of the gateway's routes, permissions and rate limits. Every query filters `tenant_id`; the
 * hot path never reads here — it reads the tenant's compiled policy (policy/compile.ts), which
 * `loadTenant` builds in three queries and the invalidated cache keeps.
 */
import type { Database } from '../../storage/database.ts';
import { keysetPage, type ListOptions } from '../../storage/keyset.ts';
import type {
  GatewayLimitsTable,
  GatewayPermissionsTable,
  GatewayRoutesTable,
} from '../../storage/tables.ts';

export type RouteRow = GatewayRoutesTable;
export type PermissionRow = GatewayPermissionsTable;
export type LimitRow = GatewayLimitsTable;
type Patch<T> = Partial<Omit<T, 'id' | 'tenant_id' | 'created_at' | 'version'>>;

export interface GatewayStore {
  insertRoute(row: RouteRow): Promise<void>;
  routeById(tenantId: string, id: string): Promise<RouteRow | undefined>;
  routeByPattern(tenantId: string, host: string, pathKey: string): Promise<RouteRow | undefined>;
  listRoutes(tenantId: string, options: ListOptions<'createdAt'>): Promise<RouteRow[]>;
  /** Guarded by `expected` (the version) when given; returns the new row or undefined. */
  updateRoute(
    tenantId: string,
    id: string,
    patch: Patch<RouteRow>,
    expected: number | undefined,
  ): Promise<RouteRow | undefined>;
  deleteRoute(tenantId: string, id: string, expected: number | undefined): Promise<RouteRow | undefined>;

  upsertPermission(row: PermissionRow): Promise<PermissionRow>;
  permissionById(tenantId: string, id: string): Promise<PermissionRow | undefined>;
  listPermissions(
    tenantId: string,
    filter: { routeId?: string; subjectType?: string; subject?: string },
    options: ListOptions<'createdAt'>,
  ): Promise<PermissionRow[]>;
  deletePermission(tenantId: string, id: string): Promise<PermissionRow | undefined>;

  upsertLimit(row: LimitRow): Promise<LimitRow>;
  listLimits(tenantId: string): Promise<LimitRow[]>;
  deleteLimit(tenantId: string, id: string): Promise<LimitRow | undefined>;

  /** Everything the compiled policy of a tenant needs. */
  loadTenant(
    tenantId: string,
  ): Promise<{ routes: RouteRow[]; permissions: PermissionRow[]; limits: LimitRow[] }>;
}

export function createGatewayStore(database: Database): GatewayStore {
  const { db } = database;
  return {
    async insertRoute(row) {
      await db.insertInto('gateway_routes').values(row).execute();
    },
    routeById: (tenantId, id) =>
      db
        .selectFrom('gateway_routes')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    routeByPattern: (tenantId, host, pathKey) =>
      db
        .selectFrom('gateway_routes')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('host', '=', host)
        .where('path_key', '=', pathKey)
        .executeTakeFirst(),
    listRoutes: (tenantId, options) =>
      keysetPage(
        db.selectFrom('gateway_routes').selectAll().where('tenant_id', '=', tenantId),
        'created_at',
        options,
      ).execute(),
    async updateRoute(tenantId, id, patch, expected) {
      let q = db
        .updateTable('gateway_routes')
        .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id);
      if (expected !== undefined) q = q.where('version', '=', expected);
      return (await q.returningAll().execute())[0];
    },
    async deleteRoute(tenantId, id, expected) {
      let q = db.deleteFrom('gateway_routes').where('tenant_id', '=', tenantId).where('id', '=', id);
      if (expected !== undefined) q = q.where('version', '=', expected);
      return (await q.returningAll().execute())[0];
    },

    async upsertPermission(row) {
      const rows = await db
        .insertInto('gateway_permissions')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['route_id', 'subject_type', 'subject']).doUpdateSet((eb) => ({
            methods: row.methods,
            scopes: row.scopes,
            updated_at: row.updated_at,
            version: eb('gateway_permissions.version', '+', 1),
          })),
        )
        .returningAll()
        .execute();
      return rows[0]!;
    },
    permissionById: (tenantId, id) =>
      db
        .selectFrom('gateway_permissions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    listPermissions(tenantId, filter, options) {
      let q = db.selectFrom('gateway_permissions').selectAll().where('tenant_id', '=', tenantId);
      if (filter.routeId) q = q.where('route_id', '=', filter.routeId);
      if (filter.subjectType)
        q = q.where('subject_type', '=', filter.subjectType as PermissionRow['subject_type']);
      if (filter.subject) q = q.where('subject', '=', filter.subject);
      return keysetPage(q, 'created_at', options).execute();
    },
    async deletePermission(tenantId, id) {
      return (
        await db
          .deleteFrom('gateway_permissions')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .returningAll()
          .execute()
      )[0];
    },

    async upsertLimit(row) {
      const rows = await db
        .insertInto('gateway_limits')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'subject_type', 'subject', 'route_key']).doUpdateSet((eb) => ({
            quota: row.quota,
            quota_window_seconds: row.quota_window_seconds,
            burst: row.burst,
            burst_window_seconds: row.burst_window_seconds,
            updated_at: row.updated_at,
            version: eb('gateway_limits.version', '+', 1),
          })),
        )
        .returningAll()
        .execute();
      return rows[0]!;
    },
    listLimits: (tenantId) =>
      db
        .selectFrom('gateway_limits')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .limit(10_000)
        .execute(),
    async deleteLimit(tenantId, id) {
      return (
        await db
          .deleteFrom('gateway_limits')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .returningAll()
          .execute()
      )[0];
    },

    async loadTenant(tenantId) {
      const [routes, permissions, limits] = await Promise.all([
        db.selectFrom('gateway_routes').selectAll().where('tenant_id', '=', tenantId).execute(),
        db.selectFrom('gateway_permissions').selectAll().where('tenant_id', '=', tenantId).execute(),
        db.selectFrom('gateway_limits').selectAll().where('tenant_id', '=', tenantId).execute(),
      ]);
      return { routes, permissions, limits };
    },
  };
}
